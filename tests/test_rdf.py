"""RDF (docs/rdf-vocabulary.md): the writer, the reader, and the round trip through both.

The contract: RDF written by the bridge reads back into the model, and from there into the same
CERIF XML as the direct path. It is checked over the whole real-record corpus (every converted
record: model -> RDF -> model -> CERIF XML equals the direct CERIF XML canonically) and over the
official CERIF samples (CERIF XML -> model -> RDF -> the same model). RDF is compared as graphs
(rdflib.compare), never as text.
"""

from __future__ import annotations

import difflib
import io
import json
import random
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from rdflib import BNode, Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from crisbridge.model import (
    Classification,
    Contributor,
    DateRange,
    GenericIdentifier,
    LangString,
    OrgUnit,
    Person,
    PersonName,
    Product,
    Publication,
)
from crisbridge.pipeline import Converter, RecordResult
from crisbridge.readers.rdf import entity_id, parse_rdf, read_graph
from crisbridge.writers.cerif import CerifWriter
from crisbridge.writers.rdf import (
    CB,
    DEFAULT_BASE,
    RdfStreamWriter,
    RdfWriter,
    date_datatype,
    document,
    render,
    to_ntriples,
)

WRITER = RdfWriter()
CERIF_WRITERS = {"1.2": CerifWriter("1.2"), "1.1": CerifWriter("1.1")}
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREFIXES = """
@prefix cerif: <https://w3id.org/cerif/model#> .
@prefix cb: <https://w3id.org/crisbridge/vocab#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix cfv: <https://w3id.org/cerif/vocab/> .
"""


def canonical(el: Any) -> str:
    """W3C Canonical XML 2.0 (comments out, text trimmed, prefixes rewritten), one tag a line."""
    text = ET.canonicalize(etree.tostring(el, encoding="unicode"), with_comments=False, strip_text=True, rewrite_prefixes=True)
    return text.replace("><", ">\n<")


def graph_of(triples: list[Any], fmt: str = "nt") -> Graph:
    return parse_rdf(document(render(triples, fmt), fmt), {"jsonld": "json-ld"}.get(fmt, fmt))


def through_rdf(entity: Any, fmt: str = "nt") -> tuple[Any, list[Any]]:
    """The entity written as RDF, parsed, and read back: (entity, reader issues)."""
    triples, _ = WRITER.triples(entity)
    items = list(read_graph(graph_of(triples, fmt)))
    assert len(items) == 1, f"{len(items)} top-level entities read back"
    return items[0].entity, items[0].issues


def iso_diff(expected: Graph, got: Graph) -> str:
    _, only_expected, only_got = graph_diff(to_isomorphic(expected), to_isomorphic(got))
    return ("only expected:\n" + only_expected.serialize(format="nt") + "\nonly written:\n" + only_got.serialize(format="nt"))


# -- the corpus ---------------------------------------------------------------------------------


_CONVERTED: dict[str, list[RecordResult]] = {}


def converted(reference: Path, version: str) -> list[RecordResult]:
    if version not in _CONVERTED:
        _CONVERTED[version] = [r for r in Converter(cerif_version=version).convert([reference / "real-records"]) if isinstance(r, RecordResult)]
    return _CONVERTED[version]


@pytest.fixture(scope="module", params=["1.2", "1.1"])
def corpus(request: pytest.FixtureRequest, reference: Path) -> tuple[str, list[RecordResult]]:
    return request.param, converted(reference, request.param)


def test_every_corpus_record_converts_through_rdf_to_the_same_cerif(corpus: tuple[str, list[RecordResult]]) -> None:
    version, results = corpus
    entities = [(r, e) for r in results for e in r.entities]
    assert len(entities) > 1100
    failures: list[str] = []
    for record, output in entities:
        read, issues = through_rdf(output.entity)
        written, _ = CERIF_WRITERS[version].write(read)
        expected, got = canonical(output.element), canonical(written)
        if expected != got or issues:
            diff = "\n".join(difflib.unified_diff(expected.splitlines(), got.splitlines(), "direct", "via RDF", lineterm=""))
            failures.append(f"{record.source} {output.id}: {[i.message for i in issues][:3]}\n{diff[:3000]}")
    assert not failures, f"{len(failures)} of {len(entities)} records differ; first:\n" + "\n\n".join(failures[:3])


