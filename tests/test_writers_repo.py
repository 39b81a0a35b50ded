"""Writers for the repository side: the model -> oai_dc (OpenAIRE Literature Guidelines 3) and
-> DataCite kernel 4.7, driven by mappings/out/*.yaml.

What is checked: the conventions each format's guidelines ask for (info:eu-repo types, access
rights, embargo end dates and grant agreements in DC; ORCID and ROR, funding references,
related identifiers and items, dates and SPDX rights in DataCite), every record of the real
corpus written valid against the official XSD, and the mapping files' reverse tables (refused
when ambiguous, with the file and line).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from crisbridge.errors import MappingError
from crisbridge.issues import Severity
from crisbridge.model import (
    Classification,
    Contributor,
    DateRange,
    Funding,
    GenericIdentifier,
    LangString,
    Medium,
    OrgUnit,
    Patent,
    Person,
    PersonName,
    Product,
    Publication,
    ResearchOutput,
)
from crisbridge.pipeline import RecordResult
from crisbridge.report import Status
from crisbridge.writers.repository import RepositoryConverter, RepositoryWriter, shipped_writer

DC = "{http://purl.org/dc/elements/1.1/}"
DATACITE = "{http://datacite.org/schema/kernel-4}"
COAR = "http://purl.org/coar/resource_type/"
AWARD = "https://w3id.org/cerif/vocab/IdentifierTypes#ProjectReference"


class _LocalSchemas(etree.Resolver):
    """oai_dc.xsd imports DCMI's simpledc and the W3C xml.xsd from the web: read the local copies."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
        name = (url or "").rsplit("/", 1)[-1]
        if name in ("simpledc20021212.xsd", "xml.xsd"):
            return self.resolve_filename(str(self.folder / name), context)
        return None


@pytest.fixture(scope="session")
def dc_schema(reference: Path) -> etree.XMLSchema:
    parser = etree.XMLParser()
    parser.resolvers.add(_LocalSchemas(reference / "oai_dc"))
    return etree.XMLSchema(etree.parse(str(reference / "oai_dc" / "oai_dc.xsd"), parser))


@pytest.fixture(scope="session")
def datacite_schema(reference: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(reference / "datacite" / "kernel-4.7" / "metadata.xsd")))


def write(target: str, entity: ResearchOutput) -> tuple[Any, list[Any]]:
    element, issues = shipped_writer(target).write(entity, record="test")
    assert element is not None, [i.message for i in issues]
    return element, issues


def texts(element: Any, tag: str) -> list[str]:
    return [e.text or "" for e in element.iter(tag)]


def article(**extra: Any) -> Publication:
    fields: dict[str, Any] = {
        "id": "Publications/1",
        "type": COAR + "c_6501",
        "titles": [LangString(value="Soil moisture memory", lang="en")],
        "creators": [Contributor(display_name="Müller, Anna", person=Person(name=PersonName(family="Müller", given="Anna"), orcid="https://orcid.org/0000-0002-1825-0097"),
                                 affiliations=[OrgUnit(name="Example Institute", ror="https://ror.org/04wxnsj81")])],
        "publishers": [Contributor(display_name="Example Press", org_unit=OrgUnit(name="Example Press"))],
        "publication_date": "2025-03-14",
    }
    fields.update(extra)
    return Publication(**fields)


def ec_grant() -> Funding:
    return Funding(type="https://www.openaire.eu/cerif-profile/vocab/OpenAIRE_Funding_Types#Contract",
                   identifiers=[GenericIdentifier(type=AWARD, value="101000001")], names=[LangString(value="Alpine Water Futures")], acronym="AWF",
                   funder=OrgUnit(name="European Commission", fundref="https://doi.org/10.13039/501100000780", acronym="EC"),
                   part_of=Funding(acronym="H2020"))


# -- oai_dc: OpenAIRE Literature Guidelines 3 --------------------------------------------------


