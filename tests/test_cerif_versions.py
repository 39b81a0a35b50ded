"""CERIF XML as input to ``convert``: every entity of the official samples, read with the CERIF
reader and written again by the CERIF writer in the version asked for (1.2 -> 1.1, 1.1 -> 1.2,
and the same version, which rewrites the entity in the profile's order).

What is checked, on the official samples of both profile versions and the euroCRIS
validator's: each written entity is valid against the target version's XSD; it keeps the id
the CRIS gave it; the report has a line for every record; and no value of the source vanishes
without an issue of that record saying so (a value carried in another element, such as a
FundRef id written as a generic ``Identifier`` in 1.1, is still there).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from crisbridge.pipeline import Converter, RecordResult
from crisbridge.readers.cerif import read_entity
from crisbridge.report import Status
from crisbridge.validation.xsd import errors
from conftest import REFERENCE  # conftest.py's folder is on sys.path; the package "tests" is not
from test_cerif_reader import canonical, top_level_entities
from test_cli import crisbridge

OAI = "{http://www.openarchives.org/OAI/2.0/}"
SAMPLES_12 = "openaire-cris/v1.2.0/samples"
SAMPLES_11 = "openaire-cris/v1.1.1/samples"
VALIDATOR = "openaire-cris/validator/samples"


def _sample_files(folder: str, version: str) -> list[Path]:
    """The record samples of one profile version in a reference folder (the validator's v1_2
    files are git symlink placeholders, not XML: its 1.2 samples are the guidelines')."""
    found = sorted((REFERENCE / folder).glob("*cerif_xml_example_*.xml")) + sorted((REFERENCE / folder).glob(f"_verb=ListRecords*v1_{version[-1]}*.xml"))
    return [p for p in found if p.read_bytes()[:1] == b"<"]


CASES = [
    pytest.param(SAMPLES_12, "1.2", "1.1", id="1.2-samples-to-1.1"),
    pytest.param(SAMPLES_11, "1.1", "1.2", id="1.1-samples-to-1.2"),
    pytest.param(VALIDATOR, "1.1", "1.2", id="validator-1.1-samples-to-1.2"),
    pytest.param(SAMPLES_12, "1.2", "1.2", id="1.2-samples-to-1.2"),
    pytest.param(SAMPLES_11, "1.1", "1.1", id="1.1-samples-to-1.1"),
]


def _leaves(value: Any) -> Iterator[str]:
    """Every text value of a model dump, wherever it sits."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    elif value not in (None, ""):
        yield str(value)


def _convert(folder: str, source_version: str, target: str) -> tuple[list[Path], list[RecordResult]]:
    files = _sample_files(folder, source_version)
    if not files:
        pytest.fail(f"no CERIF {source_version} samples in {REFERENCE / folder}")
    results = [r for r in Converter(target).convert(files) if isinstance(r, RecordResult)]
    return files, results


@pytest.mark.parametrize(("folder", "source_version", "target"), CASES)
def test_every_sample_entity_converts_to_a_valid_entity_of_the_target_version(
        folder: str, source_version: str, target: str, reference: Path, schema_11: Any, schema_12: Any) -> None:
    schema = {"1.1": schema_11, "1.2": schema_12}[target]
    files, results = _convert(folder, source_version, target)
    sources = {el.get("id"): el for path in files for el in top_level_entities(path)}
    # one report line per record: every entity converted, the deleted headers deleted
    assert all(r.status in (Status.CONVERTED, Status.DELETED) for r in results), [(r.source_id, r.issues) for r in results if r.status is Status.FAILED]
    converted = [r for r in results if r.status is Status.CONVERTED]
    assert sorted(r.entities[0].element.get("id") for r in converted) == sorted(sources)
    for r in converted:
        (entity,) = r.entities
        assert entity.element.nsmap[None] == f"https://www.openaire.eu/cerif-profile/{target}/"
        assert errors(schema, entity.element) == [], f"{r.source_id} is not valid against the {target} XSD"
        # the id the CRIS gave stays; the output names it as the OAI identifier does
        source_id = entity.element.get("id")
        assert entity.id == (source_id if "/" in source_id else f"{entity.kind.collection}/{source_id}")
        # nothing vanishes unreported: each value of the source is in the output, unless an
        # issue of the record says what was not written
        back, _ = read_entity(entity.element)
        assert back is not None
        lost = set(_leaves(entity.entity.model_dump())) - set(_leaves(back.model_dump()))
        if source_version == target:
            assert lost == set() and r.issues == [], r.issues
        elif lost:
            assert any(i.code.startswith("cerif.") for i in r.issues), f"{r.source_id} lost {sorted(lost)} without an issue"


def test_narrowing_1_2_to_1_1_is_reported_per_record(reference: Path) -> None:
    """What 1.1 has no element or pattern for, in the 1.2 samples, record by record."""
    _, results = _convert(SAMPLES_12, "1.2", "1.1")
    found = sorted((r.entities[0].id, i.code, i.location.path) for r in results for i in r.issues if i.code.startswith("cerif."))
    assert found == [
        ("Patents/712178", "cerif.no-slot", "PublicationDate"),
        ("Patents/712178", "cerif.no-slot", "URL"),
        ("Patents/712179", "cerif.no-slot", "URL"),
        ("Persons/2000001", "cerif.identifier-outside-version", "ORCID"),  # 0009- ORCIDs are 1.2's
        ("Persons/2000001", "cerif.identifier-outside-version", "ResearcherID"),  # XYZ-4201-2023: 1.1 takes one letter
        ("Persons/2000002", "cerif.no-slot", "Identifier"),
        ("Products/7123451", "cerif.no-slot", "Dates"),
        ("Products/729481", "cerif.no-slot", "FileLocations"),
        ("Products/729482", "cerif.no-slot", "FileLocations"),
        ("Products/729483", "cerif.no-slot", "FileLocations"),
        ("Products/729487", "cerif.no-slot", "Dates"),
        ("Publications/812348", "cerif.no-slot", "NameAbbreviation"),
        ("Publications/812348", "cerif.no-slot", "ZDB-ID"),
        ("Publications/894490", "cerif.no-slot", "NameAbbreviation"),
        ("Publications/894490", "cerif.no-slot", "ZDB-ID"),
    ]
    # identifiers 1.1 has no element for go into its generic Identifier, typed as its samples type them
    funder = next(r.entities[0].element for r in results if r.entities and r.entities[0].id == "OrgUnits/350001")
    ns = "{https://www.openaire.eu/cerif-profile/1.1/}"
    assert {(i.get("type"), i.text) for i in funder.iter(f"{ns}Identifier")} >= {
        ("https://w3id.org/cerif/vocab/IdentifierTypes#RORID", "https://ror.org/02hpadn98"),
        ("https://w3id.org/cerif/vocab/IdentifierTypes#GRID", "grid.7491.b"),
    }


@pytest.mark.parametrize(("folder", "version"), [pytest.param(SAMPLES_12, "1.2", id="1.2"), pytest.param(SAMPLES_11, "1.1", id="1.1")])
def test_same_version_gives_canonically_equal_entities(folder: str, version: str, reference: Path) -> None:
    files, results = _convert(folder, version, version)
    written = {r.entities[0].element.get("id"): r.entities[0].element for r in results if r.entities}
    for path in files:
        for el in top_level_entities(path):
            assert canonical(written[el.get("id")]) == canonical(el), f"{path.name}: {el.get('id')} changed"


def test_same_version_normalises_order_and_spelling(reference: Path) -> None:
    """Rewriting in the same version puts children in the XSD's order and drops what is not
    content (comments, indentation); the entity means what it meant."""
    source = (b'<Publication xmlns="https://www.openaire.eu/cerif-profile/1.2/" id="Publications/1">\n'
              b'  <!-- from the CRIS -->\n  <DOI>10.1234/abc</DOI>\n'
              b'  <Title xml:lang="en">  A title  </Title>\n'
              b'  <Type xmlns="https://www.openaire.eu/cerif-profile/vocab/COAR_Publication_Types">http://purl.org/coar/resource_type/c_6501</Type>\n'
              b'</Publication>')
    result = Converter("1.2").convert_one(source)
    assert result.status is Status.CONVERTED and result.issues == []
    assert result.xml == (b'<Publication xmlns="https://www.openaire.eu/cerif-profile/1.2/" id="Publications/1">'
                          b'<Type xmlns="https://www.openaire.eu/cerif-profile/vocab/COAR_Publication_Types">http://purl.org/coar/resource_type/c_6501</Type>'
                          b'<Title xml:lang="en">A title</Title><DOI>10.1234/abc</DOI></Publication>')


def test_an_entity_without_id_fails_with_its_reason() -> None:
    result = Converter("1.1").convert_one(b'<Person xmlns="https://www.openaire.eu/cerif-profile/1.2/"><ORCID>https://orcid.org/0000-0002-1825-0097</ORCID></Person>')
    assert result.status is Status.FAILED
    assert [i.code for i in result.issues] == ["cerif.no-id"]


def test_cli_converts_the_1_2_samples_to_1_1(reference: Path, tmp_path: Path, oai_pmh_schema: Any, schema_11: Any) -> None:
    """The user's command: a folder of 1.2 samples, --cerif-version 1.1, one ListRecords file."""
    out, report = tmp_path / "out.xml", tmp_path / "report.json"
    proc = crisbridge("convert", str(REFERENCE / SAMPLES_12), "--cerif-version", "1.1", "-o", str(out), "--report", str(report))
    assert proc.returncode == 0, proc.stderr.decode()
    summary = json.loads(report.read_text())["summary"]
    assert summary["records"] == summary["converted"] + summary["deleted"] + summary["failed"]
    assert (summary["converted"], summary["deleted"], summary["failed"]) == (63, 1, 0)
    doc = etree.parse(str(out))
    assert oai_pmh_schema.validate(doc), oai_pmh_schema.error_log
    records = doc.findall(f"{OAI}ListRecords/{OAI}record")
    assert len(records) == 64
    for rec in records:
        header = rec.find(f"{OAI}header")
        identifier = header.findtext(f"{OAI}identifier")
        if header.get("status") == "deleted":
            # the sample's deleted header keeps its entity's id and type
            assert identifier == "oai:crisbridge.local:Publications/899999"
            continue
        (entity,) = rec.find(f"{OAI}metadata")
        assert errors(schema_11, entity) == []
        entity_id = entity.get("id")
        assert identifier.endswith(entity_id if "/" in entity_id else f"s/{entity_id}")


def test_cli_converts_cerif_to_rdf(reference: Path, tmp_path: Path) -> None:
    import rdflib

    out, report = tmp_path / "out.nt", tmp_path / "report.json"
    proc = crisbridge("convert", str(REFERENCE / SAMPLES_11), "--to", "rdf", "--rdf-format", "nt", "-o", str(out), "--report", str(report))
    assert proc.returncode == 0, proc.stderr.decode()
    entries = json.loads(report.read_text())["records"]
    assert [e["status"] for e in entries].count("converted") == 55
    graph = rdflib.Graph().parse(str(out), format="nt")
    subjects = {str(s) for s in graph.subjects()}
    # the entity IRIs are made of the CRIS's ids; 1.1's are bare (812348), so their IRI carries the
    # entity's collection too (Persons/812348): a Person and a Publication of one number differ
    ids: dict[str, str] = {}
    for path in _sample_files(SAMPLES_11, "1.1"):
        for el in top_level_entities(path):
            entity_id, kind = el.get("id"), etree.QName(el).localname
            iri = f"https://crisbridge.local/{entity_id if '/' in entity_id else f'{kind}s/{entity_id}'}"
            assert iri in subjects
            assert ids.setdefault(iri, entity_id) == entity_id
    assert len(ids) == 55
    # and RDF -> CERIF 1.1 gives the records back with the ids the CRIS wrote
    back = tmp_path / "back.xml"
    proc = crisbridge("convert", str(out), "--cerif-version", "1.1", "-o", str(back))
    assert proc.returncode == 0, proc.stderr.decode()
    written = {el.get("id") for el in etree.parse(str(back)).iterfind(".//{http://www.openarchives.org/OAI/2.0/}metadata/*")}
    assert written == set(ids.values())


def _records_by_identifier(path: Path) -> dict[str, bytes]:
    """The records of a ListRecords document, canonical and keyed by OAI identifier, with the
    datestamps blanked (a conversion stamps its own time) and the deleted headers left out (RDF
    has no deleted record: the RDF writer reports them and lists them, it writes no node)."""
    records: dict[str, bytes] = {}
    for record in etree.parse(str(path)).iter(f"{OAI}record"):
        header = record.find(f"{OAI}header")
        assert header is not None
        if header.get("status") == "deleted":
            continue
        for stamp in header.iter(f"{OAI}datestamp"):
            stamp.text = ""
        records[header.findtext(f"{OAI}identifier", "")] = etree.tostring(record, method="c14n")
    return records


@pytest.mark.parametrize("target", ["1.2", "1.1"])
@pytest.mark.parametrize(("folder", "version"), [(SAMPLES_12, "1.2"), (SAMPLES_11, "1.1")])
def test_cerif_through_rdf_gives_the_records_of_the_direct_conversion(folder: str, version: str, target: str, reference: Path, tmp_path: Path) -> None:
    """CERIF -> RDF -> CERIF writes what CERIF -> CERIF writes, headers included: a bare 1.1 id
    ``812348`` is named ``oai:{host}:Publications/812348`` on both paths, which ``validate``
    takes as the guidelines' form (no ``cross.identifier-form``)."""
    files = [str(p) for p in _sample_files(folder, version)]
    direct, graph, back, report = tmp_path / "direct.xml", tmp_path / "feed.ttl", tmp_path / "back.xml", tmp_path / "validate.json"
    for args in (["-o", str(direct)], ["--to", "rdf", "-o", str(graph)]):
        proc = crisbridge("convert", *files, "--cerif-version", target, *args)
        assert proc.returncode == 0, proc.stderr.decode()
    proc = crisbridge("convert", str(graph), "--cerif-version", target, "-o", str(back))
    assert proc.returncode == 0, proc.stderr.decode()
    expected, written = _records_by_identifier(direct), _records_by_identifier(back)
    assert len(expected) == {"1.2": 63, "1.1": 55}[version]
    # the records come in the graph's order, not the source's: compared by identifier, each one
    # whole (header, setSpec, metadata)
    assert sorted(set(written) ^ set(expected)) == []
    assert [i for i in expected if written[i] != expected[i]] == []
    proc = crisbridge("validate", str(back), "--xsd-dir", str(REFERENCE / "openaire-cris"), "--report", str(report))
    assert proc.returncode in (0, 1), proc.stderr.decode()
    found = json.loads(report.read_text())
    codes = [i["code"] for r in found["records"] for i in r["issues"]] + [n["code"] for n in found.get("notes", [])]
    assert "cross.identifier-form" not in codes
    assert "xsd.unavailable" not in codes


def test_rdf_keeps_what_the_cerif_reader_could_not_place(tmp_path: Path) -> None:
    """The CERIF writer's narrowing issues do not apply to RDF; the reader's do."""
    from crisbridge.writers.rdf import RdfRender

    source = (b'<OrgUnit xmlns="https://www.openaire.eu/cerif-profile/1.2/" id="OrgUnits/1">'
              b'<Name xml:lang="en">Lab</Name><Link uri="https://example.org/x"/></OrgUnit>')
    result = Converter("1.1").convert_one(source)
    assert [i.code for i in result.issues] == ["cerif.not-read"]
    RdfRender()(result)
    assert [i.code for i in result.issues] == ["cerif.not-read"]
