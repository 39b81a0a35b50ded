"""``crisbridge validate``: the official and validator samples pass (but for the one real fault
of the 1.2 persons sample, named in ``SAMPLE_FAULT``), each negative fixture of the euroCRIS
validator fails the check it was written for, and broken copies of the samples show each
cross-record check; ``crisbridge schemas fetch`` fills the cache from a local mirror.

Fixtures are discovered from the reference folders (``validator/test-fixtures/check_*``): a
new fixture folder is a new case, its expected check read from its name. Nothing here touches
the network: the schema mirror is an ``http.server`` on 127.0.0.1 started by the test.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crisbridge.cli.app import app
from crisbridge.issues import Severity
from crisbridge.report import Report, Status
from crisbridge.schemas import fetch
from crisbridge.validation.runner import validate
from conftest import REFERENCE  # conftest.py's folder is on sys.path; the package "tests" is not

CRIS = REFERENCE / "openaire-cris"

# The one real fault of the official samples (docs/validation.md, "The official samples"): the
# 1.2 persons sample gives Persons/2000001 the ORCID 0009-0000-0000-0000, whose ISO 7064 MOD 11-2
# check digit is 9, not 0. It is reported as the error it is (the 1.1 sample has no such person).
SAMPLE_FAULT = ("shacl.check-digit", "oai:cris.example.org:Persons/2000001", "https://orcid.org/0009-0000-0000-0000")
# What the shapes warn about in the 1.1 publications sample: a licence that is no SPDX IRI
# (812348). A warning, as the shapes mean it. (894491's contribution to journal, c_3e5a, is a
# term COAR deprecated without naming a current one and both profile versions list: no warning.)
SAMPLE_WARNINGS_11 = {
    ("shacl.pattern", "oai:cris.example.org:Publications/812348"),
}


def faults(report: Report) -> list[tuple[str, str | None, str | None]]:
    """The errors of a report as (code, record, value)."""
    found = [(n.code, n.location.record, n.location.value) for n in report.notes if n.severity is Severity.ERROR]
    found += [(i.code, i.location.record, i.location.value) for r in report.records for i in r.issues if i.severity is Severity.ERROR]
    return found


def errors(report: Report) -> list[tuple[str, str]]:
    found = [(n.code, n.message) for n in report.notes if n.severity is Severity.ERROR]
    found += [(i.code, i.message) for r in report.records for i in r.issues if i.severity is Severity.ERROR]
    return found


def note_codes(report: Report, severity: Severity = Severity.WARNING) -> set[str]:
    return {n.code for n in report.notes if n.severity is severity}


def record_codes(report: Report) -> set[str]:
    return {i.code for r in report.records for i in r.issues}


def assert_accounted(report: Report) -> None:
    s = report.summary
    assert s.records == s.converted + s.deleted + s.failed == len(report.records)


@pytest.fixture(scope="module")
def xsd_dirs(reference: Path) -> list[Path]:
    return [reference / "openaire-cris"]


# -- the official and validator samples ---------------------------------------------------


@pytest.mark.parametrize("folder", ["v1.2.0/samples", "v1.1.1/samples"])
def test_official_samples_have_no_error(folder: str, xsd_dirs: list[Path]) -> None:
    """XSD, cross-record and SHACL checks (the records of a folder as one graph, so every
    embedded reference meets its record): no error but the 1.2 sample's wrong ORCID."""
    report = validate([str(CRIS / folder)], xsd_dirs=xsd_dirs)
    if folder.startswith("v1.2"):
        assert faults(report) == [SAMPLE_FAULT]
        assert report.exit_code == 1
        assert report.summary.failed == 1
    else:
        assert errors(report) == []
        assert report.exit_code == 0
    assert_accounted(report)
    assert report.summary.converted > 50 and report.summary.deleted == 1
    # the envelope slips DESIGN 3 names are warnings about the files, never on the records
    assert {"oai.request-prefix", "oai.unknown-set"} <= note_codes(report)
    on_records = {(i.code, i.location.record) for r in report.records for i in r.issues if i.severity is Severity.WARNING}
    assert on_records == (SAMPLE_WARNINGS_11 if folder.startswith("v1.1") else set())
    assert not any(i.code.startswith(("oai.", "cross.")) for r in report.records for i in r.issues)
    # no SHACL result is left without its record, and every embedded reference resolves
    assert not [n for n in report.notes if n.code.startswith("shacl.")]
    assert "shacl.unresolved-reference" not in record_codes(report)
    slips = [n for n in report.notes if n.code == "oai.unknown-set"]
    assert all("openaire_cris_datasets" in n.message and n.location.file and "products" in n.location.file for n in slips)