def test_dc_type_is_the_info_eu_repo_term_read_backwards_from_the_shared_table() -> None:
    element, _ = write("oai_dc", article())
    assert texts(element, DC + "type") == ["info:eu-repo/semantics/article"]


def test_dc_type_without_a_term_of_its_own_keeps_the_coar_uri_before_the_broader_term() -> None:
    # research article has no info:eu-repo term; its broader journal article has
    element, _ = write("oai_dc", article(type=COAR + "c_2df8fbb1"))
    assert texts(element, DC + "type") == [COAR + "c_2df8fbb1", "info:eu-repo/semantics/article"]
    # text has no term and no broader type with one: the Guidelines' "other"
    element, _ = write("oai_dc", article(type=COAR + "c_18cf"))
    assert texts(element, DC + "type") == [COAR + "c_18cf", "info:eu-repo/semantics/other"]


def test_dc_access_embargo_licence_and_language() -> None:
    element, _ = write("oai_dc", article(access="http://purl.org/coar/access_right/c_f1cf", access_end_date="2027-03-31",
                                         licenses=[Classification(scheme="https://spdx.org/licenses", value="https://spdx.org/licenses/CC-BY-4.0")],
                                         languages=["de", "en-GB"]))
    assert texts(element, DC + "rights") == ["info:eu-repo/semantics/embargoedAccess", "https://creativecommons.org/licenses/by/4.0"]
    assert texts(element, DC + "date") == ["2025-03-14", "info:eu-repo/date/embargoEnd/2027-03-31"]
    # ISO 639-3: the terminology code where ISO 639-2 also has a bibliographic one
    assert texts(element, DC + "language") == ["deu", "eng"]


def test_dc_grant_agreement() -> None:
    element, _ = write("oai_dc", article(originates_from=[ec_grant()]))
    assert texts(element, DC + "relation") == ["info:eu-repo/grantAgreement/EC/H2020/101000001//Alpine Water Futures/AWF"]
    # a funder known only by its Crossref Funder ID gets its key from the funders table
    grant = ec_grant().model_copy(update={"funder": OrgUnit(fundref="https://doi.org/10.13039/501100000780"), "part_of": None, "names": [], "acronym": None})
    element, _ = write("oai_dc", article(originates_from=[grant]))
    assert texts(element, DC + "relation") == ["info:eu-repo/grantAgreement/EC//101000001"]


def test_dc_identifiers_files_and_journal() -> None:
    container = Publication(titles=[LangString(value="Journal of Hydrology", lang="en")], issns=["0022-1694"])
    element, _ = write("oai_dc", article(doi="10.5555/x.1", handle="1765/308", published_in=container, volume="12", issue="3", start_page="101", end_page="118",
                                         media=[Medium(mime_type="application/pdf", uri="https://host/retrieve/2316/My File.pdf", size=1234)]))
    assert texts(element, DC + "identifier") == ["https://doi.org/10.5555/x.1", "http://hdl.handle.net/1765/308"]
    assert texts(element, DC + "source") == ["Journal of Hydrology; Vol. 12 No. 3; 101-118", "0022-1694"]
    assert texts(element, DC + "format") == ["application/pdf https://host/retrieve/2316/My%20File.pdf", "1234 bytes"]


def test_dc_reports_what_it_has_no_place_for() -> None:
    _, issues = write("oai_dc", article(version_info=[LangString(value="2")], editors=[Contributor(display_name="Ed, Itor")]))
    codes = {(i.code, i.message.split(" not written")[0]) for i in issues}
    assert ("out.no-place", "version_info") in codes
    assert not [i for i in issues if i.code == "out.no-rule"]


