"""``crisbridge convert ... --validate``: what is written is checked as ``crisbridge validate``
checks it (CERIF XML: XSD, cross-record, SHACL; RDF: SHACL), and each finding goes to the report
entry of the record that wrote the entity it is about; the rest are notes. Exit 1 when a check
finds an error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph
from typer.testing import CliRunner

from crisbridge.cli.app import app
from crisbridge.validation.runner import validate

# An embargo needs its end date (shapes/access.ttl); the mapping reads the record all the same
# (map.embargo-without-end, a warning), and the shapes then find the written entity wanting.
EMBARGOED = """<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title xml:lang="en">A study of things</dc:title>
  <dc:creator>Smith, Jane</dc:creator>
  <dc:type>info:eu-repo/semantics/article</dc:type>
  <dc:rights>info:eu-repo/semantics/embargoedAccess</dc:rights>
</oai_dc:dc>
"""


@pytest.fixture()
def embargoed(tmp_path: Path) -> Path:
    path = tmp_path / "embargoed.xml"
    path.write_text(EMBARGOED, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def xsd_dir(reference: Path) -> str:
    return str(reference / "openaire-cris")


def _convert(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["convert", *args])
    return result.exit_code, result.stdout


def _codes(entry: dict[str, Any]) -> list[str]:
    return [i["code"] for i in entry["issues"]]


def test_findings_go_to_the_record_that_wrote_the_entity(tmp_path: Path, embargoed: Path, xsd_dir: str) -> None:
    out, report = tmp_path / "out.xml", tmp_path / "report.json"
    plain, _ = _convert(str(embargoed), "-o", str(out), "--report", str(report))
    assert plain == 0
    before = json.loads(report.read_text(encoding="utf-8"))
    code, _ = _convert(str(embargoed), "-o", str(out), "--report", str(report), "--validate", "--xsd-dir", xsd_dir)
    assert code == 1
    after = json.loads(report.read_text(encoding="utf-8"))
    (entry,) = after["records"]
    (was,) = before["records"]
    # the conversion's own entry, with the checks' findings added after its issues
    assert entry["issues"][: len(was["issues"])] == was["issues"]
    added = entry["issues"][len(was["issues"]):]
    assert [i["code"] for i in added if i["severity"] == "error"] == ["shacl.embargo-without-end-date"]
    finding = next(i for i in added if i["severity"] == "error")
    assert finding["location"]["file"] == str(out)
    assert finding["location"]["record"] == f"oai:crisbridge.local:{entry['entities'][0]}"
    assert finding["location"]["focus_node"] == f"https://crisbridge.local/{entry['entities'][0]}"
    s = after["summary"]
    assert s["records"] == s["converted"] + s["deleted"] + s["failed"] == 1
    assert s["errors"] == before["summary"]["errors"] + 1
    # the findings are those of `crisbridge validate` on the output
    checked = validate([str(out)], xsd_dirs=[Path(xsd_dir)])
    assert [i.model_dump(mode="json", exclude_none=True) for r in checked.records for i in r.issues] == added


def test_rdf_to_standard_output(embargoed: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    code, stdout = _convert(str(embargoed), "--to", "rdf", "--validate", "--report", str(report))
    assert code == 1
    assert len(Graph().parse(data=stdout, format="turtle")) > 5  # the output is written as ever
    (entry,) = json.loads(report.read_text(encoding="utf-8"))["records"]
    assert "shacl.embargo-without-end-date" in _codes(entry)
    files = {i["location"]["file"] for i in entry["issues"] if i["code"].startswith("shacl.")}
    assert files == {"<stdout>"}  # the checked copy of standard output is gone


def test_clean_records_pass_and_a_folder_is_checked(tmp_path: Path, reference: Path, xsd_dir: str) -> None:
    records = sorted((reference / "real-records" / "zenodo-oaipmh-scythe" / "records" / "oai_dc").glob("*.xml"))[:3]
    report = tmp_path / "report.json"
    code, _ = _convert(*map(str, records), "-o", str(tmp_path / "out") + "/", "--report", str(report), "--validate",
                       "--xsd-dir", xsd_dir)
    assert code == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["summary"]["converted"] == 3 and data["summary"]["errors"] == 0
    # the shapes looked at every entity written (these records have warnings to show for it)
    assert any(i["code"].startswith("shacl.") for r in data["records"] for i in r["issues"])
    # oai_zenodo.org_10357859__v2.xml is a later harvest of the first record: its file replaced
    # the first one's, which validate cannot see in the folder, so convert says it
    repeated = [r["source"] for r in data["records"] if "batch.repeated-id" in _codes(r)]
    assert [Path(p).name for p in repeated] == ["oai_zenodo.org_10357859__v2.xml"]


def test_a_shared_entity_id_is_caught(tmp_path: Path, reference: Path, xsd_dir: str) -> None:
    """Two DataCite fixtures of DataCite's OAI provider give one DOI, hence one entity id, with
    different content: written together, the output holds two records of one identifier."""
    report = tmp_path / "report.json"
    code, _ = _convert(str(reference / "real-records" / "datacite-oaip"), "-o", str(tmp_path / "out.xml"),
                       "--report", str(report), "--validate", "--xsd-dir", xsd_dir)
    assert code == 1
    data = json.loads(report.read_text(encoding="utf-8"))
    dup = [r for r in data["records"] if "cross.duplicate-identifier" in _codes(r)]
    assert len(dup) == 1 and dup[0]["status"] == "converted"  # converted, and its output is at fault
    assert data["summary"]["records"] == data["summary"]["converted"] + data["summary"]["deleted"] + data["summary"]["failed"]


def test_convert_alone_names_the_record_whose_id_was_already_written(tmp_path: Path, reference: Path) -> None:
    """Without --validate the same clash is said by convert itself on each later record, with
    the first one's place in the report: an error in one ListRecords document (as validate's
    cross.duplicate-identifier), a warning in a folder, where the later file replaces the
    earlier as a harvester would apply it. Every record is still written."""
    report, out = tmp_path / "report.json", tmp_path / "out.xml"
    code, _ = _convert(str(reference / "real-records" / "datacite-oaip"), "-o", str(out), "--report", str(report))
    data = json.loads(report.read_text(encoding="utf-8"))
    repeated = [(r, i) for r in data["records"] for i in r["issues"] if i["code"] == "batch.repeated-id"]
    # three fixtures give DOI 10.23650/DATA.G.2018.P1 (a fourth and fifth fail: no title)
    assert len(repeated) == 2
    number, first = next((n, r) for n, r in enumerate(data["records"], 1) if r["source"].endswith("_10.23650.xml"))
    (entity_id,) = first["entities"]
    for entry, issue in repeated:
        assert issue["severity"] == "error" and entry["status"] == "converted" and entry["entities"] == [entity_id]
        assert issue["message"].startswith(f"{entity_id} was already written for record {number} of this batch (entry {number} of the report")
    assert out.read_bytes().count(f"<identifier>oai:crisbridge.local:{entity_id}</identifier>".encode()) == 3
    assert code == 1 and data["summary"]["failed"] == 2  # the two without a title; the repeats were written, at fault
    assert "a harvester cannot tell apart" in repeated[0][1]["message"]
    # into a folder, one file per entity: the later record's file replaced the earlier one's
    folder = tmp_path / "out"
    _convert(str(reference / "real-records" / "datacite-oaip"), "-o", f"{folder}/", "--report", str(report))
    data = json.loads(report.read_text(encoding="utf-8"))
    messages = [i["message"] for r in data["records"] for i in r["issues"] if i["code"] == "batch.repeated-id"]
    assert len(messages) == 2 and all("its file in the output folder now holds this record, not that one" in m for m in messages)
    assert {i["severity"] for r in data["records"] for i in r["issues"] if i["code"] == "batch.repeated-id"} == {"warning"}


def test_repository_formats_are_not_checked(embargoed: Path) -> None:
    code, _ = _convert(str(embargoed), "--to", "oai_dc", "--validate")
    assert code == 2


def test_validate_reads_rdf(tmp_path: Path, embargoed: Path) -> None:
    out = tmp_path / "out.nt"
    assert _convert(str(embargoed), "--to", "rdf", "--rdf-format", "nt", "-o", str(out))[0] == 0
    report = validate([str(out)])
    (entry,) = report.records
    assert entry.entities and entry.entities[0].startswith("Publications/")
    assert "shacl.embargo-without-end-date" in [i.code for i in entry.issues]
    assert report.exit_code == 1
