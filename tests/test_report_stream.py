"""The streamed report writes each entry as the entry's model writes itself."""

from __future__ import annotations

import io
import json

from crisbridge.issues import Issue, Location, Severity
from crisbridge.report import RecordReport, Report, ReportStream, Status

ENTRIES = [
    RecordReport(source="a.xml", source_id="oai:x:1", status=Status.CONVERTED, entities=["Publications/1"],
                 issues=[Issue(code="map.not-mapped", severity=Severity.INFO, message='"quoted" \\ \n\t ü \u2028 \x7f',
                               location=Location(file="a.xml", record="oai:x:1", xpath="/oai_dc:dc/dc:relation[2]", line=3, value="v"))]),
    RecordReport(source="b\u00e9.xml", source_id=None, status=Status.FAILED,
                 issues=[Issue(code="xml.not-well-formed", severity=Severity.ERROR, message="broken", location=Location(file="b.xml", line=1)),
                         Issue(code="x.y", severity=Severity.WARNING, message="w")]),
    RecordReport(source="c.xml", source_id="c#1", status=Status.DELETED, entities=["Publications/2", "Products/3"]),
]


def test_each_entry_is_written_as_its_model_writes_it() -> None:
    out = io.StringIO()
    stream = ReportStream(out)
    for entry in ENTRIES:
        stream.add(entry)
    stream.close()
    lines = out.getvalue().split("\n")[1 : 1 + len(ENTRIES)]
    assert [line.rstrip(",") for line in lines] == [e.model_dump_json(exclude_none=True) for e in ENTRIES]
    expected = Report()
    for entry in ENTRIES:
        expected.add(entry)
    assert json.loads(out.getvalue()) == expected.to_json()