def test_dc_shows_what_it_did_not_write_as_a_user_would_write_it() -> None:
    # the model's repr ("[LangString(value='v0.1', lang=None, trans=None)]") is no way to tell a
    # repository manager which value was left out
    series = Publication(type="http://purl.org/coar/resource_type/c_0640", titles=[LangString(value="Working papers", lang="en")])
    _, issues = write("oai_dc", article(version_info=[LangString(value="v0.1")], part_of=series))
    values = {i.message.split(" not written")[0]: i.location.value for i in issues if i.code == "out.no-place"}
    assert values["version_info"] == "v0.1"
    assert values["part_of"] == "Working papers@en (type: http://purl.org/coar/resource_type/c_0640)"
    shown = " ".join(f"{i.message} {i.location.value}" for i in issues)
    assert "LangString" not in shown and "=None" not in shown


# -- DataCite kernel 4.7 -------------------------------------------------------------------------


def test_datacite_creator_with_orcid_and_ror_affiliation() -> None:
    element, _ = write("datacite", article())
    creator = element.find(f"{DATACITE}creators/{DATACITE}creator")
    assert creator.find(DATACITE + "creatorName").get("nameType") == "Personal"
    assert [c.tag.split("}")[1] for c in creator] == ["creatorName", "givenName", "familyName", "nameIdentifier", "affiliation"]
    ident = creator.find(DATACITE + "nameIdentifier")
    assert (ident.text, ident.get("nameIdentifierScheme"), ident.get("schemeURI")) == ("https://orcid.org/0000-0002-1825-0097", "ORCID", "https://orcid.org")
    aff = creator.find(DATACITE + "affiliation")
    assert (aff.text, aff.get("affiliationIdentifier"), aff.get("affiliationIdentifierScheme")) == ("Example Institute", "https://ror.org/04wxnsj81", "ROR")


def test_datacite_resource_type_general_reads_the_shared_table_backwards() -> None:
    def general(coar: str, cls: type[ResearchOutput] = Product) -> str:
        element, _ = write("datacite", cls(**{**article().model_dump(exclude={"entity"}), "type": coar}))
        return str(element.find(DATACITE + "resourceType").get("resourceTypeGeneral"))

    assert general(COAR + "c_ddb1") == "Dataset"
    assert general(COAR + "c_6501", Publication) == "JournalArticle"
    # several DataCite types share these COAR types: the mapping file's `prefer` picks
    assert general(COAR + "c_1843") == "Other"
    assert general(COAR + "c_5ce6") == "Software"
    # a type with no DataCite counterpart takes its broader type's (doctoral thesis -> thesis)
    assert general(COAR + "c_db06", Publication) == "Dissertation"


def test_datacite_funding_dates_rights_and_the_journal() -> None:
    container = Publication(titles=[LangString(value="Journal of Hydrology")], issns=["0022-1694", "1879-2707"],
                            issn_media={"1879-2707": "http://issn.org/vocabularies/Medium#Online"}, type=COAR + "c_0640")
    element, _ = write("datacite", article(originates_from=[ec_grant()], access="http://purl.org/coar/access_right/c_f1cf", access_end_date="2027-03-31",
                                           licenses=[Classification(scheme="https://spdx.org/licenses", value="https://spdx.org/licenses/CC-BY-4.0")],
                                           published_in=container, volume="12", start_page="101"))
    ref = element.find(f"{DATACITE}fundingReferences/{DATACITE}fundingReference")
    assert ref.findtext(DATACITE + "funderName") == "European Commission"
    assert ref.find(DATACITE + "funderIdentifier").get("funderIdentifierType") == "Crossref Funder ID"
    assert ref.findtext(DATACITE + "awardNumber") == "101000001"
    dates = {d.get("dateType"): d.text for d in element.iter(DATACITE + "date")}
    assert dates == {"Issued": "2025-03-14", "Available": "2027-03-31"}  # OpenAIRE: the embargo ends when Available
    assert element.findtext(DATACITE + "publicationYear") == "2025"
    rights = element.findall(f"{DATACITE}rightsList/{DATACITE}rights")
    assert rights[0].get("rightsURI") == "info:eu-repo/semantics/embargoedAccess"
    assert (rights[1].get("rightsIdentifier"), rights[1].get("rightsIdentifierScheme")) == ("CC-BY-4.0", "SPDX")
    item = element.find(f"{DATACITE}relatedItems/{DATACITE}relatedItem")
    assert (item.get("relationType"), item.get("relatedItemType")) == ("IsPublishedIn", "Journal")
    assert item.findtext(DATACITE + "relatedItemIdentifier") == "0022-1694"
    assert [c.tag.split("}")[1] for c in item] == ["relatedItemIdentifier", "titles", "volume", "firstPage"]
    related = [(r.get("relatedIdentifierType"), r.text) for r in element.iter(DATACITE + "relatedIdentifier")]
    assert related == [("EISSN", "1879-2707")]  # the item holds the first identifier; the online ISSN is related


