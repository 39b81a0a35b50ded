"""The command line as DESIGN section 4 draws it (a contract: outside checks call exactly this).

The CLI runs in a subprocess, as a user or an acceptance check would run it. Inputs are real
harvests copied from the shared reference into tmp_path: a Zenodo ListRecords response (with
a deleted header that carries metadata and a resumption token), a DSpace response with
deleted headers, single DataCite and Dublin Core records, and the example harvest the
project ships.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from crisbridge.issues import Issue
from crisbridge.pipeline import Converter, RecordResult
from crisbridge.report import RecordReport, Report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "harvest.xml"
OAI = "http://www.openarchives.org/OAI/2.0/"
CERIF_12 = "https://www.openaire.eu/cerif-profile/1.2/"
CERIF_11 = "https://www.openaire.eu/cerif-profile/1.1/"
SETS = {
    "Publication": "openaire_cris_publications",
    "Product": "openaire_cris_products",
    "Patent": "openaire_cris_patents",
}
HARVEST = {
    "zenodo-list-records.xml": "zenodo-oaipmh-scythe/responses/2024-01_c61fab3/list_records_00_ListRecords_oai_dc.xml",
    "dspace-deleted.xml": "dspace-eur-pyoai/original/fake2/00000.xml",
    "zenodo-datacite.xml": "zenodo-oaipmh-scythe/records/datacite4/oai_zenodo.org_10357859.xml",
    "dlibra.xml": "openaire-dnet-hadoop/records/oai_dc/oai_lib.psnc.pl_169.xml",
    "dspace.xml": "dspace-eur-pyoai/records/oai_dc/hdl_1765_1131.xml",
}


def crisbridge(*args: str, stdin: bytes | None = None, module: bool = True, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run the CLI: as ``python -m crisbridge`` or as the installed ``crisbridge`` script."""
    if module:
        command = [sys.executable, "-m", "crisbridge"]
    else:
        script = Path(sys.executable).parent / ("crisbridge.exe" if os.name == "nt" else "crisbridge")
        assert script.is_file(), f"the crisbridge script is not installed beside {sys.executable}"
        command = [str(script)]
    # Run outside the checkout by default: "python -m" puts the working folder first on
    # sys.path, and in the checkout that would be the source tree, not the installed package.
    return subprocess.run([*command, *args], input=stdin if stdin is not None else b"", capture_output=True, timeout=600,
                          cwd=cwd or Path(tempfile.gettempdir()))


@pytest.fixture()
def harvest(tmp_path: Path, reference: Path) -> Path:
    folder = tmp_path / "harvest"
    folder.mkdir()
    for name, rel in HARVEST.items():
        shutil.copy(reference / "real-records" / rel, folder / name)
    shutil.copy(EXAMPLE, folder / "example.xml")
    return folder


def _entities(document: Any) -> list[tuple[Any, Any]]:
    """(header, entity) for every record that has metadata."""
    out = []
    for record in document.iter(f"{{{OAI}}}record"):
        metadata = record.find(f"{{{OAI}}}metadata")
        if metadata is not None:
            out.append((record.find(f"{{{OAI}}}header"), metadata[0]))
    return out


# -- -o FILE ------------------------------------------------------------------------------