@pytest.mark.parametrize(("folder", "prefix", "other"), [("v1.2.0/samples", "oai_cerif_openaire_v1_2", "oai_cerif_openaire_v1_1"),
                                                          ("v1.1.1/samples", "oai_cerif_openaire_v1_1", "oai_cerif_openaire_v1_2")])
def test_the_request_prefix_note_suggests_the_records_version(folder: str, prefix: str, other: str) -> None:
    """The samples' requests name metadataPrefix ``cerif_openaire``; the note's example is the
    prefix of the version the records are in, never the other version's."""
    from lxml import etree

    from crisbridge.validation.protocol import check_envelope

    files = sorted((CRIS / folder).glob("openaire_cerif_xml_example_*.xml"))
    notes = [i for path in files for i in check_envelope(str(path), etree.parse(str(path)).getroot()) if i.code == "oai.request-prefix"]
    assert len(notes) == len(files) == 9
    assert all(f"(e.g. {prefix})" in n.message and other not in n.message for n in notes), [n.message for n in notes]


def test_the_12_samples_converted_to_11_validate_without_false_errors(xsd_dirs: list[Path], tmp_path: Path) -> None:
    """The 1.2 samples converted to 1.1 are one CRIS feed: a Project embeds the Funding 620005
    with one generic identifier where the record has two (1.1 has no GrantDOI: it becomes an
    Identifier). The copy is its own node in the feed's graph, so the record's identifiers are
    its own: no shacl.max-count (there were two), and the XSD finds nothing either."""
    out = tmp_path / "s11.xml"
    converted = CliRunner().invoke(app, ["convert", str(CRIS / "v1.2.0/samples"), "--cerif-version", "1.1", "-o", str(out)])
    assert converted.exit_code == 0, converted.output
    report = validate([str(out)], xsd_dirs=xsd_dirs)
    assert errors(report) == []
    assert (report.summary.records, report.summary.converted, report.summary.deleted) == (64, 63, 1)
    assert report.exit_code == 0


def test_rdf_of_a_whole_cris_has_one_entry_per_record(tmp_path: Path) -> None:
    """RDF of the 1.2 samples: one entry for each of the 63 records written, also those other
    records embed (13 were found when a record was a node nothing points at), and no error but
    the samples' one fault."""
    out = tmp_path / "s.ttl"
    converted = CliRunner().invoke(app, ["convert", str(CRIS / "v1.2.0/samples"), "--to", "rdf", "-o", str(out)])
    assert converted.exit_code == 0, converted.output
    report = validate([str(out)])
    assert_accounted(report)
    assert (report.summary.records, report.summary.converted, report.summary.failed) == (63, 62, 1)
    assert len({r.source_id for r in report.records}) == 63
    assert faults(report) == [(SAMPLE_FAULT[0], "Persons/2000001", SAMPLE_FAULT[2])]
    assert not [i for r in report.records for i in r.issues if i.severity is Severity.WARNING]