def test_datacite_required_elements() -> None:
    # no publisher: DataCite's ":unav"; no date at all and no OAI-PMH header: no publicationYear
    element, issues = shipped_writer("datacite").write(article(publishers=[], publication_date=None))
    assert element is not None
    assert element.findtext(DATACITE + "publisher") == ":unav"
    assert {i.code for i in issues} >= {"out.placeholder", "out.missing-required"}


def test_datacite_year_falls_back_on_the_outputs_own_dates_then_the_header_datestamp() -> None:
    writer = shipped_writer("datacite")

    def year(entity: ResearchOutput, datestamp: str | None = None) -> tuple[str | None, list[tuple[str, str | None]]]:
        element, issues = writer.write(entity, record="test", datestamp=datestamp)
        found = [(i.code, i.location.value) for i in issues
                 if i.code.startswith("out.year-") or (i.code == "out.missing-required" and "publicationYear" in i.message)]
        return element.findtext(DATACITE + "publicationYear"), found

    # the publication date, and a Product's Issued date, are the publication itself: no warning
    assert year(article(), "2020-01-01T00:00:00Z") == ("2025", [])
    assert year(Product(titles=[LangString(value="Data")], dates={"Issued": DateRange(start="2019-05")})) == ("2019", [])
    # made available, or the end of an embargo: DataCite's own definition of the year
    assert year(Product(titles=[LangString(value="Data")], dates={"Collected": DateRange(start="2001"), "Available": DateRange(start="2011-12-05")})) \
        == ("2011", [("out.year-from-other-date", "2011-12-05")])
    assert year(article(publication_date=None, access="http://purl.org/coar/access_right/c_f1cf", access_end_date="2027-06-30")) \
        == ("2027", [("out.year-from-other-date", "2027-06-30")])
    # a patent granted, else filed
    patent = Patent(titles=[LangString(value="A valve")], registration_date="2012-03-01", approval_date="2014-11-13")
    assert year(patent) == ("2014", [("out.year-from-other-date", "2014-11-13")])
    assert year(patent.model_copy(update={"approval_date": None})) == ("2012", [("out.year-from-other-date", "2012-03-01")])
    # no date at all: the year of the OAI-PMH header's datestamp, said where it came from
    undated = article(publication_date=None)
    assert year(undated, "2018-01-07T14:00:00Z") == ("2018", [("out.year-from-datestamp", "2018-01-07T14:00:00Z")])
    assert year(undated) == (None, [("out.missing-required", None)])


def test_every_model_field_has_a_rule_or_a_reason() -> None:
    for name in ("oai_dc", "datacite"):
        writer = shipped_writer(name)
        missing = set(ResearchOutput.model_fields) - {"id", "entity"} - writer.covered
        assert not missing, f"{writer.spec.file}: no rule and no no_place entry for {sorted(missing)}"


# -- the mapping files --------------------------------------------------------------------------