def test_output_file_is_one_valid_list_records_document(harvest: Path, tmp_path: Path, oai_pmh_schema: Any, schema_12: Any) -> None:
    out, report_file = tmp_path / "out.xml", tmp_path / "report.json"
    run = crisbridge("convert", str(harvest), "-o", str(out), "--report", str(report_file), "--oai-host", "cris.example.org")
    assert run.returncode == 0, run.stderr.decode()
    report = json.loads(report_file.read_text(encoding="utf-8"))
    document = etree.parse(str(out))
    assert oai_pmh_schema.validate(document), oai_pmh_schema.error_log

    root = document.getroot()
    request = root.find(f"{{{OAI}}}request")
    assert request.get("verb") == "ListRecords"
    assert request.get("metadataPrefix") == "oai_cerif_openaire_v1_2"
    records = root.findall(f"{{{OAI}}}ListRecords/{{{OAI}}}record")

    # one <record> per top-level entity, and one deleted header per deleted source record
    converted = [r for r in report["records"] if r["status"] == "converted"]
    deleted = [r for r in report["records"] if r["status"] == "deleted"]
    assert len(records) == sum(len(r["entities"]) for r in converted) + len(deleted)
    assert len(deleted) == 3  # DSpace 2 (no metadata), Zenodo 1 (with metadata)

    headers = [r.find(f"{{{OAI}}}header") for r in records]
    deleted_headers = [h for h in headers if h.get("status") == "deleted"]
    assert len(deleted_headers) == len(deleted)
    for header in deleted_headers:
        assert header.getparent().find(f"{{{OAI}}}metadata") is None
    assert sorted(h.findtext(f"{{{OAI}}}identifier") for h in deleted_headers) == sorted(
        f"oai:cris.example.org:{r['entities'][0]}" for r in deleted
    )

    ids = set()
    for header, entity in _entities(document):
        kind = etree.QName(entity).localname
        assert etree.QName(entity).namespace == CERIF_12
        entity_id = entity.get("id")
        # oai:{host}:{Type}s/{id}, the same value as @id
        assert re.fullmatch(rf"{kind}s/[0-9a-f-]{{36}}", entity_id), entity_id
        assert header.findtext(f"{{{OAI}}}identifier") == f"oai:cris.example.org:{entity_id}"
        assert [s.text for s in header.findall(f"{{{OAI}}}setSpec")] == [SETS[kind]]
        assert schema_12.validate(entity), (entity_id, schema_12.error_log)
        ids.add(entity_id)
    assert ids == {e for r in converted for e in r["entities"]}


def test_output_folder_holds_one_file_per_entity(harvest: Path, tmp_path: Path, schema_12: Any) -> None:
    out, report_file = tmp_path / "entities", tmp_path / "report.json"
    run = crisbridge("convert", str(harvest), "-o", f"{out}/", "--report", str(report_file))
    assert run.returncode == 0, run.stderr.decode()
    report = json.loads(report_file.read_text(encoding="utf-8"))
    expected = {e for r in report["records"] if r["status"] == "converted" for e in r["entities"]}
    files = sorted(p for p in out.rglob("*.xml"))
    assert {str(p.relative_to(out).with_suffix("")).replace(os.sep, "/") for p in files} == expected
    for path in files:
        entity = etree.parse(str(path)).getroot()
        assert entity.get("id") == str(path.relative_to(out).with_suffix("")).replace(os.sep, "/")
        assert schema_12.validate(entity), (path, schema_12.error_log)
    deleted = {r["entities"][0] for r in report["records"] if r["status"] == "deleted"}
    listed = {line.split("\t")[0] for line in (out / "deleted.txt").read_text(encoding="utf-8").splitlines()}
    assert listed == deleted


def test_standard_output_and_standard_input(harvest: Path, oai_pmh_schema: Any) -> None:
    data = (harvest / "zenodo-list-records.xml").read_bytes()
    run = crisbridge("convert", "-", stdin=data)
    assert run.returncode == 0, run.stderr.decode()
    assert run.stderr == b""  # piped: nothing but the document, and no chatter on stderr
    document = etree.fromstring(run.stdout)
    assert oai_pmh_schema.validate(document), oai_pmh_schema.error_log
    from_file = crisbridge("convert", str(harvest / "zenodo-list-records.xml"))
    assert _without_response_date(run.stdout) == _without_response_date(from_file.stdout)


def _without_response_date(xml: bytes) -> bytes:
    return re.sub(rb"<responseDate>[^<]*</responseDate>", b"", xml)


# -- the report -------------------------------------------------------------------------