def test_rdf_issues_match_the_cerif_writers(reference: Path) -> None:
    """RDF follows profile 1.2's layout: what CERIF 1.2 has no element for, RDF reports as well."""
    for record in converted(reference, "1.2"):
        for output in record.entities:
            _, issues = WRITER.triples(output.entity)
            rdf = sorted((i.code.split(".", 1)[1], i.location.path) for i in issues if i.code in ("rdf.no-slot", "rdf.extra-value"))
            cerif = sorted((i.code.split(".", 1)[1], i.location.path) for i in record.issues if i.code in ("cerif.no-slot", "cerif.extra-value"))
            assert rdf == cerif, record.source


# -- the official samples -----------------------------------------------------------------------

SAMPLE_FOLDERS = ("openaire-cris/v1.2.0/samples", "openaire-cris/v1.1.1/samples", "openaire-cris/validator/samples")


def test_every_official_sample_entity_survives_rdf_unchanged(reference: Path) -> None:
    """The samples exercise what the corpus lacks: projects, events, equipment, ids on embedded
    entities, the same organisation embedded several times."""
    from crisbridge.readers import _parser_kwargs
    from crisbridge.readers.cerif import is_entity, profile_version, read_entity

    files = [p for folder in SAMPLE_FOLDERS for pattern in ("*cerif_xml_example_*.xml", "_verb=ListRecords*.xml")
             for p in sorted((reference / folder).glob(pattern)) if p.read_bytes()[:1] == b"<"]
    assert files
    seen = 0
    for path in files:
        root = etree.parse(str(path), etree.XMLParser(**_parser_kwargs())).getroot()
        elements = [root] if is_entity(root) else [el for m in root.iter("{http://www.openarchives.org/OAI/2.0/}metadata") for el in m if is_entity(el)]
        for el in elements:
            entity, _ = read_entity(el)
            assert entity is not None
            read, issues = through_rdf(entity)
            assert not issues, (path.name, el.get("id"), [i.message for i in issues])
            assert read == entity, (path.name, el.get("id"))
            writer = CERIF_WRITERS[profile_version(el) or "1.2"]
            assert canonical(writer.write(read)[0]) == canonical(writer.write(entity)[0])
            seen += 1
    assert seen > 150


@pytest.mark.parametrize("version", ["1.2", "1.1"])
def test_a_whole_cris_in_one_graph_reads_back_record_by_record(version: str, reference: Path, tmp_path: Path) -> None:
    """Every record of the 1.2 samples (as they are, and converted to 1.1) written into one graph,
    as a CRIS feed is: each record is read back as written (63, not only those no other record
    embeds), and an entity embedded elsewhere holds what its record says. In 1.1 the Funding
    620005 has two generic identifiers (its GrantDOI becomes one) and a Project's copy of it one:
    the copy's Identifier/1 used to be the record's too, with two types and two values (two
    shacl.max-count errors when the converted samples were validated)."""
    from test_cerif_reader import top_level_entities

    from crisbridge.readers.cerif import read_entity

    samples = reference / SAMPLE_FOLDERS[0]
    paths = sorted(samples.glob("*cerif_xml_example_*.xml"))
    if version == "1.1":
        paths = [tmp_path / "s11.xml"]
        proc = crisbridge("convert", str(samples), "--cerif-version", "1.1", "-o", str(paths[0]))
        assert proc.returncode == 0, proc.stderr.decode()
    records = [read_entity(el)[0] for path in paths for el in top_level_entities(path)]
    graph = Graph()
    for entity in records:
        graph += graph_of(WRITER.triples(entity)[0])
    items = list(read_graph(graph))
    assert len(items) == len(records) == 63
    assert not [i.issues for i in items if i.issues]
    assert sorted((i.entity.id, i.entity.model_dump_json()) for i in items) == sorted((e.id, e.model_dump_json()) for e in records)
    # the copies name the funding; what the graph says of it and its parts is what its record says
    node = f"{DEFAULT_BASE}Fundings/620005"
    assert set(graph.subjects(URIRef(CB + "entity"), URIRef(node)))
    alone = graph_of(WRITER.triples(next(e for e in records if e.id == "Fundings/620005"))[0])

    def about(g: Graph) -> set[Any]:
        return {t for t in g if str(t[0]).split("#")[0] == node and not isinstance(t[2], BNode)}

    assert about(graph) == about(alone)