def test_an_ambiguous_reverse_table_is_refused_with_file_and_line(tmp_path: Path) -> None:
    spec = tmp_path / "out.yaml"
    spec.write_text(
        "format: datacite\nreads_back_with: datacite\nroot: datacite:resource\n"
        "namespaces: {datacite: http://datacite.org/schema/kernel-4}\n"
        "reverse:\n  general: {table: datacite_resource_types}\n"
        "rules: []\n",
        encoding="utf-8",
    )
    with pytest.raises(MappingError) as caught:
        RepositoryWriter("datacite", spec)
    assert caught.value.file == str(spec) and caught.value.line == 6
    assert "prefer" in caught.value.reason and "c_1843" in caught.value.reason
    spec.write_text(spec.read_text().replace("{table: datacite_resource_types}", "{table: datacite_resource_types, prefer: {x: NotAType}}"))
    with pytest.raises(MappingError, match="NotAType"):
        RepositoryWriter("datacite", spec)


# -- overrides of the writer mappings -------------------------------------------------------------

# A site that writes the resource type of a journal article as kernel 4.3 did (Text), writes
# DOIs in DC the info: way, and never dates a record by its OAI-PMH header.
DATACITE_OVERRIDE = """\
extends: out/datacite
tables:
  resource_types_general:
    http://purl.org/coar/resource_type/c_6501: Text
rules:
  - name: publication-year
    from: [publication_date, dates]
    to: datacite:publicationYear
    write: datacite_publication_year
    options:
      years_from: [publication_date, dates.Issued, dates.Available]
"""
DC_OVERRIDE = """\
extends: out/oai_dc
rules:
  - name: doi
    from: doi
    to: dc:identifier
    write: template
    options: {template: "info:doi/{}"}
"""


def test_a_writer_override_replaces_a_rule_and_a_table_row(tmp_path: Path, reference: Path) -> None:
    from crisbridge.writers.repository import writer_for

    (tmp_path / "datacite.yaml").write_text(DATACITE_OVERRIDE, encoding="utf-8")
    (tmp_path / "dc.yaml").write_text(DC_OVERRIDE, encoding="utf-8")
    overrides = [tmp_path / "datacite.yaml", tmp_path / "dc.yaml"]
    sample = reference / "openaire-cris" / "v1.2.0" / "samples" / "openaire_cerif_xml_example_publications.xml"

    def general_types(converter: RepositoryConverter) -> dict[str | None, str | None]:
        return {r.source_id: r.entities[0].element.find(DATACITE + "resourceType").get("resourceTypeGeneral")
                for r in converter.convert([sample]) if isinstance(r, RecordResult) and r.entities}

    shipped = general_types(RepositoryConverter("datacite"))
    assert shipped["oai:cris.example.org:Publications/812348"] == "JournalArticle" and len(shipped) == 7
    # the table row: a journal article is Text; the rule: an undated record fails as before
    overridden = RepositoryConverter("datacite", mapping_files=overrides)
    assert general_types(overridden) == {"oai:cris.example.org:Publications/812348": "Text", "oai:cris.example.org:Publications/4123451": "ConferencePaper"}
    failed = [r for r in overridden.convert([sample]) if isinstance(r, RecordResult) and r.status is Status.FAILED]
    assert len(failed) == 5 and all("out.missing-required" in {i.code for i in r.issues} for r in failed)
    # the other writer takes its own override; the shipped writers are left as they are
    element, _ = writer_for("oai_dc", tuple(overrides)).write(article(doi="10.1234/abc"))
    assert "info:doi/10.1234/abc" in texts(element, DC + "identifier")
    assert "https://doi.org/10.1234/abc" in texts(write("oai_dc", article(doi="10.1234/abc"))[0], DC + "identifier")
    assert writer_for("datacite", tuple(overrides)).tables["resource_types_general"][COAR + "c_6501"] == "Text"
    assert shipped_writer("datacite").tables["resource_types_general"][COAR + "c_6501"] == "JournalArticle"