@pytest.fixture()
def broken_harvest(harvest: Path) -> Path:
    (harvest / "cut.xml").write_bytes((harvest / "dspace.xml").read_bytes()[:400])
    (harvest / "not-a-record.xml").write_bytes(b"<html><body>Service unavailable</body></html>")
    return harvest


def test_report_accounts_for_every_record(broken_harvest: Path, tmp_path: Path) -> None:
    report_file = tmp_path / "report.json"
    run = crisbridge("convert", str(broken_harvest), "-o", str(tmp_path / "out.xml"), "--report", str(report_file))
    assert run.returncode == 1  # some records failed; the rest is still written
    data = json.loads(report_file.read_text(encoding="utf-8"))
    s = data["summary"]
    assert s["records"] == s["converted"] + s["deleted"] + s["failed"] == len(data["records"])
    assert s["failed"] == 2 and s["deleted"] == 3 and s["converted"] >= 5
    all_issues = [i for r in data["records"] for i in r["issues"]] + data.get("notes", [])
    assert s["errors"] == sum(i["severity"] == "error" for i in all_issues)
    assert s["warnings"] == sum(i["severity"] == "warning" for i in all_issues)
    for record in data["records"]:
        assert {"source", "source_id", "status", "entities", "issues"} <= set(record), record
        assert record["status"] in ("converted", "deleted", "failed")
        if record["status"] == "failed":
            assert any(i["severity"] == "error" for i in record["issues"]), record
        for issue in record["issues"]:
            assert {"code", "severity", "message", "location"} <= set(issue), issue
            assert issue["severity"] in ("error", "warning", "info")
            assert re.fullmatch(r"[a-z]+(\.[a-z0-9-]+)+", issue["code"]), issue["code"]
            assert isinstance(issue["location"], dict)
            assert issue["location"].get("file") == record["source"]
    failed = {Path(r["source"]).name: r for r in data["records"] if r["status"] == "failed"}
    assert set(failed) == {"cut.xml", "not-a-record.xml"}
    assert failed["cut.xml"]["source_id"] is None
    assert [i["code"] for i in failed["not-a-record.xml"]["issues"]] == ["input.unknown-format"]


def test_report_of_the_cli_equals_what_the_library_returns(broken_harvest: Path, tmp_path: Path) -> None:
    report_file = tmp_path / "report.json"
    crisbridge("convert", str(broken_harvest), "-o", str(tmp_path / "out.xml"), "--report", str(report_file))
    data = json.loads(report_file.read_text(encoding="utf-8"))

    results = list(Converter().convert([str(broken_harvest)]))
    library = [r.report() for r in results if isinstance(r, RecordResult)]
    notes = [r for r in results if isinstance(r, Issue)]
    assert [RecordReport.model_validate(r) for r in data["records"]] == library
    assert [Issue.model_validate(n) for n in data["notes"]] == notes
    tally = Report()
    for entry in library:
        tally.add(entry)
    for note in notes:
        tally.note(note)
    assert data["summary"] == tally.summary.model_dump()
    # and the JSON itself is the library's JSON, key for key
    assert data["records"] == [json.loads(json.dumps(Report(records=[e]).to_json()["records"][0])) for e in library]