def test_bare_ids_of_two_kinds_are_two_nodes_and_read_back_bare() -> None:
    """Profile 1.1 ids are bare: Person 1 and Publication 1 of one CRIS are two entities."""
    person = Person(id="1", name=PersonName(family="Doe"))
    publication = Publication(id="1", titles=[LangString(value="x")],
                              creators=[Contributor(person=Person(id="1", name=PersonName(family="Doe")))])
    graph = Graph()
    for entity in (person, publication):
        graph += graph_of(WRITER.triples(entity)[0])
    assert {str(s) for s in graph.subjects(URIRef(RDF_TYPE), URIRef(CB + "Record"))} == {
        f"{DEFAULT_BASE}Persons/1", f"{DEFAULT_BASE}Publications/1"}
    items = {i.node: i.entity for i in read_graph(graph)}
    assert items == {f"{DEFAULT_BASE}Persons/1": person, f"{DEFAULT_BASE}Publications/1": publication}
    # the embedded author names the person record
    assert (URIRef(f"{DEFAULT_BASE}Publications/1#Authors/1/Person"), URIRef(CB + "entity"), URIRef(f"{DEFAULT_BASE}Persons/1")) in graph
    assert CERIF_WRITERS["1.1"].write(items[f"{DEFAULT_BASE}Publications/1"])[0] is not None


def test_older_graphs_without_record_marks_still_read() -> None:
    """RDF written before cb:Record and cb:entity: the records are the entity nodes nothing
    points at, and an embedded entity named by its own IRI keeps its id."""
    old = PREFIXES + """
<https://crisbridge.local/Publications/1> a cerif:ResultPublication ;
    cb:OriginatesFrom <https://crisbridge.local/Fundings/2> .
<https://crisbridge.local/Fundings/2> a cerif:Funding ; cerif:Funding.Acronym "F" .
"""
    items = list(read_graph(parse_rdf(old.encode(), "turtle")))
    assert [i.entity.id for i in items] == ["Publications/1"]
    (funding,) = items[0].entity.originates_from
    assert (funding.id, funding.acronym) == ("Fundings/2", "F")


# -- the vocabulary, on a record built by hand ---------------------------------------------------


def sample_publication() -> Publication:
    shared = OrgUnit(id="OrgUnits/42", name="University of Example", name_lang="en", ror="https://ror.org/05abcde12")
    return Publication(
        id="Publications/6c5e",
        type="http://purl.org/coar/resource_type/c_6501",
        titles=[LangString(value="Ocean heat", lang="en"), LangString(value="Calor oceánico", lang="es", trans="h")],
        publication_date="2021-03",
        doi="10.1234/abc",
        issns=["1234-5678"],
        issn_media={"1234-5678": "http://issn.org/vocabularies/Medium#Print"},
        creators=[
            Contributor(display_name="Smith, Jane", person=Person(name=PersonName(family="Smith", given="Jane"),
                                                                   orcid="https://orcid.org/0000-0002-1825-0097"),
                        affiliations=[shared]),
            Contributor(display_name="Ocean Group", org_unit=OrgUnit(name="Ocean Group")),
            # an empty person, as CERIF XML has it (the writer writes <Person/> for a contributor without one)
            Contributor(display_name="Doe, J.", person=Person(), affiliations=[OrgUnit(name="Elsewhere"), shared]),
        ],
        licenses=[Classification(scheme="https://spdx.org/licenses", value="https://spdx.org/licenses/CC-BY-4.0")],
        keywords=[LangString(value="zeta"), LangString(value="alpha")],
        access="http://purl.org/coar/access_right/c_f1cf",
        access_end_date="2030-01-01",
    )