@pytest.mark.parametrize(("text", "line", "reason"), [
    ("extends: out/datacit\n", 1, "extends unknown mapping 'out/datacit'; known: datacite, oai_dc, oai_openaire, out/datacite, out/oai_dc"),
    ("extends: out/datacite\ntables:\n  resource_typs_general: {x: Text}\n", 3, "table 'resource_typs_general' is read by no rule"),
    ("extends: out/datacite\nrules:\n  - name: publication-year\n    from: publication_date\n    to: datacite:publicationYear\n"
     "    write: datacite_publication_year\n    options: {years_from: [publication_date, approval_date]}\n", 7,  # at options:
     "rule 'publication-year': the year may come from approval_date, which the rule does not read"),
    ("extends: out/oai_dc\nrules:\n  - {name: doi, from: doi, to: dcx:identifier, write: text}\n", 3, "namespace prefix 'dcx' is not declared"),
    ("extends: out/oai_dc\nrules:\n  - {name: doi, from: doi, to: dc:identifier, write: txet}\n", 3, "unknown write function 'txet'"),
    ("extends: out/oai_dc\nrulez: []\n", 2, "rulez: Extra inputs are not permitted"),
    # block style: the key at fault, not the rule's first line
    ("extends: out/oai_dc\nrules:\n  - name: doi\n    from: doi\n    to: dc:identifier\n    write: txet\n", 6, "unknown write function 'txet'"),
    ("extends: out/oai_dc\nrules:\n  - name: doi\n    from: doi\n    to: dcx:identifier\n", 5, "namespace prefix 'dcx' is not declared"),
    ("extends: out/oai_dc\nrules:\n  - name: doi\n    from: [doi, doi_typo]\n    to: dc:identifier\n", 4, "unknown model field(s) ['doi_typo']"),
    ("extends: out/oai_dc\nrules:\n  - name: doi\n    from: doi\n    to: dc:identifier\n    table: nope\n", 6, "unknown table 'nope'"),
])
def test_a_broken_writer_override_is_refused_with_its_file_and_line(tmp_path: Path, text: str, line: int, reason: str) -> None:
    from crisbridge.mapping import registry

    override = tmp_path / "override.yaml"
    override.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        registry.check_overrides((override,))  # as convert, roundtrip and mappings check load --mapping files
    assert (caught.value.file, caught.value.line) == (str(override), line)
    assert reason in caught.value.reason


# -- the real corpus, written valid ------------------------------------------------------------


@pytest.mark.parametrize("target", ["oai_dc", "datacite"])
def test_every_record_of_the_corpus_is_written_valid(target: str, reference: Path, dc_schema: etree.XMLSchema, datacite_schema: etree.XMLSchema) -> None:
    schema = dc_schema if target == "oai_dc" else datacite_schema
    invalid, written, failed_codes = {}, 0, set()
    for result in RepositoryConverter(target).convert([reference / "real-records"]):
        if not isinstance(result, RecordResult):
            continue
        if result.status is Status.FAILED:
            failed_codes |= {i.code for i in result.issues if i.severity.value == "error"}
        for entity in result.entities:
            written += 1
            if not schema.validate(entity.element):
                invalid[result.source] = str(schema.error_log.last_error)
    assert written > 1000
    assert not invalid, invalid
    # a record fails only for its own reasons: unreadable, no title, a format the bridge does not
    # read, or (DataCite) no date at all and no OAI-PMH header to give publicationYear
    assert failed_codes <= {"xml.not-well-formed", "xml.empty", "map.no-title", "input.unknown-format", "out.missing-required"}


PROFILE_SAMPLES = ("v1.1.1/samples", "v1.2.0/samples", "validator/samples")