@pytest.mark.parametrize("workers", [1, 2])
def test_shares_find_what_the_whole_graph_finds(samples_copy: Path, xsd_dirs: list[Path], monkeypatch: pytest.MonkeyPatch,
                                                workers: int) -> None:
    """The records validated in shares of three (in one process or two), each with the entities
    it refers to, give the report of the one graph: with references across shares, an embedded
    copy contradicting its record and a reference to a record that is gone."""
    from crisbridge.validation import shaclbatch

    _edit(samples_copy / "openaire_cerif_xml_example_publications.xml", "<FamilyNames>Hoogerwerf</FamilyNames>", "<FamilyNames>Hogerwerf</FamilyNames>")
    # Patents/712178 refers to its Predecessor Patents/712179 bare (<Patent id=".."/>); that record is gone
    _edit(samples_copy / "openaire_cerif_xml_example_patents.xml", 'id="Patents/712179"><!--', 'id="Patents/gone"><!--')
    folders = [str(samples_copy), str(CRIS / "v1.1.1/samples")]
    whole = validate(folders, xsd_dirs=xsd_dirs).to_json()
    monkeypatch.setattr(shaclbatch, "SHARE_RECORDS", 3)
    assert validate(folders, xsd_dirs=xsd_dirs, workers=workers).to_json() == whole
    found = {(i["code"], i["location"]["record"]) for r in whole["records"] for i in r["issues"] if i["code"].startswith("shacl.")}
    assert ("shacl.unresolved-reference", "oai:cris.example.org:Patents/712178") in found
    # the contradicting copy is its own node: the person's record is not blamed for it
    assert not [f for f in found if f[1] == "oai:cris.example.org:Persons/2123455"]


def test_samples_validate_as_plain_xsd_with_no_shacl(xsd_dirs: list[Path]) -> None:
    report = validate([str(CRIS / "v1.2.0/samples")], xsd_dirs=xsd_dirs, shacl=False)
    assert errors(report) == [] and report.exit_code == 0
    assert not any(i.code.startswith("shacl.") for r in report.records for i in r.issues)


