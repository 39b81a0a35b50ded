"""Property tests: for any model the writer accepts, model -> CERIF XML -> model and
model -> RDF -> model give back the same model (issue: honest round trips, item 5)."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from rdflib import Graph

from crisbridge.mapping import identifiers
from crisbridge.model import (
    Classification,
    Contributor,
    DateRange,
    Funding,
    GenericIdentifier,
    LangString,
    OrgUnit,
    Patent,
    Person,
    PersonName,
    Product,
    Publication,
)
from crisbridge.readers.cerif import read_entity
from crisbridge.readers.rdf import read_graph
from crisbridge.writers.cerif import CerifWriter
from crisbridge.writers.rdf import RdfWriter, to_ntriples

COAR = "http://purl.org/coar/resource_type/"
# types each entity's list in profile 1.2 holds (vocabularies/coar_*_types.xsd)
TYPES = {
    Publication: [COAR + "c_6501", COAR + "c_2f33", COAR + "c_5794", COAR + "c_db06", COAR + "c_18cf"],
    Product: [COAR + "c_ddb1", COAR + "c_5ce6", COAR + "c_c513", COAR + "c_1843"],
    Patent: [COAR + "c_15cd", COAR + "MW8G-3CR8"],
}
ACCESS = "http://purl.org/coar/access_right/"
FUNDING_TYPE = "https://www.openaire.eu/cerif-profile/vocab/OpenAIRE_Funding_Types#"

# text the XML writer can carry: printable, no surrounding space (the reader trims), no controls
text = st.text(alphabet=string.ascii_letters + string.digits + " .,;:-'éüßçøЖ中", min_size=1, max_size=30).map(str.strip).filter(bool)
lang = st.sampled_from([None, "en", "de", "pt-BR"])
lang_string = st.builds(LangString, value=text, lang=lang)


def _orcid(n: int) -> str:
    # the 0000-0002 block lies wholly inside the range ORCID issues from
    from stdnum.iso7064 import mod_11_2

    body = f"00000002{n % 10**7:07d}"
    return identifiers.orcid(body + mod_11_2.calc_check_digit(body))


orcid = st.integers(min_value=0, max_value=10**6).map(_orcid)
doi = st.from_regex(r"10\.[0-9]{4,5}/[a-z0-9]{1,12}", fullmatch=True)
year = st.integers(min_value=1900, max_value=2030)
date = st.one_of(
    year.map(str),
    st.tuples(year, st.integers(1, 12)).map(lambda t: f"{t[0]:04d}-{t[1]:02d}"),
    st.tuples(year, st.integers(1, 12), st.integers(1, 28)).map(lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"),
)
full_date = st.tuples(year, st.integers(1, 12), st.integers(1, 28)).map(lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}")
org = st.builds(OrgUnit, name=text, acronym=st.none() | st.from_regex(r"[A-Z]{2,5}", fullmatch=True))
person = st.builds(
    Person,
    name=st.builds(PersonName, family=text, given=st.none() | text),
    orcid=st.none() | orcid,
)
contributor = st.one_of(
    st.builds(Contributor, display_name=text, person=person, affiliations=st.lists(org, max_size=2)),
    st.builds(Contributor, display_name=text, org_unit=org),
)
funding = st.builds(
    Funding,
    type=st.just(FUNDING_TYPE + "Award"),
    names=st.lists(lang_string, max_size=1),
    identifiers=st.lists(st.builds(GenericIdentifier, type=st.just("https://w3id.org/cerif/vocab/IdentifierTypes#ProjectReference"), value=text), min_size=1, max_size=1),
    funder=st.none() | st.builds(OrgUnit, name=text, fundref=st.just("https://doi.org/10.13039/501100000780")),
)
licence = st.sampled_from(["CC-BY-4.0", "CC0-1.0", "MIT"]).map(lambda s: Classification(scheme="https://spdx.org/licenses", value=f"https://spdx.org/licenses/{s}"))


@st.composite
def outputs(draw: Any) -> Any:
    cls = draw(st.sampled_from([Publication, Product, Patent]))
    fields: dict[str, Any] = {
        "id": f"{cls.__name__}s/{draw(st.uuids())}",
        "type": draw(st.sampled_from(TYPES[cls])),
        "titles": draw(st.lists(lang_string, min_size=1, max_size=2, unique_by=lambda s: (s.value, s.lang))),
        "creators": draw(st.lists(contributor, max_size=3)),
        "keywords": draw(st.lists(lang_string, max_size=3, unique_by=lambda s: (s.value, s.lang))),
        "abstracts": draw(st.lists(lang_string, max_size=1)),
        "originates_from": draw(st.lists(funding, max_size=2)),
    }
    if cls is Publication:
        fields.update(
            languages=draw(st.lists(st.sampled_from(["en", "de"]), max_size=1)),
            publication_date=draw(st.none() | date),
            doi=draw(st.none() | doi),
            volume=draw(st.none() | st.from_regex(r"[1-9][0-9]{0,2}", fullmatch=True)),
            licenses=draw(st.lists(licence, max_size=1)),
        )
        access = draw(st.sampled_from([None, "c_abf2", "c_f1cf", "c_14cb"]))
        if access:
            fields["access"] = ACCESS + access
            if access == "c_f1cf":
                fields["access_end_date"] = draw(full_date)
    elif cls is Product:
        fields.update(
            doi=draw(st.none() | doi),
            languages=draw(st.lists(st.sampled_from(["en", "de", "fr"]), max_size=2, unique=True)),
            version_info=draw(st.lists(lang_string, max_size=1)),
            dates=draw(st.dictionaries(st.sampled_from(["Collected", "Created", "Issued"]), st.builds(DateRange, start=date), max_size=2)),
            licenses=draw(st.lists(licence, max_size=1)),
        )
    else:
        fields.update(publication_date=draw(st.none() | full_date))
    return cls(**fields)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CERIF = CerifWriter("1.2")
RDF = RdfWriter("https://cris.example.org/")


@SETTINGS
@given(outputs())
def test_model_to_cerif_xml_and_back_is_identity(entity: Any) -> None:
    element, issues = CERIF.write(entity)
    assert [i.code for i in issues if i.severity.value != "info"] == []
    # through bytes, as a harvester would see it
    read, read_issues = read_entity(etree.fromstring(etree.tostring(element)))
    assert read_issues == []
    assert read == entity


@SETTINGS
@given(outputs())
def test_model_to_rdf_and_back_is_identity(entity: Any) -> None:
    triples, issues = RDF.triples(entity)
    assert [i for i in issues if i.severity.value == "error"] == []
    graph = Graph().parse(data=to_ntriples(triples), format="nt")
    read = list(read_graph(graph, base="https://cris.example.org/"))
    assert len(read) == 1
    assert read[0].entity == entity


# -- source -> CERIF -> source loses only what the loss report says ----------------------------
#
# Random Dublin Core records whose values are drawn the way repositories write them: the
# vocabulary words the shipped mapping knows (its own tables, so the test follows the mapping
# file), identifiers in their common spellings, dates at year, month and day, OJS citations,
# grant agreements, free text. Each goes through `crisbridge roundtrip`'s machinery; every
# value of the record must be accounted for (carried, respelled, merged, changed, lost), and
# nothing may be changed or lost without a mapping file saying why.

DC = "http://purl.org/dc/elements/1.1/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _table_keys(name: str) -> list[str]:
    from crisbridge.mapping import registry

    return sorted(registry.compiled("oai_dc").tables[name])


words = st.text(alphabet=string.ascii_letters + " éüçø", min_size=2, max_size=20).map(" ".join).map(lambda s: " ".join(s.split())).filter(bool)
family_given = st.tuples(st.sampled_from(["Silva", "Müller", "van Dijk", "O'Brien", "Nakamura", "Kowalska"]),
                         st.sampled_from(["Ana", "Jürgen", "Marie-Claire", "Kenji", "J. R."])).map(", ".join)
dc_date = st.one_of(year.map(str), st.tuples(year, st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
                    st.tuples(year, st.integers(1, 12), st.integers(1, 28)).map(lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}"))
dc_identifier = st.one_of(
    doi.map(lambda d: f"https://doi.org/{d}"), doi.map(lambda d: f"doi:{d}"), doi,
    st.integers(1, 99999).map(lambda n: f"http://hdl.handle.net/10400.1/{n}"),
    st.integers(1, 99999).map(lambda n: f"https://repository.example.org/items/{n}"),
)
grant = st.tuples(st.sampled_from(["EC/H2020", "EC/FP7", "FCT/5876"]), st.integers(100000, 999999)).map(
    lambda t: f"info:eu-repo/grantAgreement/{t[0]}/{t[1]}/EU//")
citation = st.tuples(st.sampled_from(["Revista de Estudos", "Journal of Tests"]), st.integers(1, 60), st.integers(1, 4),
                     st.integers(1, 200)).map(lambda t: f"{t[0]}; Vol. {t[1]} No. {t[2]}; {t[3]}-{t[3] + 12}")


@st.composite
def dc_records(draw: Any) -> Any:
    fields: list[tuple[str, str, str | None]] = []

    def add(name: str, values: Any, lo: int = 0, hi: int = 2, langs: bool = False) -> None:
        for value in draw(st.lists(values, min_size=lo, max_size=hi, unique=True)):
            fields.append((name, value, draw(st.sampled_from([None, "en", "pt"])) if langs else None))

    add("title", words, 1, 2, langs=True)
    add("creator", family_given, 0, 3)
    add("subject", words, 0, 3)
    add("description", words, 0, 1, langs=True)
    add("publisher", words, 0, 1)
    add("date", dc_date, 0, 1)
    add("type", st.sampled_from(_table_keys("resource_types")), 0, 1)
    add("identifier", dc_identifier, 0, 3)
    add("language", st.sampled_from(["en", "eng", "por", "pt", "de", "fra"]), 0, 1)
    add("rights", st.sampled_from([k for k in _table_keys("access_rights") if k.startswith("info:")]), 0, 1)
    add("relation", grant, 0, 1)
    add("source", citation, 0, 1)
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC})
    for name, value, value_lang in fields:
        el = etree.SubElement(root, f"{{{DC}}}{name}")
        el.text = value
        if value_lang:
            el.set(XML_LANG, value_lang)
    return root


_ROUND_TRIP: Any = None


def _round_trip() -> Any:
    global _ROUND_TRIP
    if _ROUND_TRIP is None:
        from crisbridge.roundtrip import RoundTrip

        _ROUND_TRIP = RoundTrip()
    return _ROUND_TRIP


def _explained_round_trip(record: Any, fmt: str) -> Any:
    """The record's round trip, checked: it converted, nothing was lost or changed without a
    mapping file explaining it, and every change names its rule and why or how."""
    from crisbridge.readers import SourceRecord
    from crisbridge.report import Status

    result = _round_trip().record(SourceRecord(source="generated.xml", position=1, payload=record, format=fmt))
    assert result.status is Status.CONVERTED, result.issues
    unexplained = [o for o in result.outcomes if o.loss == "unexpected"]
    assert not unexplained, (unexplained, etree.tostring(record))
    for o in result.outcomes:
        if o.outcome in ("lost", "changed"):
            assert o.rule and (o.reason or o.how), o
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dc_records())
def test_dc_to_cerif_to_dc_loses_only_what_the_report_explains(record: Any) -> None:
    result = _explained_round_trip(record, "oai_dc")
    # every value of the record is accounted for, once
    counted = sum(result.carried.values()) + sum(1 for o in result.outcomes if o.outcome != "added")
    assert counted == sum(1 for el in record if (el.text or "").strip()), (counted, etree.tostring(record))


DATACITE = "http://datacite.org/schema/kernel-4"


@st.composite
def datacite_records(draw: Any) -> Any:
    """DataCite 4 resources as data centres write them: a DOI, people with ORCIDs and
    affiliations, titles of several kinds, subjects with and without schemes, dates, funding,
    rights URIs from the mapping's licence table, a resource type of every general type."""

    def el(parent: Any, name: str, text: str | None = None, **attrs: str) -> Any:
        child = etree.SubElement(parent, f"{{{DATACITE}}}{name}", {k: v for k, v in attrs.items() if v is not None})
        child.text = text
        return child

    root = etree.Element(f"{{{DATACITE}}}resource", nsmap={None: DATACITE})
    el(root, "identifier", draw(doi), identifierType="DOI")
    creators = el(root, "creators")
    for family, given_name in draw(st.lists(st.tuples(st.sampled_from(["Silva", "Müller", "Nakamura"]), st.sampled_from(["Ana", "Kenji"])),
                                       min_size=1, max_size=3, unique=True)):
        creator = el(creators, "creator")
        el(creator, "creatorName", f"{family}, {given_name}", nameType="Personal")
        el(creator, "givenName", given_name)
        el(creator, "familyName", family)
        if draw(st.booleans()):
            el(creator, "nameIdentifier", draw(orcid), nameIdentifierScheme="ORCID", schemeURI="https://orcid.org")
        if draw(st.booleans()):
            el(creator, "affiliation", draw(st.sampled_from(["Universidade do Minho", "CERN"])))
    titles = el(root, "titles")
    el(titles, "title", draw(words), **{XML_LANG: draw(st.sampled_from([None, "en", "de"]))})
    if draw(st.booleans()):
        el(titles, "title", draw(words), titleType=draw(st.sampled_from(["Subtitle", "AlternativeTitle", "TranslatedTitle"])))
    el(root, "publisher", draw(st.sampled_from(["Zenodo", "PANGAEA", "Universidade do Minho"])))
    el(root, "publicationYear", str(draw(year)))
    el(root, "resourceType", draw(st.sampled_from([None, "Journal article", "Time series"])), resourceTypeGeneral=draw(st.sampled_from(_datacite_types())))
    if draw(st.booleans()):
        subjects = el(root, "subjects")
        for word in draw(st.lists(words, min_size=1, max_size=3, unique=True)):
            el(subjects, "subject", word, subjectScheme=draw(st.sampled_from([None, "ddc"])))
    if draw(st.booleans()):
        dates = el(root, "dates")
        el(dates, "date", draw(dc_date), dateType=draw(st.sampled_from(["Issued", "Available", "Created", "Collected"])))
    if draw(st.booleans()):
        el(root, "language", draw(st.sampled_from(["en", "de", "pt-BR"])))
    if draw(st.booleans()):
        rights = el(root, "rightsList")
        el(rights, "rights", None, rightsURI=draw(st.sampled_from(["https://creativecommons.org/licenses/by/4.0/",
                                                                    "info:eu-repo/semantics/openAccess"])))
    if draw(st.booleans()):
        descriptions = el(root, "descriptions")
        el(descriptions, "description", draw(words), descriptionType=draw(st.sampled_from(["Abstract", "Methods"])))
    if draw(st.booleans()):
        funding = el(el(root, "fundingReferences"), "fundingReference")
        el(funding, "funderName", "European Commission")
        el(funding, "funderIdentifier", "https://doi.org/10.13039/501100000780", funderIdentifierType="Crossref Funder ID")
        el(funding, "awardNumber", str(draw(st.integers(100000, 999999))))
    if draw(st.booleans()):
        el(root, "version", f"{draw(st.integers(1, 9))}.{draw(st.integers(0, 9))}")
    return root


def _datacite_types() -> list[str]:
    """resourceTypeGeneral values as the shipped vocabulary file spells them (the compiled
    tables fold keys to lower case)."""
    from crisbridge.mapping import registry
    from crisbridge.mapping.spec import load_spec

    return sorted(load_spec(registry.mappings_dir() / "vocabularies" / "common.yaml").tables["datacite_resource_types"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datacite_records())
def test_datacite_to_cerif_to_datacite_loses_only_what_the_report_explains(record: Any) -> None:
    _explained_round_trip(record, "datacite")