def test_every_research_output_of_the_profile_samples_is_written_valid_datacite(reference: Path, datacite_schema: etree.XMLSchema) -> None:
    """The official samples of profile 1.1 and 1.2 and the euroCRIS validator's: most of their
    outputs carry no date at all, so their publicationYear is the year of the OAI-PMH header's
    datestamp, and the report says so."""
    outputs, from_datestamp = 0, 0
    for result in RepositoryConverter("datacite").convert([reference / "openaire-cris" / s for s in PROFILE_SAMPLES]):
        if not isinstance(result, RecordResult) or result.status is Status.DELETED:
            continue
        errors = {i.code for i in result.issues if i.severity is Severity.ERROR}
        if result.status is Status.FAILED:
            # a Person, OrgUnit, Project, ... has no DataCite record; the validator's 1.2 responses
            # are git symbolic links to the guidelines' samples, stored as the path they point to
            assert errors and errors <= {"out.not-an-output", "xml.not-well-formed"}, (result.source, result.source_id, result.issues)
            for issue in result.issues:
                if issue.code == "out.not-an-output":
                    said = re.match(r"(an?) (Person|OrgUnit|Project|Funding|Event|Equipment) is not a research output: "
                                    r"datacite records are written for Publications, Products and Patents only", issue.message)
                    assert said and (said[1] == "an") == (said[2][0] in "AEIOU"), issue.message
            continue
        outputs += 1
        assert not errors, (result.source_id, result.issues)
        [written] = result.entities
        assert datacite_schema.validate(written.element), (result.source_id, str(datacite_schema.error_log.last_error))
        entity = written.entity
        dated = bool(entity.dates) or any(getattr(entity, name) for name in type(entity).model_fields if name.endswith("_date"))
        stamped = [i for i in result.issues if i.code == "out.year-from-datestamp"]
        if dated:
            assert not stamped, (result.source_id, stamped)
            continue
        from_datestamp += 1
        assert result.datestamp is not None
        assert [(i.severity, i.location.value) for i in stamped] == [(Severity.WARNING, result.datestamp)], (result.source_id, result.issues)
        assert f"OAI-PMH header datestamp {result.datestamp}" in stamped[0].message
        assert written.element.findtext(DATACITE + "publicationYear") == result.datestamp[:4]
    # 14 outputs in each set (Publications, Products, Patents; the validator's from its 1.1 responses)
    assert outputs == 42
    assert from_datestamp == 28


def test_cerif_input_is_read_with_the_cerif_reader(tmp_path: Path) -> None:
    from crisbridge.pipeline import Converter

    source = Path(__file__).resolve().parent.parent / "examples" / "harvest.xml"
    cerif = [r for r in Converter().convert([source]) if isinstance(r, RecordResult) and r.entities]
    folder = tmp_path / "cerif"
    folder.mkdir()
    for n, r in enumerate(cerif):
        (folder / f"{n}.xml").write_bytes(r.xml)
    results = [r for r in RepositoryConverter("datacite").convert([folder]) if isinstance(r, RecordResult)]
    assert [r.status for r in results] == [Status.CONVERTED] * len(cerif)
    dois = sorted(r.entities[0].element.findtext(DATACITE + "identifier") for r in results)
    assert dois == sorted(r.entities[0].entity.doi for r in cerif)


# -- the command line ---------------------------------------------------------------------------