EXPECTED_TURTLE = PREFIXES + """
@prefix e: <https://cris.example.org/Publications/6c5e#> .

<https://cris.example.org/Publications/6c5e> a cerif:ResultPublication, cb:Record ;
    cb:Type <http://purl.org/coar/resource_type/c_6501> ;
    cerif:ResultPublication.Title "Ocean heat"@en, "Calor oceánico"@es ;
    cerif:ResultPublication.ResultPublicationDate "2021-03"^^xsd:gYearMonth ;
    cb:DOI "10.1234/abc" ;
    cb:ISSN "1234-5678" ;
    cb:Author e:Authors\\/1, e:Authors\\/2, e:Authors\\/3 ;
    cb:License e:License\\/1 ;
    cerif:ResultPublication.Keywords "zeta", "alpha" ;
    cb:Access <http://purl.org/coar/access_right/c_f1cf> ;
    cb:accessEndDate "2030-01-01"^^xsd:date ;
    cb:sequence
        [ a rdf:Seq ; cb:property cerif:ResultPublication.Title ;
          rdf:_1 "Ocean heat"@en ; rdf:_2 [ rdf:value "Calor oceánico"@es ; cb:trans "h" ] ],
        [ a rdf:Seq ; cb:property cb:ISSN ;
          rdf:_1 [ rdf:value "1234-5678" ; cb:medium <http://issn.org/vocabularies/Medium#Print> ] ],
        [ a rdf:Seq ; cb:property cerif:ResultPublication.Keywords ; rdf:_1 "zeta" ; rdf:_2 "alpha" ] .

e:Authors\\/1 a cerif:Person_ResultPublication ;
    cb:role <https://w3id.org/cerif/vocab/PersonOutputContributions#Author> ;
    cb:ordinal 1 ;
    cb:DisplayName "Smith, Jane" ;
    cb:Person e:Authors\\/1\\/Person ;
    cb:Affiliation e:Authors\\/1\\/Affiliation\\/1 .

e:Authors\\/1\\/Person a cerif:Person ;
    cb:PersonName e:Authors\\/1\\/Person\\/PersonName ;
    cb:ORCID <https://orcid.org/0000-0002-1825-0097> .

e:Authors\\/1\\/Person\\/PersonName a cerif:PersonName ;
    cerif:PersonName.FamilyNames "Smith" ;
    cerif:PersonName.FirstNames "Jane" .

# the organisation embedded with an id: a copy at each place, naming the organisation's node
e:Authors\\/1\\/Affiliation\\/1 a cerif:OrganisationUnit ;
    cb:ordinal 1 ;
    cb:entity <https://cris.example.org/OrgUnits/42> ;
    cerif:OrganisationUnit.Name "University of Example"@en ;
    cb:RORID <https://ror.org/05abcde12> .

<https://cris.example.org/OrgUnits/42> a cerif:OrganisationUnit .

e:Authors\\/2 a cerif:OrganisationUnit_ResultPublication ;
    cb:role <https://w3id.org/cerif/vocab/OrganisationOutputContributions#Author> ;
    cb:ordinal 2 ;
    cb:DisplayName "Ocean Group" ;
    cb:OrgUnit e:Authors\\/2\\/OrgUnit .

e:Authors\\/2\\/OrgUnit a cerif:OrganisationUnit ;
    cerif:OrganisationUnit.Name "Ocean Group" .

e:Authors\\/3 a cerif:Person_ResultPublication ;
    cb:role <https://w3id.org/cerif/vocab/PersonOutputContributions#Author> ;
    cb:ordinal 3 ;
    cb:DisplayName "Doe, J." ;
    cb:Person e:Authors\\/3\\/Person ;
    cb:Affiliation e:Authors\\/3\\/Affiliation\\/1, e:Authors\\/3\\/Affiliation\\/2 .

e:Authors\\/3\\/Person a cerif:Person .

e:Authors\\/3\\/Affiliation\\/1 a cerif:OrganisationUnit ;
    cb:ordinal 1 ;
    cerif:OrganisationUnit.Name "Elsewhere" .

e:Authors\\/3\\/Affiliation\\/2 a cerif:OrganisationUnit ;
    cb:ordinal 2 ;
    cb:entity <https://cris.example.org/OrgUnits/42> ;
    cerif:OrganisationUnit.Name "University of Example"@en ;
    cb:RORID <https://ror.org/05abcde12> .

e:License\\/1 cb:ordinal 1 ;
    rdf:value <https://spdx.org/licenses/CC-BY-4.0> ;
    cb:scheme <https://spdx.org/licenses> .
"""