def test_engines_agree_on_the_samples(xsd_dirs: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """pyshacl-turbo, when installed, reports exactly what pySHACL does."""
    pytest.importorskip("pyshacl_turbo", reason="pyshacl-turbo is not installed")
    from crisbridge.validation import shacl

    folders = [str(CRIS / "v1.2.0/samples"), str(CRIS / "v1.1.1/samples")]
    reports = {}
    for engine in ("pyshacl", "pyshacl-turbo"):
        monkeypatch.setattr(shacl, "default_validator", lambda engine=engine: shacl.ShaclValidator(engine=engine))
        reports[engine] = validate(folders, xsd_dirs=xsd_dirs).to_json()
    assert reports["pyshacl"] == reports["pyshacl-turbo"]


def test_the_12_equipment_headers_are_an_envelope_slip(xsd_dirs: list[Path]) -> None:
    # the 1.2 sample names Equipments/82394874 oai:cris.example.org:82394874
    report = validate([str(CRIS / "v1.2.0/samples/openaire_cerif_xml_example_equipments.xml")], xsd_dirs=xsd_dirs)
    forms = [n for n in report.notes if n.code == "cross.identifier-form"]
    assert [n.location.record for n in forms] == ["oai:cris.example.org:82394874", "oai:cris.example.org:82394875"]
    assert all("the guidelines give for an Equipment (an envelope slip" in n.message for n in forms)
    assert report.exit_code == 0


def test_validator_samples_as_stored(xsd_dirs: list[Path]) -> None:
    """Most 1.2 files of validator/samples are git symlinks into the guidelines' repository,
    stored as text: reported, not failed."""
    report = validate([str(CRIS / "validator/samples")], xsd_dirs=xsd_dirs)
    assert errors(report) == []
    assert report.exit_code == 0
    assert "input.link-placeholder" in note_codes(report)
    assert "protocol.missing-response" in note_codes(report)  # Identify and ListSets are links


@pytest.fixture()
def validator_checkout(tmp_path: Path, reference: Path) -> Path:
    """The layout the validator's links expect: its samples beside guidelines-cris-managers/."""
    (tmp_path / "guidelines-cris-managers").mkdir()
    (tmp_path / "guidelines-cris-managers" / "samples").symlink_to(reference / "openaire-cris" / "v1.2.0" / "samples")
    samples = tmp_path / "openaire-cris-validator" / "samples"
    samples.mkdir(parents=True)
    for f in (reference / "openaire-cris" / "validator" / "samples").iterdir():
        (samples / f.name).symlink_to(f)
    return samples


def test_validator_samples_with_their_links_followed(validator_checkout: Path, xsd_dirs: list[Path]) -> None:
    report = validate([str(validator_checkout)], xsd_dirs=xsd_dirs)
    assert faults(report) == [SAMPLE_FAULT]  # the 1.2 files are links to the official samples
    assert report.exit_code == 1
    assert_accounted(report)
    assert "input.link-followed" in note_codes(report, Severity.INFO)
    assert "protocol.missing-response" not in note_codes(report)
    # both prefixes' records (1.1 and 1.2 share identifiers; each version is its own set)
    assert report.summary.records == 56 + 64
    assert "cross.duplicate-identifier" not in record_codes(report)


# -- the negative fixtures: one per check ---------------------------------------------------


def _fixtures() -> list[Any]:
    folders = sorted((CRIS / "validator" / "test-fixtures").glob("check_*"))
    if not folders:
        return [pytest.param(None, id="no-reference")]
    return [pytest.param(f, id=f.name) for f in folders]


@pytest.mark.parametrize("fixture", _fixtures())
def test_negative_fixture_fails_its_check(fixture: Path | None, xsd_dirs: list[Path]) -> None:
    assert fixture is not None
    expected = "protocol." + re.fullmatch(r"check_(\d[a-z])\d*", fixture.name).group(1)  # type: ignore[union-attr]
    report = validate([str(fixture)], xsd_dirs=xsd_dirs)
    codes = {code for code, _ in errors(report)}
    assert expected in codes, f"{fixture.name}: expected {expected}, got {sorted(codes)}"
    assert report.exit_code == 1
    located = [n for n in report.notes if n.code == expected]
    assert all(n.location.file and n.location.file.endswith(".xml") for n in located)


def test_identify_checks(tmp_path: Path, xsd_dirs: list[Path]) -> None:
    text = (CRIS / "v1.2.0/samples/openaire_oaipmh_example_Identify.xml").read_text(encoding="utf-8")
    (tmp_path / "Identify.xml").write_text(text.replace("<Acronym>cris.example.org</Acronym>", "<Acronym>other</Acronym>"), encoding="utf-8")
    report = validate([str(tmp_path)], xsd_dirs=xsd_dirs)
    assert "protocol.1c" in {code for code, _ in errors(report)}
    (tmp_path / "Identify.xml").write_text(re.sub(r"<description>\s*<oai-identifier.*?</description>", "", text, flags=re.S), encoding="utf-8")
    report = validate([str(tmp_path)], xsd_dirs=xsd_dirs)
    assert "protocol.1b" in {code for code, _ in errors(report)}


def test_sets_check(tmp_path: Path, xsd_dirs: list[Path]) -> None:
    text = (CRIS / "v1.2.0/samples/openaire_oaipmh_example_ListSets.xml").read_text(encoding="utf-8")
    (tmp_path / "ListSets.xml").write_text(text.replace("openaire_cris_events", "openaire_cris_happenings"), encoding="utf-8")
    report = validate([str(tmp_path)], xsd_dirs=xsd_dirs)
    assert [m for code, m in errors(report) if code == "protocol.3"] and "openaire_cris_events" in errors(report)[0][1]


# -- cross-record checks on broken copies of the samples ------------------------------------


@pytest.fixture()
def samples_copy(tmp_path: Path, reference: Path) -> Path:
    """The 1.2 samples with their one fault mended (SAMPLE_FAULT: the check digit is 9), so a
    test sees only the breakage it makes."""
    folder = tmp_path / "cris"
    shutil.copytree(reference / "openaire-cris" / "v1.2.0" / "samples", folder)
    _edit(folder / "openaire_cerif_xml_example_persons.xml", "0009-0000-0000-0000", "0009-0000-0000-0009")
    assert not faults(validate([str(folder)], xsd_dirs=[reference / "openaire-cris"]))
    return folder


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _failed(report: Report) -> dict[str, list[str]]:
    return {r.source_id or "": [i.code for i in r.issues if i.severity is Severity.ERROR] for r in report.records if r.status is Status.FAILED}


def test_duplicate_identifier(samples_copy: Path, xsd_dirs: list[Path]) -> None:
    text = (samples_copy / "openaire_cerif_xml_example_events.xml").read_text(encoding="utf-8")
    record = re.search(r"<record>.*?</record>", text, flags=re.S).group(0)  # type: ignore[union-attr]
    (samples_copy / "openaire_cerif_xml_example_events.xml").write_text(text.replace(record, record + record, 1), encoding="utf-8")
    report = validate([str(samples_copy)], xsd_dirs=xsd_dirs)
    assert _failed(report) == {"oai:cris.example.org:Events/583475": ["cross.duplicate-identifier"]}
    assert report.exit_code == 1


def test_unresolved_reference(samples_copy: Path, xsd_dirs: list[Path]) -> None:
    # the embedded author Persons/2123455 points nowhere once the person record is gone
    text = (samples_copy / "openaire_cerif_xml_example_persons.xml").read_text(encoding="utf-8")
    record = re.search(r"<record>(?:(?!</record>).)*Persons/2123455\".*?</record>", text, flags=re.S).group(0)  # type: ignore[union-attr]
    (samples_copy / "openaire_cerif_xml_example_persons.xml").write_text(text.replace(record, ""), encoding="utf-8")
    report = validate([str(samples_copy)], xsd_dirs=xsd_dirs)
    issues = [i for r in report.records for i in r.issues if i.code == "cross.unresolved-reference"]
    assert issues and all("Persons/2123455" in i.message for i in issues)
    assert issues[0].location.xpath == "/Publication/Authors/Author[1]/Person"
    assert report.exit_code == 1


def test_embedded_copy_contradicting_the_record(samples_copy: Path, xsd_dirs: list[Path]) -> None:
    _edit(samples_copy / "openaire_cerif_xml_example_publications.xml", "<FamilyNames>Hoogerwerf</FamilyNames>", "<FamilyNames>Hogerwerf</FamilyNames>")
    report = validate([str(samples_copy)], xsd_dirs=xsd_dirs)
    (issue,) = [i for r in report.records for i in r.issues if i.code == "cross.conflict"]
    assert issue.location.record == "oai:cris.example.org:Publications/812348"
    assert issue.location.xpath == "/Publication/Authors/Author[1]/Person/PersonName/FamilyNames"
    assert issue.location.value == "Hogerwerf" and "'Hoogerwerf'" in issue.message
    # In the CRIS's one graph the copy is a node of its own that names the person's
    # (docs/rdf-vocabulary.md 3), so the person's record keeps its one family name and is not
    # blamed; the cross-record check names the copy at fault.
    assert _failed(report) == {"oai:cris.example.org:Publications/812348": ["cross.conflict"]}
    assert not [i for r in report.records for i in r.issues if i.code == "shacl.max-count"]


def test_embedded_copy_holding_more_than_the_record(samples_copy: Path, xsd_dirs: list[Path]) -> None:
    _edit(samples_copy / "openaire_cerif_xml_example_publications.xml",
          "<FamilyNames>Hoogerwerf</FamilyNames>\n\t\t\t\t\t\t\t\t\t<FirstNames>Maarten</FirstNames>\n\t\t\t\t\t\t\t\t</PersonName>",
          "<FamilyNames>Hoogerwerf</FamilyNames>\n<FirstNames>Maarten</FirstNames>\n</PersonName><ORCID>https://orcid.org/0000-0002-1825-0097</ORCID>")
    report = validate([str(samples_copy)], xsd_dirs=xsd_dirs)
    (issue,) = [i for r in report.records for i in r.issues if i.code == "cross.embedded-extra"]
    assert issue.location.xpath == "/Publication/Authors/Author[1]/Person/ORCID"
    assert report.exit_code == 1


def test_xsd_errors_stay_with_their_record(samples_copy: Path, xsd_dirs: list[Path]) -> None:
    _edit(samples_copy / "openaire_cerif_xml_example_events.xml", "<Acronym>", "<Nickname>x</Nickname><Acronym>")
    _edit(samples_copy / "openaire_cerif_xml_example_orgunits.xml", "<responseDate>", "<bogus/><responseDate>")
    report = validate([str(samples_copy)], xsd_dirs=xsd_dirs)
    assert _failed(report) == {"oai:cris.example.org:Events/583475": ["xsd.invalid"]}
    envelope = [n for n in report.notes if n.code == "xsd.envelope"]
    assert envelope and envelope[0].location.file and envelope[0].location.file.endswith("orgunits.xml")


def test_bare_entities_and_broken_files(tmp_path: Path, xsd_dirs: list[Path]) -> None:
    ns = "https://www.openaire.eu/cerif-profile/1.1/"
    (tmp_path / "ok.xml").write_text(f'<OrgUnit xmlns="{ns}" id="1"><Acronym>A</Acronym><Name xml:lang="en">A</Name></OrgUnit>', encoding="utf-8")
    (tmp_path / "bad.xml").write_text(f'<OrgUnit xmlns="{ns}" id="2"><Name>no language</Name></OrgUnit>', encoding="utf-8")
    (tmp_path / "broken.xml").write_text(f'<OrgUnit xmlns="{ns}" id="3">', encoding="utf-8")
    (tmp_path / "dc.xml").write_text('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"/>', encoding="utf-8")
    report = validate([str(tmp_path)], xsd_dirs=xsd_dirs)
    assert_accounted(report)
    by_file = {Path(r.source).name: (r.status, [i.code for i in r.issues]) for r in report.records}
    assert by_file == {
        "ok.xml": (Status.CONVERTED, []),
        "bad.xml": (Status.FAILED, ["xsd.invalid"]),
        "broken.xml": (Status.FAILED, ["xml.not-well-formed"]),
        "dc.xml": (Status.FAILED, ["input.not-cerif"]),
    }
    assert report.records[[Path(r.source).name for r in report.records].index("ok.xml")].entities == ["OrgUnits/1"]


def test_without_schemas_the_xsd_is_reported_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, reference: Path) -> None:
    monkeypatch.setenv("CRISBRIDGE_CACHE_DIR", str(tmp_path / "empty-cache"))
    report = validate([str(reference / "openaire-cris" / "v1.2.0" / "samples")])
    assert "xsd.unavailable" in note_codes(report)
    assert faults(report) == [SAMPLE_FAULT]