def test_cli_convert_to_oai_dc_and_datacite(tmp_path: Path, oai_pmh_schema: etree.XMLSchema, datacite_schema: etree.XMLSchema) -> None:
    import json
    import subprocess
    import sys

    example = Path(__file__).resolve().parent.parent / "examples" / "harvest.xml"

    def crisbridge(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "crisbridge", *args], capture_output=True, timeout=600)

    # DC and DataCite records (and a deleted one) -> one ListRecords document of oai_dc
    out, report = tmp_path / "dc.xml", tmp_path / "dc.json"
    done = crisbridge("convert", str(example), "--to", "oai_dc", "-o", str(out), "--report", str(report))
    assert done.returncode == 0, done.stderr
    doc = etree.parse(str(out))
    assert oai_pmh_schema.validate(doc), oai_pmh_schema.error_log
    assert doc.getroot().find("{http://www.openarchives.org/OAI/2.0/}request").get("metadataPrefix") == "oai_dc"
    assert len(doc.findall(f".//{DC}title")) == 2
    summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    assert (summary["records"], summary["converted"], summary["deleted"]) == (3, 2, 1)

    # CERIF XML -> DataCite, one file per record
    cerif = tmp_path / "cerif.xml"
    assert crisbridge("convert", str(example), "-o", str(cerif)).returncode == 0
    folder = tmp_path / "datacite"
    done = crisbridge("convert", str(cerif), "--to", "datacite", "-o", f"{folder}/")
    assert done.returncode == 0, done.stderr
    files = sorted(folder.rglob("*.xml"))
    assert len(files) == 2
    for f in files:
        assert datacite_schema.validate(etree.parse(str(f))), datacite_schema.error_log


def test_cli_lists_and_checks_the_writer_mappings(tmp_path: Path) -> None:
    import subprocess
    import sys

    def crisbridge(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "crisbridge", *args], capture_output=True, timeout=600)

    listed = crisbridge("mappings", "list").stdout.decode()
    assert "\nout/oai_dc\t" in listed and "\nout/datacite\t" in listed
    shipped = [line.split("\t")[1] for line in listed.splitlines() if line.startswith("out/")]
    assert crisbridge("mappings", "check", *shipped).returncode == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: oai_dc\nreads_back_with: oai_dc\nroot: oai_dc:dc\nnamespaces: {oai_dc: urn:x}\n"
                      "rules:\n  - {name: t, from: titlez, to: oai_dc:t}\n", encoding="utf-8")
    done = crisbridge("mappings", "check", str(broken))
    assert done.returncode == 2 and f"{broken}:6: unknown model field(s) ['titlez']".encode() in done.stderr


def test_cli_takes_writer_overrides_as_it_takes_source_ones(tmp_path: Path, reference: Path) -> None:
    import subprocess
    import sys

    def crisbridge(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "crisbridge", *args], capture_output=True, timeout=600)

    override, broken = tmp_path / "datacite.yaml", tmp_path / "broken.yaml"
    override.write_text(DATACITE_OVERRIDE, encoding="utf-8")
    broken.write_text(DATACITE_OVERRIDE.replace("resource_types_general", "resource_typs_general"), encoding="utf-8")
    sample = reference / "openaire-cris" / "v1.2.0" / "samples" / "openaire_cerif_xml_example_publications.xml"
    out = tmp_path / "out.xml"
    done = crisbridge("convert", str(sample), "--to", "datacite", "--mapping", str(override), "-o", str(out))
    assert done.returncode == 1, done.stderr  # the undated records fail, as the override asks
    assert b"out.missing-required: datacite:publicationYear" in done.stderr
    general = [e.get("resourceTypeGeneral") for e in etree.parse(str(out)).iter(DATACITE + "resourceType")]
    assert general == ["Text", "ConferencePaper"]
    # a broken override stops every command that takes --mapping, with its file and line (exit 2)
    for args in (["convert", str(sample), "--to", "datacite"], ["convert", str(sample)], ["roundtrip", str(sample)], ["mappings", "check"]):
        done = crisbridge(*args, *(["--mapping"] if args[0] != "mappings" else []), str(broken))
        assert done.returncode == 2 and f"{broken}:3: table 'resource_typs_general'".encode() in done.stderr, (args, done.stderr)
    assert crisbridge("mappings", "check", str(override)).returncode == 0


def test_the_guides_writer_override_is_the_one_tested() -> None:
    import yaml

    guide = (Path(__file__).resolve().parent.parent / "docs" / "mapping-guide.md").read_text(encoding="utf-8")
    section = guide.split("## Overriding a writer mapping", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert yaml.safe_load(example) == yaml.safe_load(DATACITE_OVERRIDE)