@pytest.mark.parametrize("fmt", ["nt", "turtle", "jsonld"])
def test_a_publication_is_written_as_the_vocabulary_says(fmt: str) -> None:
    triples, issues = RdfWriter("https://cris.example.org/").triples(sample_publication())
    assert issues == []
    expected = Graph().parse(data=EXPECTED_TURTLE, format="turtle")
    got = graph_of(triples, fmt)
    assert isomorphic(expected, got), iso_diff(expected, got)


@pytest.mark.parametrize("fmt", ["nt", "turtle", "jsonld"])
def test_a_publication_reads_back_unchanged(fmt: str) -> None:
    entity = sample_publication()
    read, issues = through_rdf(entity, fmt)
    assert issues == []
    assert read == entity


def test_the_base_is_configurable_and_ids_of_any_form_survive() -> None:
    writer = RdfWriter("https://cris.example.org/rdf/")
    entity = Publication(id="Publications/a b#c%d", titles=[LangString(value="x")])
    triples, _ = writer.triples(entity)
    subject = str(triples[0][0])
    assert subject == "https://cris.example.org/rdf/Publications/a%20b%23c%25d"
    items = list(read_graph(graph_of(triples), base="https://cris.example.org/rdf/"))
    assert [i.entity.id for i in items] == ["Publications/a b#c%d"]
    # without the base, a collection and a key at the end of the IRI still name the id
    assert entity_id("https://elsewhere.org/x/Products/0c1f") == "Products/0c1f"
    assert entity_id(f"{DEFAULT_BASE}852734") == "852734"
    assert entity_id(f"{DEFAULT_BASE}Publications/x#Authors/1") is None


@pytest.mark.parametrize(
    ("value", "datatype"),
    [
        ("2021", "gYear"), ("2021-03", "gYearMonth"), ("2021-03-04", "date"), ("2021-03-04Z", "date"),
        ("2021-03-04T10:11:12", "dateTime"), ("2021-03-04T10:11:12.500+02:00", "dateTime"), ("-0044-03-15", "date"),
        ("2024-02-29", "date"), ("2023-02-29", None), ("2021-13", None), ("2021-03-04T25:00:00", None), ("March 2021", None), ("21", None),
    ],
)
def test_dates_are_typed_by_their_form(value: str, datatype: str | None) -> None:
    assert date_datatype(value) == (XSD + datatype if datatype else None)


