"""The library API: what ``import crisbridge`` offers, what it costs, and ``convert_one`` taking
a record as bytes, a str, a path or an lxml element with the same result."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import crisbridge
from crisbridge import Converter, RecordResult, Status

DSPACE = "real-records/dspace-eur-pyoai/records/oai_dc/hdl_1765_1104.xml"  # holds "ê" and "–"
DATACITE = "real-records/zenodo-oaipmh-scythe/records/datacite4/oai_zenodo.org_10357859.xml"
DC = 'xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"'


def test_all_is_pinned() -> None:
    # A change here is a change of the public API: make it on purpose.
    assert crisbridge.__all__ == [
        "ConfigurationError",
        "Converter",
        "CrisbridgeError",
        "EntityOutput",
        "Issue",
        "Location",
        "MappingError",
        "RecordResult",
        "Report",
        "Severity",
        "Status",
        "UnknownFormatError",
        "__version__",
    ]


def test_every_public_name_resolves_and_unknown_names_do_not() -> None:
    for name in crisbridge.__all__:
        assert getattr(crisbridge, name) is not None, name
    assert issubclass(crisbridge.MappingError, crisbridge.ConfigurationError)
    assert issubclass(crisbridge.ConfigurationError, crisbridge.CrisbridgeError)
    assert issubclass(crisbridge.UnknownFormatError, crisbridge.ConfigurationError)
    with pytest.raises(AttributeError):
        crisbridge.NoSuchThing  # noqa: B018


def test_import_is_light() -> None:
    code = (
        "import json, sys\n"
        "import crisbridge\n"
        "heavy = ['lxml', 'pydantic', 'typer', 'yaml', 'rich', 'rdflib', 'pyshacl', 'stdnum', 'requests']\n"
        "print(json.dumps({'loaded': [m for m in heavy if m in sys.modules], 'version': crisbridge.__version__}))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    out = json.loads(run.stdout)
    assert out["loaded"] == []
    assert out["version"] == crisbridge.__version__


def test_the_version_has_one_home() -> None:
    from crisbridge._version import __version__

    assert crisbridge.__version__ == __version__


@pytest.fixture(scope="module")
def converter() -> Converter:
    return Converter()


def _forms(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {
        "path": path,
        "bytes": data,
        "str": data.decode("utf-8"),
        "element": etree.fromstring(data),
        "tree root of a parsed file": etree.parse(str(path)).getroot(),
    }


@pytest.mark.parametrize("record", [DSPACE, DATACITE])
def test_convert_one_takes_bytes_str_path_and_element_alike(record: str, reference: Path, converter: Converter) -> None:
    results = {form: converter.convert_one(value) for form, value in _forms(reference / record).items()}
    expected = results["path"]
    assert expected.status is Status.CONVERTED
    assert expected.source == str(reference / record)
    for form, result in results.items():
        assert isinstance(result, RecordResult)
        assert result.status is Status.CONVERTED, form
        assert result.entities[0].id == expected.entities[0].id, form
        assert result.xml == expected.xml, form
        assert [(i.code, i.message) for i in result.issues] == [(i.code, i.message) for i in expected.issues], form


def test_the_text_survives_every_form(reference: Path, converter: Converter) -> None:
    for form, value in _forms(reference / DSPACE).items():
        xml = converter.convert_one(value).xml.decode("utf-8")
        assert "Sistemas de Informação" in xml or "ê" in xml, form


def test_a_str_keeps_its_characters_whatever_its_declaration_says(converter: Converter) -> None:
    # A str is already decoded: the encoding its declaration names no longer describes it.
    for declared in ("ISO-8859-1", "UTF-16", "windows-1252", "UTF-8"):
        text = f'<?xml version="1.0" encoding="{declared}"?>\n<oai_dc:dc {DC}><dc:title>Café Müller – naïve</dc:title><dc:type>info:eu-repo/semantics/article</dc:type></oai_dc:dc>'
        result = converter.convert_one(text)
        assert result.status is Status.CONVERTED, (declared, result.issues)
        title = etree.fromstring(result.xml).findtext("{https://www.openaire.eu/cerif-profile/1.2/}Title")
        assert title == "Café Müller – naïve", declared


def test_bytes_keep_their_declared_encoding(converter: Converter) -> None:
    data = f'<?xml version="1.0" encoding="ISO-8859-1"?>\n<oai_dc:dc {DC}><dc:title>Café</dc:title></oai_dc:dc>'.encode("latin-1")
    result = converter.convert_one(data)
    assert etree.fromstring(result.xml).findtext("{https://www.openaire.eu/cerif-profile/1.2/}Name") == "Café"


def test_an_element_of_no_known_format_is_a_failed_result(converter: Converter) -> None:
    result = converter.convert_one(etree.fromstring(b"<html><body>Service unavailable</body></html>"), source="page.html")
    assert result.status is Status.FAILED
    assert [i.code for i in result.issues] == ["input.unknown-format"]
    assert result.issues[0].location.file == "page.html"
    assert result.xml == b""


def test_an_oai_datacite_wrapper_element_is_unwrapped(reference: Path, converter: Converter) -> None:
    wrapped = reference / "real-records/openaire-dnet-hadoop/records"
    candidates = [p for p in wrapped.rglob("*.xml") if b"schema.datacite.org/oai/oai-1" in p.read_bytes()[:2000]]
    if not candidates:
        pytest.skip("no oai_datacite record in the reference corpus")
    element = etree.parse(str(candidates[0])).getroot()
    assert converter.convert_one(element).status is converter.convert_one(candidates[0]).status


def test_bad_bytes_are_a_failed_result_naming_the_source(converter: Converter) -> None:
    for data in (b"", b"<oai_dc:dc", b"\xff\xfe\x00garbage"):
        result = converter.convert_one(data, source="upload-17")
        assert result.status is Status.FAILED
        assert result.issues and result.issues[0].severity.value == "error"
        assert result.issues[0].location.file == "upload-17"


def test_convert_streams_results_lazily(reference: Path, converter: Converter) -> None:
    stream = converter.convert([reference / "real-records"])
    assert isinstance(stream, Generator)  # lazy, not a list built up front
    first = next(r for r in stream if isinstance(r, RecordResult))
    assert first.status in (Status.CONVERTED, Status.DELETED, Status.FAILED)
    stream.close()  # a consumer may stop early: the open input is closed with the generator


def test_a_converter_is_reusable_and_results_are_stable(reference: Path) -> None:
    one = Converter()
    first = one.convert_one(reference / DSPACE)
    again = one.convert_one(reference / DSPACE)
    fresh = Converter().convert_one(reference / DSPACE)
    assert first.xml == again.xml == fresh.xml


def test_the_record_report_has_the_shape_of_the_cli_report(reference: Path, converter: Converter) -> None:
    entry = converter.convert_one(reference / DSPACE).report()
    data = crisbridge.Report(records=[entry]).to_json()["records"][0]
    assert {"source", "source_id", "status", "entities", "issues"} <= set(data)
    assert data["entities"] == [converter.convert_one(reference / DSPACE).entities[0].id]


def test_the_library_never_prints(reference: Path, capsys: pytest.CaptureFixture[str]) -> None:
    converter = Converter()
    list(converter.convert([reference / "real-records/dspace-eur-pyoai"]))
    converter.convert_one(b"<broken")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_unusable_configuration_raises_from_the_one_root(tmp_path: Path) -> None:
    with pytest.raises(crisbridge.CrisbridgeError):
        Converter(cerif_version="0.9")
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: oai_dc\nrules: 3\n", encoding="utf-8")
    with pytest.raises(crisbridge.MappingError):
        Converter(mapping_files=[bad])


def test_convert_one_says_when_the_document_holds_more_records(reference: Path, converter: Converter) -> None:
    """A ListRecords response of three Zenodo records: the first is converted, and the result
    says that two more were left for ``convert`` rather than dropping them silently."""
    path = reference / "real-records/zenodo-oaipmh-scythe/responses/2026-04_0d65ebe/list_records_00_ListRecords_oai_dc.xml"
    every = [r for r in converter.convert([path]) if isinstance(r, RecordResult)]
    assert len(every) == 3
    one = converter.convert_one(path)
    assert one.source_id == every[0].source_id and one.xml == every[0].xml
    (warning,) = [i for i in one.issues if i.code == "input.more-records"]
    assert warning.severity.value == "warning" and "holds 3 records" in warning.message and warning.location.file == str(path)
    # a one-record document gets no such warning
    assert "input.more-records" not in [i.code for i in converter.convert_one(reference / DSPACE).issues]


def test_a_str_naming_a_file_fails_with_a_hint_to_pass_a_path(reference: Path, converter: Converter) -> None:
    # a str is XML text: the name of a file is not read as the file (that is what Path is for)
    path = reference / DSPACE
    for given in (str(path), f"  {path}"):
        result = converter.convert_one(given)
        assert result.status is Status.FAILED
        [issue] = result.issues
        assert issue.code == "xml.not-well-formed"
        assert "pass Path(...) for a file" in issue.message and str(path) in issue.message
    assert converter.convert_one(Path(path)).status is Status.CONVERTED
    # text that is not XML and names no file keeps the parser's own words
    [issue] = converter.convert_one(str(path) + ".missing").issues
    assert "Path(" not in issue.message and "not well-formed XML" in issue.message