# -- schemas fetch from a local mirror ------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture()
def mirror(tmp_path: Path, reference: Path) -> Iterator[str]:
    """The official schemas served as https://www.openaire.eu/schema/cris/ lays them out."""
    root = tmp_path / "mirror"
    root.mkdir()
    (root / "1.2").symlink_to(reference / "openaire-cris" / "v1.2.0" / "schemas")
    (root / "1.1").symlink_to(reference / "openaire-cris" / "v1.1.1" / "schemas")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_fetch_fills_the_cache_and_validate_uses_it(mirror: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, samples_copy: Path) -> None:
    monkeypatch.setenv("CRISBRIDGE_CACHE_DIR", str(tmp_path / "cache"))
    result = fetch(mirror)
    assert result.ok, [v.problem for v in result.versions]
    for version in ("1.2", "1.1"):
        folder = tmp_path / "cache" / "schemas" / version
        assert {"openaire-cerif-profile.xsd", "includes/cerif-commons.xsd", "cached/xml.xsd", "cached/OAI-PMH.xsd", "cached/oai-identifier.xsd"} <= {
            str(p.relative_to(folder)) for p in folder.rglob("*.xsd")}
    _edit(samples_copy / "openaire_cerif_xml_example_events.xml", "<Acronym>", "<Nickname>x</Nickname><Acronym>")
    report = validate([str(samples_copy)])
    assert _failed(report) == {"oai:cris.example.org:Events/583475": ["xsd.invalid"]}
    assert "xsd.unavailable" not in note_codes(report)
    # the fetched catalog answers CHECKS 2j offline
    assert "protocol.2j" not in note_codes(report, Severity.INFO)