def test_a_date_keeps_its_lexical_form_through_rdflib() -> None:
    """rdflib rewrites 12.500 seconds as 12.500000 unless told not to; the reader tells it."""
    entity = Publication(id="Publications/1", titles=[LangString(value="x")], publication_date="2021-03-04T10:11:12.500+02:00")
    for fmt in ("nt", "turtle", "jsonld"):
        assert through_rdf(entity, fmt)[0].publication_date == "2021-03-04T10:11:12.500+02:00"


def test_a_date_of_no_profile_form_is_a_string_and_reported() -> None:
    entity = Publication(id="Publications/1", titles=[LangString(value="x")], publication_date="spring 2021")
    triples, issues = WRITER.triples(entity)
    assert [i.code for i in issues] == ["rdf.untyped-date"]
    assert through_rdf(entity)[0].publication_date == "spring 2021"


def test_values_the_profile_has_no_element_for_are_reported_not_written() -> None:
    product = Product(id="Products/1", titles=[LangString(value="x")], subtitles=[LangString(value="sub")], volume="3",
                      languages=["en", "de"])
    triples, issues = WRITER.triples(product)
    assert sorted((i.code, i.location.path) for i in issues) == [("rdf.no-slot", "Subtitle"), ("rdf.no-slot", "Volume")]
    assert "sub" not in to_ntriples(triples)
    publication = Publication(id="Publications/1", titles=[LangString(value="x")], languages=["en", "de"])
    _, issues = WRITER.triples(publication)
    assert [(i.code, i.location.path) for i in issues] == [("rdf.extra-value", "Language")]


def test_a_value_that_should_be_an_iri_but_is_not_stays_a_literal() -> None:
    entity = Publication(id="Publications/1", titles=[LangString(value="x")],
                         licenses=[Classification(scheme="", value="CC BY 4.0")],
                         creators=[Contributor(person=Person(identifiers=[GenericIdentifier(type="ScopusID", value="123")]))])
    triples, issues = WRITER.triples(entity)
    assert sorted(i.code for i in issues) == ["rdf.not-an-iri"] * 3
    assert through_rdf(entity)[0] == entity


def test_order_comes_from_the_graph_not_from_the_document() -> None:
    entity = sample_publication()
    lines = to_ntriples(WRITER.triples(entity)[0]).splitlines(keepends=True)
    for seed in range(5):
        random.Random(seed).shuffle(lines)
        items = list(read_graph(parse_rdf("".join(lines).encode(), "nt")))
        assert items[0].entity == entity


def test_the_reader_reports_what_the_vocabulary_does_not_define() -> None:
    triples, _ = WRITER.triples(Publication(id="Publications/1", titles=[LangString(value="x")]))
    data = to_ntriples(triples) + f'<{DEFAULT_BASE}Publications/1> <http://purl.org/dc/terms/title> "stray" .\n'
    items = list(read_graph(parse_rdf(data.encode(), "nt")))
    assert [(i.code, i.location.focus_node, i.location.path) for i in items[0].issues] == [
        ("rdf.not-read", f"{DEFAULT_BASE}Publications/1", "http://purl.org/dc/terms/title")
    ]


def test_remote_jsonld_contexts_are_refused() -> None:
    data = b'{"@context": "https://example.org/context.jsonld", "@id": "https://x.org/1"}'
    with pytest.raises(ValueError, match="remote context"):
        parse_rdf(data, "json-ld")


def test_product_dates_and_funding_are_written_and_read() -> None:
    from crisbridge.model import Funding

    product = Product(
        id="Products/1", type="http://purl.org/coar/resource_type/c_ddb1", titles=[LangString(value="data")],
        publication_date="2020", dates={"Collected": DateRange(start="2019-01", end="2019-06"), "Updated": DateRange(start="2021-02-03")},
        originates_from=[Funding(type="https://www.openaire.eu/cerif-profile/vocab/OpenAIRE_Funding_Types#Award",
                                 names=[LangString(value="Grant", lang="en")], funder=OrgUnit(name="EC"),
                                 identifiers=[GenericIdentifier(type="https://w3id.org/cerif/vocab/IdentifierTypes#ProjectReference", value="101")])],
    )
    read, issues = through_rdf(product)
    assert issues == []
    # the CERIF writer's rule: a Product's publication date is its Dates/Issued
    assert read.dates == {"Collected": DateRange(start="2019-01", end="2019-06"), "Issued": DateRange(start="2020"),
                          "Updated": DateRange(start="2021-02-03")}
    assert canonical(CERIF_WRITERS["1.2"].write(read)[0]) == canonical(CERIF_WRITERS["1.2"].write(product)[0])


