"""``--from`` names a format and the record's root is another format the bridge knows: the
record fails saying both (input.wrong-format), not for want of what the other format's mapping
looks for (a DataCite title in a Dublin Core record)."""

from __future__ import annotations

from pathlib import Path

from crisbridge import Converter


def test_from_naming_another_format_fails_the_record_saying_which(reference: Path, tmp_path: Path) -> None:
    record = reference / "real-records" / "dspace-eur-pyoai" / "records" / "oai_dc" / "hdl_1765_1070.xml"
    result = Converter(source_format="datacite").convert_one(record)
    (issue,) = result.issues
    assert (result.status.value, issue.code, issue.severity.value) == ("failed", "input.wrong-format", "error")
    assert "--from datacite" in issue.message and "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc is oai_dc" in issue.message
    assert Converter(source_format="oai_dc").convert_one(record).status.value == "converted"