def test_fetch_reports_what_the_mirror_lacks(mirror: str, tmp_path: Path) -> None:
    result = fetch(mirror + "nothing-here/", dest=tmp_path / "cache")
    assert not result.ok
    assert all("HTTP 404" in (v.problem or "") for v in result.versions)
    assert not (tmp_path / "cache" / "1.2").exists()


# -- the command line ------------------------------------------------------------------------


def test_cli_validate_writes_the_library_report(tmp_path: Path, xsd_dirs: list[Path]) -> None:
    target = str(CRIS / "validator" / "test-fixtures" / "check_2h")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["validate", target, "--report", str(out), "--xsd-dir", str(xsd_dirs[0])])
    assert result.exit_code == 1, result.output
    assert json.loads(out.read_text(encoding="utf-8")) == validate([target], xsd_dirs=xsd_dirs).to_json()
    assert "protocol.2h" in result.output


def test_cli_validate_exit_codes(tmp_path: Path, xsd_dirs: list[Path]) -> None:
    ok = CliRunner().invoke(app, ["validate", str(CRIS / "v1.1.1" / "samples"), "--xsd-dir", str(xsd_dirs[0])])
    assert ok.exit_code == 0, ok.output
    bad_dir = CliRunner().invoke(app, ["validate", str(CRIS / "v1.1.1" / "samples"), "--xsd-dir", str(tmp_path)])
    assert bad_dir.exit_code == 2
    assert "openaire-cerif-profile.xsd" in bad_dir.output