# -- streaming ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["nt", "turtle", "jsonld"])
def test_a_stream_writes_each_record_as_it_comes_and_forms_one_graph(fmt: str) -> None:
    entities = [Publication(id=f"Publications/{n}", titles=[LangString(value=f"t{n}")], keywords=[LangString(value="a"), LangString(value="b")])
                for n in range(3)]
    out = io.BytesIO()
    stream = RdfStreamWriter(out, fmt)
    sizes = []
    expected = Graph()
    for entity in entities:
        triples, _ = WRITER.triples(entity)
        stream.add(render(triples, fmt))
        sizes.append(len(out.getvalue()))
        expected += graph_of(triples)
    stream.close()
    assert sizes[0] < sizes[1] < sizes[2]  # written record by record, not held back
    got = parse_rdf(out.getvalue(), {"jsonld": "json-ld"}.get(fmt, fmt))
    assert isomorphic(expected, got), iso_diff(expected, got)


# -- the command line ---------------------------------------------------------------------------

RECORDS = (
    "zenodo-oaipmh-scythe/records/datacite4/oai_zenodo.org_10357859.xml",
    "dspace-eur-pyoai/records/oai_dc/hdl_1765_1131.xml",
    "openaire-dnet-hadoop/records/oai_dc/oai_lib.psnc.pl_169.xml",
    "dspace-eur-pyoai/original/fake2/00000.xml",
)


def crisbridge(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "crisbridge", *args], capture_output=True, timeout=600)


@pytest.fixture()
def harvest(tmp_path: Path, reference: Path) -> Path:
    folder = tmp_path / "harvest"
    folder.mkdir()
    for n, rel in enumerate(RECORDS):
        shutil.copy(reference / "real-records" / rel, folder / f"{n}.xml")
    return folder


def library_graph(inputs: Path, base: str = DEFAULT_BASE) -> Graph:
    writer = RdfWriter(base)
    graph = Graph()
    for r in Converter().convert([inputs]):
        if isinstance(r, RecordResult):
            for e in r.entities:
                graph += graph_of(writer.triples(e.entity)[0])
    return graph


@pytest.mark.parametrize(("fmt", "parse_as"), [("nt", "nt"), ("turtle", "turtle"), ("jsonld", "json-ld")])
def test_cli_writes_the_library_graph_in_each_format(fmt: str, parse_as: str, harvest: Path, tmp_path: Path) -> None:
    out, report_file = tmp_path / f"out.{fmt}", tmp_path / "report.json"
    run = crisbridge("convert", str(harvest), "--to", "rdf", "--rdf-format", fmt, "-o", str(out), "--report", str(report_file))
    assert run.returncode in (0, 1), run.stderr.decode()
    expected, got = library_graph(harvest), parse_rdf(out, parse_as)
    assert len(got) > 100
    assert isomorphic(expected, got), iso_diff(expected, got)
    report = json.loads(report_file.read_text(encoding="utf-8"))
    s = report["summary"]
    assert s["records"] == s["converted"] + s["deleted"] + s["failed"] and s["deleted"] >= 1
    codes = {i["code"] for r in report["records"] for i in r["issues"]}
    assert not any(c.startswith("cerif.") for c in codes), codes  # the RDF writer's issues replace the CERIF writer's


