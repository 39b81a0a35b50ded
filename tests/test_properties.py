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