def test_cli_schemas_fetch(mirror: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRISBRIDGE_CACHE_DIR", str(tmp_path / "cache"))
    result = CliRunner().invoke(app, ["schemas", "fetch", "--url", mirror])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cache" / "schemas" / "1.2" / "openaire-cerif-profile.xsd").is_file()
    failed = CliRunner().invoke(app, ["schemas", "fetch", "--url", mirror + "missing/"])
    assert failed.exit_code == 1


def test_what_the_model_cannot_carry_is_only_information(tmp_path: Path, xsd_dirs: list[Path]) -> None:
    ns = "https://www.openaire.eu/cerif-profile/1.2/"
    (tmp_path / "p.xml").write_text(
        f'<Person xmlns="{ns}" id="Persons/1"><Classification scheme="https://example.org/s">https://example.org/s#x</Classification></Person>',
        encoding="utf-8")
    report = validate([str(tmp_path / "p.xml")], xsd_dirs=xsd_dirs)
    assert [(i.code, i.severity) for r in report.records for i in r.issues] == [("cerif.not-read", Severity.INFO)]
    assert report.exit_code == 0


def test_hostile_documents_fail_alone(tmp_path: Path, xsd_dirs: list[Path]) -> None:
    ns = "https://www.openaire.eu/cerif-profile/1.2/"
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    body = f'<Publication xmlns="{ns}" id="Publications/1"><Title>&x;</Title></Publication>'
    (tmp_path / "xxe.xml").write_text(f'<!DOCTYPE p [<!ENTITY x SYSTEM "{secret.as_uri()}">]>{body}', encoding="utf-8")
    (tmp_path / "bomb.xml").write_text('<!DOCTYPE p [<!ENTITY y "yy"><!ENTITY x "&y;&y;&y;&y;">]>' + body, encoding="utf-8")
    (tmp_path / "dtd.xml").write_text(f'<!DOCTYPE p SYSTEM "http://127.0.0.1:9/p.dtd">{body}', encoding="utf-8")
    (tmp_path / "latin1.xml").write_bytes(f'<OrgUnit xmlns="{ns}" id="OrgUnits/1"><Acronym>caf\xe9</Acronym></OrgUnit>'.encode("latin-1"))
    (tmp_path / "ok.xml").write_text(f'<OrgUnit xmlns="{ns}" id="OrgUnits/2"><Acronym>A</Acronym><Name xml:lang="en">A</Name></OrgUnit>', encoding="utf-8")
    report = validate([str(tmp_path)], xsd_dirs=xsd_dirs)
    by_file = {Path(r.source).name: [i.code for i in r.issues] for r in report.records}
    assert by_file == {"bomb.xml": ["xml.entity-declared"], "dtd.xml": ["xml.external-dtd"], "latin1.xml": ["xml.not-well-formed"],
                       "ok.xml": [], "xxe.xml": ["xml.entity-declared"]}
    assert "TOP-SECRET" not in json.dumps(report.to_json())


def test_shacl_by_default_and_opt_out(tmp_path: Path, xsd_dirs: list[Path]) -> None:
    """validate runs model -> RDF -> shapes unless told --no-shacl; a SHACL result keeps its
    focus node and shape, and goes to its record."""
    ns = "https://www.openaire.eu/cerif-profile/1.2/"
    # the XSD accepts an empty Publication; the guidelines (and the shapes) want a Type
    (tmp_path / "p.xml").write_text(f'<Publication xmlns="{ns}" id="Publications/1"/>', encoding="utf-8")
    plain = validate([str(tmp_path)], xsd_dirs=xsd_dirs, shacl=False)
    assert plain.exit_code == 0
    report = validate([str(tmp_path)], xsd_dirs=xsd_dirs)
    shacl = [i for r in report.records for i in r.issues if i.code.startswith("shacl.")]
    assert shacl and all(i.location.focus_node and i.location.shape for i in shacl)
    assert {i.location.record for i in shacl} == {"Publications/1"}
    assert report.exit_code == 1
    result = CliRunner().invoke(app, ["validate", str(tmp_path), "--xsd-dir", str(xsd_dirs[0])])
    assert result.exit_code == 1 and "shacl." in result.output
    result = CliRunner().invoke(app, ["validate", str(tmp_path), "--no-shacl", "--xsd-dir", str(xsd_dirs[0])])
    assert result.exit_code == 0 and "shacl." not in result.output


def test_references_resolve_across_the_files_of_a_folder(tmp_path: Path, xsd_dirs: list[Path]) -> None:
    """A bare <Funding id=".."/> resolves to the funding record in another file of the folder;
    validated without it, it does not, and is reported on the publication that refers to it."""
    ns = "https://www.openaire.eu/cerif-profile/1.2/"
    coar = "http://purl.org/coar/resource_type/c_6501"
    (tmp_path / "p.xml").write_text(
        f'<Publication xmlns="{ns}" id="Publications/1"><Type xmlns="https://www.openaire.eu/cerif-profile/vocab/COAR_Publication_Types">{coar}</Type>'
        f'<Title xml:lang="en">T</Title><OriginatesFrom><Funding id="Fundings/1"/></OriginatesFrom></Publication>', encoding="utf-8")
    (tmp_path / "f.xml").write_text(
        f'<Funding xmlns="{ns}" id="Fundings/1"><Type xmlns="https://www.openaire.eu/cerif-profile/vocab/OpenAIRE_Funding_Types">'
        'https://www.openaire.eu/cerif-profile/vocab/OpenAIRE_Funding_Types#Grant</Type><Name xml:lang="en">F</Name></Funding>', encoding="utf-8")
    (tmp_path / "o.xml").write_text(f'<OrgUnit xmlns="{ns}" id="OrgUnits/1"><Name xml:lang="en">O</Name></OrgUnit>', encoding="utf-8")
    report = validate([str(tmp_path)], xsd_dirs=xsd_dirs)
    assert faults(report) == [] and report.exit_code == 0, report.to_json()
    (tmp_path / "f.xml").unlink()
    report = validate([str(tmp_path)], xsd_dirs=xsd_dirs)
    # no Funding record at all: neither check can resolve it, and both say so
    assert faults(report) == []
    assert {"cross.reference-not-checked", "shacl.reference-not-checked"} <= note_codes(report, Severity.INFO)
    (tmp_path / "f.xml").write_text(f'<Funding xmlns="{ns}" id="Fundings/2"><Name xml:lang="en">F</Name></Funding>', encoding="utf-8")
    report = validate([str(tmp_path)], xsd_dirs=xsd_dirs)
    assert ("shacl.unresolved-reference", "Publications/1", "https://crisbridge.local/Fundings/1") in faults(report)
    assert ("cross.unresolved-reference", "Publications/1", None) in faults(report)