def test_cli_writes_rdf_to_stdout_with_a_base(harvest: Path) -> None:
    run = crisbridge("convert", str(harvest / "0.xml"), "--to", "rdf", "--rdf-format", "nt", "--rdf-base", "https://cris.example.org/")
    assert run.returncode == 0, run.stderr.decode()
    expected, got = library_graph(harvest / "0.xml", "https://cris.example.org/"), parse_rdf(run.stdout, "nt")
    assert isomorphic(expected, got), iso_diff(expected, got)
    assert all(str(s).startswith("https://cris.example.org/") for s in got.subjects() if not isinstance(s, BNode))


def test_cli_refuses_a_base_that_is_no_iri(harvest: Path) -> None:
    run = crisbridge("convert", str(harvest), "--to", "rdf", "--rdf-base", "not an iri")
    assert run.returncode == 2 and b"not an absolute IRI" in run.stderr


def test_cli_converts_bridge_rdf_to_the_same_cerif_as_the_direct_path(harvest: Path, tmp_path: Path) -> None:
    ttl, via_rdf, direct = tmp_path / "out.ttl", tmp_path / "via-rdf.xml", tmp_path / "direct.xml"
    assert crisbridge("convert", str(harvest), "--to", "rdf", "-o", str(ttl)).returncode in (0, 1)
    assert crisbridge("convert", str(harvest), "-o", str(direct)).returncode in (0, 1)
    run = crisbridge("convert", str(ttl), "-o", str(via_rdf), "--report", str(tmp_path / "report.json"))  # --from auto: .ttl is RDF
    assert run.returncode == 0, run.stderr.decode()

    def entities(path: Path) -> dict[str, str]:
        root = etree.parse(str(path)).getroot()
        return {m[0].get("id"): canonical(m[0]) for m in root.iter("{http://www.openarchives.org/OAI/2.0/}metadata")}

    assert entities(via_rdf) == entities(direct)


def test_cli_writes_one_file_per_entity_into_a_folder(harvest: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    run = crisbridge("convert", str(harvest), "--to", "rdf", "--rdf-format", "turtle", "-o", f"{folder}/")
    assert run.returncode in (0, 1), run.stderr.decode()
    files = sorted(folder.rglob("*.ttl"))
    assert files and all(f.parent.name in ("Publications", "Products", "Patents") for f in files)
    merged = Graph()
    for f in files:
        merged += parse_rdf(f)
    assert isomorphic(library_graph(harvest), merged)
    assert (folder / "deleted.txt").is_file()


def test_cli_reads_rdf_from_stdin_and_reports_a_file_that_is_no_rdf(harvest: Path, tmp_path: Path) -> None:
    nt = tmp_path / "rdf" / "good.nt"
    nt.parent.mkdir()
    assert crisbridge("convert", str(harvest / "0.xml"), "--to", "rdf", "--rdf-format", "nt", "-o", str(nt)).returncode == 0
    (nt.parent / "broken.ttl").write_text("<https://x.org/a> <https://x.org/p> .\n", encoding="utf-8")
    report_file = tmp_path / "report.json"
    run = crisbridge("convert", str(nt.parent), "--from", "rdf", "-o", str(tmp_path / "out.xml"), "--report", str(report_file))
    assert run.returncode == 1, run.stderr.decode()
    records = json.loads(report_file.read_text(encoding="utf-8"))["records"]
    assert sorted((Path(r["source"]).name, r["status"]) for r in records) == [("broken.ttl", "failed"), ("good.nt", "converted")]
    assert [i["code"] for r in records if r["status"] == "failed" for i in r["issues"]] == ["rdf.not-parsed"]

    piped = subprocess.run([sys.executable, "-m", "crisbridge", "convert", "-", "--from", "rdf", "--rdf-format", "nt"],
                           input=nt.read_bytes(), capture_output=True, timeout=600)
    assert piped.returncode == 0, piped.stderr.decode()
    assert b"<Publication" in piped.stdout or b"<Product" in piped.stdout