def test_report_is_the_same_with_several_workers(broken_harvest: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    crisbridge("convert", str(broken_harvest), "-o", str(tmp_path / "1.xml"), "--report", str(one))
    crisbridge("convert", str(broken_harvest), "-o", str(tmp_path / "2.xml"), "--report", str(two), "--workers", "2")
    assert json.loads(one.read_text(encoding="utf-8")) == json.loads(two.read_text(encoding="utf-8"))
    assert _without_response_date((tmp_path / "1.xml").read_bytes()) == _without_response_date((tmp_path / "2.xml").read_bytes())


# -- exit codes ---------------------------------------------------------------------------


def test_exit_0_when_every_record_converted() -> None:
    run = crisbridge("convert", str(EXAMPLE))
    assert run.returncode == 0, run.stderr.decode()


@pytest.mark.parametrize(
    "args",
    [
        ["--cerif-version", "1.3"],
        ["--to", "marcxml"],
        ["--from", "mods"],
        ["--rdf-format", "rdfxml"],
        ["--workers", "0"],
        ["--no-such-option"],
    ],
    ids=lambda a: " ".join(a),
)
def test_exit_2_for_unknown_option_values(args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out.xml"
    run = crisbridge("convert", str(EXAMPLE), "-o", str(out), *args)
    assert run.returncode == 2, (args, run.stderr.decode())
    assert run.stderr.strip() and b"Traceback" not in run.stderr
    assert not out.exists()


def test_exit_2_for_a_broken_mapping_file(tmp_path: Path) -> None:
    mapping = tmp_path / "local.yaml"
    mapping.write_text("extends: oai_dc\nrules:\n  - match: dc:type\n    to: type\n    transform: lookup\n    table: nope\n", encoding="utf-8")
    run = crisbridge("convert", str(EXAMPLE), "--mapping", str(mapping))
    assert run.returncode == 2
    assert f"{mapping}:6: unknown table 'nope'".encode() in run.stderr  # the line of table:, not of the rule
    assert run.stdout == b""


def test_exit_2_for_an_override_rule_that_can_never_match(tmp_path: Path) -> None:
    """dc:titel loads and compiles, but no record has it: convert refuses the file as
    `mappings check` judges it, rather than converting as if the rule were absent."""
    mapping = tmp_path / "local.yaml"
    mapping.write_text("extends: oai_dc\nrules:\n  - name: local-title\n    match: dc:titel\n    to: titles\n", encoding="utf-8")
    for target in ("cerif", "datacite"):
        run = crisbridge("convert", str(EXAMPLE), "--to", target, "--mapping", str(mapping))
        assert run.returncode == 2 and run.stdout == b""
        assert f"{mapping}:4: ".encode() in run.stderr and b"rule 'local-title': dc:titel" in run.stderr and b"did you mean title?) [lint.unknown-element]" in run.stderr
    # a warning (a table the transform never reads) does not stop a run
    mapping.write_text("extends: oai_dc\nrules:\n  - name: local-title\n    match: dc:title\n    to: titles\n"
                       "    transform: lang_text\n    table: languages\n", encoding="utf-8")
    assert crisbridge("convert", str(EXAMPLE), "--mapping", str(mapping)).returncode == 0


def test_output_dash_is_standard_output(tmp_path: Path) -> None:
    """`-o -` writes the records to standard output, as `-` means for inputs and --report; it
    used to create a file named "-" in the working folder."""
    run = crisbridge("convert", str(EXAMPLE), "-o", "-", "--report", str(tmp_path / "r.json"), cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.startswith(b"<?xml") and b"<ListRecords>" in run.stdout
    assert not (tmp_path / "-").exists()
    # and it is standard output for --report's clash check too
    assert crisbridge("convert", str(EXAMPLE), "-o", "-", "--report", "-", cwd=tmp_path).returncode == 2


def test_exit_2_without_inputs_and_for_an_unknown_command() -> None:
    assert crisbridge("convert").returncode == 2
    assert crisbridge("transmogrify").returncode == 2


def test_a_missing_input_is_a_failed_record_not_a_crash(tmp_path: Path) -> None:
    report_file = tmp_path / "r.json"
    run = crisbridge("convert", str(tmp_path / "missing.xml"), str(EXAMPLE), "-o", str(tmp_path / "o.xml"), "--report", str(report_file))
    assert run.returncode == 1
    data = json.loads(report_file.read_text(encoding="utf-8"))
    assert data["records"][0]["status"] == "failed"
    assert data["records"][0]["issues"][0]["code"] == "input.missing"
    assert data["summary"]["converted"] == 2


# -- python -m, versions, terminals -------------------------------------------------------


def test_python_m_crisbridge_behaves_as_the_crisbridge_command(harvest: Path, tmp_path: Path) -> None:
    runs = {}
    for module in (True, False):
        report = tmp_path / f"{module}.json"
        run = crisbridge("convert", str(harvest), "--report", str(report), module=module)
        runs[module] = (run.returncode, _without_response_date(run.stdout), run.stderr, json.loads(report.read_text(encoding="utf-8")))
    assert runs[True] == runs[False]
    for args in (["--version"], ["mappings", "list"], ["mappings", "schema"]):
        assert crisbridge(*args).stdout == crisbridge(*args, module=False).stdout, args
    for args in (["convert", str(EXAMPLE), "--cerif-version", "2.0"], ["mappings", "check", str(tmp_path / "missing.yaml")]):
        assert crisbridge(*args).returncode == crisbridge(*args, module=False).returncode == 2


def test_version_is_the_package_version() -> None:
    import crisbridge as package

    assert crisbridge("--version").stdout.decode().strip() == package.__version__


def test_cerif_1_1_output_is_valid_against_the_1_1_xsd(harvest: Path, tmp_path: Path, oai_pmh_schema: Any, schema_11: Any) -> None:
    out = tmp_path / "out-1.1.xml"
    run = crisbridge("convert", str(harvest), "-o", str(out), "--cerif-version", "1.1")
    assert run.returncode == 0, run.stderr.decode()
    document = etree.parse(str(out))
    assert oai_pmh_schema.validate(document), oai_pmh_schema.error_log
    assert document.find(f"{{{OAI}}}request").get("metadataPrefix") == "oai_cerif_openaire_v1_1"
    entities = _entities(document)
    assert len(entities) >= 5
    for _, entity in entities:
        assert etree.QName(entity).namespace == CERIF_11
        assert schema_11.validate(entity), (entity.get("id"), schema_11.error_log)


def test_quiet_when_piped_and_progress_on_a_terminal(reference: Path, tmp_path: Path) -> None:
    corpus = reference / "real-records"  # 1000+ records: the progress counter would show
    piped = crisbridge("convert", str(corpus), "-o", str(tmp_path / "piped.xml"))
    text = piped.stderr.decode()
    assert "\r" not in text
    # no progress: only why records failed (one line each, at most 20, then a count) and the
    # one-line summary of a run that wrote a file
    *failures, summary = text.splitlines()
    assert re.fullmatch(r"\d+ records: \d+ converted, \d+ deleted, \d+ failed; \d+ errors?, \d+ warnings?", summary)
    assert 1 <= len(failures) <= 21
    assert all(line.startswith("crisbridge: ") for line in failures)
    assert failures[-1].startswith("crisbridge: ... and ") and failures[-1].endswith("more failed records (--report FILE lists them all)")
    quiet = crisbridge("convert", str(corpus)).stderr.decode()  # the document on stdout
    assert quiet.splitlines() == failures  # and only why records failed on stderr

    if os.name != "posix":
        return
    import pty

    leader, follower = pty.openpty()
    try:
        with open(tmp_path / "tty.xml", "wb") as stdout:
            proc = subprocess.run([sys.executable, "-m", "crisbridge", "convert", str(corpus)], stdout=stdout, stderr=follower, stdin=subprocess.DEVNULL, timeout=600)
        os.close(follower)
        follower = -1
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    assert proc.returncode in (0, 1)
    assert b"200 records" in shown  # the same run on a terminal does show its progress


def test_an_output_that_would_destroy_an_input_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "harvest.xml"
    shutil.copy(EXAMPLE, source)
    before = source.read_bytes()
    for args in (["-o", str(source)], ["-o", str(tmp_path / "o.xml"), "--report", str(source)], ["-o", str(tmp_path / "x"), "--report", str(tmp_path / "x")]):
        run = crisbridge("convert", str(source), *args)
        assert run.returncode == 2, args
        assert b"destroy" in run.stderr or b"name the same file" in run.stderr
    assert source.read_bytes() == before


def test_a_failed_record_says_why_on_standard_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<oai_dc:dc")
    run = crisbridge("convert", str(EXAMPLE), str(broken), "-o", str(tmp_path / "o.xml"))
    assert run.returncode == 1
    lines = run.stderr.decode().splitlines()
    assert lines[0].startswith(f"crisbridge: {broken}: xml.not-well-formed: not well-formed XML")
    assert lines[0].count(str(broken)) == 1  # the message's own copy of the file name is left out
    assert lines[1] == "4 records: 2 converted, 1 deleted, 1 failed; 1 error, 0 warnings"


@pytest.mark.parametrize("report", ["file", "-"])
def test_after_twenty_reasons_the_rest_are_counted(tmp_path: Path, reference: Path, report: str) -> None:
    """The real-record corpus has more than twenty records that fail on their own: twenty
    reasons are printed, then one line counting the rest and saying where they all are."""
    target = str(tmp_path / "r.json") if report == "file" else "-"
    run = crisbridge("convert", str(reference / "real-records"), "-o", str(tmp_path / "o.xml"), "--report", target)
    lines = run.stderr.decode().splitlines()
    failed = json.loads(Path(target).read_text() if report == "file" else run.stdout)["summary"]["failed"]
    assert failed > 20 and sum(line.startswith("crisbridge: ") and "..." not in line for line in lines) == 20
    where = f"(see {target})" if report == "file" else "(the report lists them all)"
    assert f"crisbridge: ... and {failed - 20} more failed records {where}" in lines


# -- where the output and the report go ---------------------------------------------------

COMMANDS = {  # each command's own arguments beside an input and --report
    "convert": ["-o", "{tmp}/out/o.xml"],
    "validate": ["--no-shacl"],
    "roundtrip": [],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_report_parent_folders_are_made_as_the_outputs_are(command: str, tmp_path: Path) -> None:
    args = [a.format(tmp=tmp_path) for a in COMMANDS[command]]
    report = tmp_path / "new" / "deeper" / "report.json"
    run = crisbridge(command, str(EXAMPLE), *args, "--report", str(report))
    assert run.returncode in (0, 1), run.stderr.decode()
    assert b"Traceback" not in run.stderr
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["records"] == 3


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("where", ["folder", "under-a-file", "proc"])
def test_a_report_that_cannot_be_written_is_a_usage_error(command: str, where: str, tmp_path: Path) -> None:
    report = {"folder": tmp_path, "under-a-file": EXAMPLE / "r.json", "proc": Path("/proc/crisbridge/r.json")}[where]
    if where == "proc" and not Path("/proc/self").is_dir():
        pytest.skip("no /proc on this system")
    args = [a.format(tmp=tmp_path) for a in COMMANDS[command]]
    run = crisbridge(command, str(EXAMPLE), *args, "--report", str(report))
    assert run.returncode == 2
    lines = run.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"crisbridge: cannot write --report {report}: "), lines
    assert run.stdout == b""  # refused before any record was converted
    assert not (tmp_path / "out" / "o.xml").exists()


@pytest.mark.parametrize("output", ["/proc/forbidden.xml", "/proc/forbidden/", "{example}/o.xml"])
def test_an_output_that_cannot_be_written_is_a_usage_error(output: str, tmp_path: Path) -> None:
    if output.startswith("/proc") and not Path("/proc/self").is_dir():
        pytest.skip("no /proc on this system")
    output = output.format(example=EXAMPLE)
    report = tmp_path / "report.json"
    run = crisbridge("convert", str(EXAMPLE), "-o", output, "--report", str(report))
    assert run.returncode == 2
    lines = run.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"crisbridge: cannot write -o {output}: "), lines
    assert not report.exists()


def test_report_dash_is_standard_output_when_the_records_are_not(tmp_path: Path) -> None:
    run = crisbridge("convert", str(EXAMPLE), "-o", str(tmp_path / "o.xml"), "--report", "-", cwd=tmp_path)
    assert run.returncode == 0, run.stderr.decode()
    assert json.loads(run.stdout)["summary"] == json.loads(_report_of(tmp_path))["summary"]
    assert not (tmp_path / "-").exists()


def _report_of(tmp_path: Path) -> str:
    report = tmp_path / "elsewhere" / "r.json"
    assert crisbridge("convert", str(EXAMPLE), "-o", str(tmp_path / "o2.xml"), "--report", str(report)).returncode == 0
    return report.read_text(encoding="utf-8")


@pytest.mark.parametrize("args", [["convert"], ["convert", "--to", "rdf"], ["validate"], ["roundtrip"]])
def test_report_dash_is_refused_where_standard_output_is_taken(args: list[str], tmp_path: Path) -> None:
    run = crisbridge(*args, str(EXAMPLE), "--report", "-", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stdout == b""
    message = run.stderr.decode()
    assert message.startswith("crisbridge: --report -: ") and "standard output" in message and message.count("\n") == 1
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("host", ["bad host/x", "repository", "1repo.example.org", "repo.example.org:8080", ""])
def test_an_oai_host_that_cannot_form_an_oai_identifier_is_refused(host: str, tmp_path: Path) -> None:
    run = crisbridge("convert", str(EXAMPLE), "--oai-host", host, "-o", str(tmp_path / "o.xml"))
    assert run.returncode == 2
    assert run.stderr.decode().startswith(f"crisbridge: --oai-host {host!r} cannot form an OAI identifier")
    assert not (tmp_path / "o.xml").exists()


def test_an_oai_host_in_the_identifier_scheme_is_used(tmp_path: Path) -> None:
    run = crisbridge("convert", str(EXAMPLE), "--oai-host", "repo-1.example.org", "-o", str(tmp_path / "o.xml"))
    assert run.returncode == 0, run.stderr.decode()
    identifiers = etree.parse(str(tmp_path / "o.xml")).findall(f".//{{{OAI}}}identifier")
    assert identifiers and all(i.text.startswith("oai:repo-1.example.org:") for i in identifiers)


@pytest.mark.parametrize("command", ["validate", "roundtrip"])
def test_every_summary_counts_one_record_in_the_singular(command: str, tmp_path: Path) -> None:
    one = tmp_path / "one.xml"
    one.write_bytes(b"<oai_dc:dc")
    run = crisbridge(command, str(one))
    assert run.returncode == 1
    summary = next(line for line in run.stderr.decode().splitlines() if not line.startswith("crisbridge:"))
    assert summary.startswith("1 record: 0 ") and "; 1 error, 0 warnings" in summary, summary


# -- the datestamp of a bare record -----------------------------------------------------------


def _datestamps(xml: bytes) -> list[str]:
    return [d.text or "" for d in etree.fromstring(xml).iter(f"{{{OAI}}}datestamp")]


def test_a_bare_record_on_standard_input_is_stamped_with_the_conversion_time(harvest: Path) -> None:
    from datetime import datetime, timezone

    def now() -> str:
        return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    data = (harvest / "dspace.xml").read_bytes()  # a bare oai_dc record: no OAI-PMH header, no datestamp
    before = now()
    run = crisbridge("convert", "-", stdin=data)
    after = now()
    assert run.returncode == 0, run.stderr.decode()
    stamps = _datestamps(run.stdout)
    assert stamps and all(before <= s <= after for s in stamps), (before, stamps, after)


def test_a_bare_record_in_a_file_is_stamped_with_the_file_modification_time(harvest: Path) -> None:
    record = harvest / "dspace.xml"
    os.utime(record, (1_700_000_000, 1_700_000_000))
    run = crisbridge("convert", str(record))
    assert run.returncode == 0, run.stderr.decode()
    assert _datestamps(run.stdout) == ["2023-11-14T22:13:20Z"]
