"""The neutral model: entities shaped like the OpenAIRE CERIF profile, knowing no XML or RDF.

Field names are neutral (``titles``, ``creators``, ``abstracts``); the CERIF writer decides
which element each becomes for each entity (a Publication's creators are ``Authors``, a
Product's ``Creators``, a Patent's ``Inventors``), following the profile layout files in
``mappings/profiles/``.

Identifier values held here are already in the form the profile requires (bare DOI,
``https://orcid.org/...``, spaced ISNI, ROR and FundRef URIs); the mapping normalises and
checks them before they reach the model.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EntityKind(str, Enum):
    PUBLICATION = "Publication"
    PRODUCT = "Product"
    PATENT = "Patent"
    PERSON = "Person"
    ORGUNIT = "OrgUnit"
    PROJECT = "Project"
    FUNDING = "Funding"
    EVENT = "Event"
    EQUIPMENT = "Equipment"

    @property
    def collection(self) -> str:
        """The plural used in ids and OAI identifiers (``Publications/...``)."""
        return "Fundings" if self is EntityKind.FUNDING else f"{self.value}s"


class LangString(_Model):
    value: str
    lang: str | None = None
    trans: str | None = None  # profile @trans: o (original), h (human) or m (machine translation)


class Classification(_Model):
    """A URI from a scheme (``Subject``, ``License``, ``Status`` in the profile)."""

    scheme: str
    value: str


class GenericIdentifier(_Model):
    """An identifier with no typed element of its own (``Identifier type="..."``)."""

    type: str
    value: str


class DateRange(_Model):
    """A date or a range, each end in a lexical form the profile accepts."""

    start: str | None = None
    end: str | None = None


class PersonName(_Model):
    family: str | None = None
    given: str | None = None
    other: str | None = None  # OtherNames


class OrgUnit(_Model):
    entity: Literal["OrgUnit"] = "OrgUnit"
    id: str | None = None
    name: str | None = None
    name_lang: str | None = None
    acronym: str | None = None
    ror: str | None = None
    grid: str | None = None
    isni: str | None = None
    fundref: str | None = None
    identifiers: list[GenericIdentifier] = Field(default_factory=list)
    part_of: OrgUnit | None = None
    # Further values of repeatable elements: names after ``name`` (translations, old names),
    # the Alternative* identifiers, a second parent (``PartOf`` is repeatable in the profile).
    types: list[Classification] = Field(default_factory=list)
    other_names: list[LangString] = Field(default_factory=list)
    alternative_rors: list[str] = Field(default_factory=list)
    alternative_grids: list[str] = Field(default_factory=list)
    alternative_isnis: list[str] = Field(default_factory=list)
    alternative_fundrefs: list[str] = Field(default_factory=list)
    electronic_addresses: list[str] = Field(default_factory=list)
    also_part_of: list[OrgUnit] = Field(default_factory=list)


class Person(_Model):
    entity: Literal["Person"] = "Person"
    id: str | None = None
    name: PersonName | None = None
    orcid: str | None = None
    alternative_orcids: list[str] = Field(default_factory=list)
    isni: str | None = None
    researcher_id: str | None = None
    scopus_author_id: str | None = None
    identifiers: list[GenericIdentifier] = Field(default_factory=list)
    electronic_addresses: list[str] = Field(default_factory=list)
    affiliations: list[OrgUnit] = Field(default_factory=list)
    gender: str | None = None  # "m" or "f" (the profile's Gender list)
    alternative_researcher_ids: list[str] = Field(default_factory=list)
    alternative_scopus_author_ids: list[str] = Field(default_factory=list)
    alternative_isnis: list[str] = Field(default_factory=list)
    dai: str | None = None
    alternative_dais: list[str] = Field(default_factory=list)


class Contributor(_Model):
    """An author, editor, creator or inventor: a person with the affiliations they gave for
    this work, or an organisation (never both)."""

    display_name: str | None = None
    person: Person | None = None
    org_unit: OrgUnit | None = None
    affiliations: list[OrgUnit] = Field(default_factory=list)


class Funding(_Model):
    entity: Literal["Funding"] = "Funding"
    id: str | None = None
    type: str | None = None
    acronym: str | None = None
    names: list[LangString] = Field(default_factory=list)
    grant_doi: str | None = None
    identifiers: list[GenericIdentifier] = Field(default_factory=list)
    funder: OrgUnit | None = None
    part_of: Funding | None = None
    duration: DateRange | None = None
    oa_mandate: str | None = None
    amount: Amount | None = None
    descriptions: list[LangString] = Field(default_factory=list)
    subjects: list[Classification] = Field(default_factory=list)
    keywords: list[LangString] = Field(default_factory=list)
    # Funders after ``funder``, and any funder that is a person or carries a display name.
    other_funders: list[Contributor] = Field(default_factory=list)
    # OAMandate elements in full; ``oa_mandate`` (a policy URI, mandated) is the short form.
    oa_mandates: list[OAMandate] = Field(default_factory=list)


class Amount(_Model):
    value: str
    currency: str


class OAMandate(_Model):
    mandated: bool | None = None
    uri: str | None = None
    start: str | None = None
    end: str | None = None


class Funded(_Model):
    """``Project/Funded``: who funded the project (``By``) and as which funding (``As``)."""

    by: Contributor | None = None
    funding: Funding | None = None


class Consortium(_Model):
    """``Project/Consortium``, its roles in the order the profile's sequence gives them."""

    coordinators: list[Contributor] = Field(default_factory=list)
    partners: list[Contributor] = Field(default_factory=list)
    contractors: list[Contributor] = Field(default_factory=list)
    inkind_contributors: list[Contributor] = Field(default_factory=list)
    members: list[Contributor] = Field(default_factory=list)


class Team(_Model):
    """``Project/Team``: people with the affiliations they had in the project."""

    principal_investigators: list[Contributor] = Field(default_factory=list)
    contacts: list[Contributor] = Field(default_factory=list)
    members: list[Contributor] = Field(default_factory=list)


class Project(_Model):
    entity: Literal["Project"] = "Project"
    id: str | None = None
    acronym: str | None = None
    titles: list[LangString] = Field(default_factory=list)
    identifiers: list[GenericIdentifier] = Field(default_factory=list)
    start_date: str | None = None
    end_date: str | None = None
    funded_by: list[Funding] = Field(default_factory=list)
    types: list[Classification] = Field(default_factory=list)
    consortium: Consortium | None = None
    team: Team | None = None
    funded: list[Funded] = Field(default_factory=list)
    subjects: list[Classification] = Field(default_factory=list)
    keywords: list[LangString] = Field(default_factory=list)
    abstracts: list[LangString] = Field(default_factory=list)
    statuses: list[Classification] = Field(default_factory=list)
    uses: list[Equipment] = Field(default_factory=list)
    oa_mandates: list[OAMandate] = Field(default_factory=list)

    def main_funding(self) -> tuple[Funding | None, OrgUnit | None]:
        """The funding the project is funded as (its first ``Funded/As``) and the funder: that
        funding's funder, or else the first organisation named as ``Funded/By``. What the
        repository formats write for a project in an output's funding."""
        funding = next((f.funding for f in self.funded if f.funding is not None), None)
        funder = funding.funder if funding is not None else None
        if funder is None:
            funder = next((f.by.org_unit for f in self.funded if f.by is not None and f.by.org_unit is not None), None)
        return funding, funder


class Event(_Model):
    entity: Literal["Event"] = "Event"
    id: str | None = None
    types: list[Classification] = Field(default_factory=list)
    acronym: str | None = None
    names: list[LangString] = Field(default_factory=list)
    place: str | None = None
    country: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    descriptions: list[LangString] = Field(default_factory=list)
    subjects: list[Classification] = Field(default_factory=list)
    keywords: list[LangString] = Field(default_factory=list)
    organizers: list[Annotated[Union[OrgUnit, Project], Field(discriminator="entity")]] = Field(default_factory=list)
    sponsors: list[Annotated[Union[OrgUnit, Project], Field(discriminator="entity")]] = Field(default_factory=list)
    partners: list[Annotated[Union[OrgUnit, Project], Field(discriminator="entity")]] = Field(default_factory=list)


class Equipment(_Model):
    entity: Literal["Equipment"] = "Equipment"
    id: str | None = None
    types: list[Classification] = Field(default_factory=list)
    acronym: str | None = None
    names: list[LangString] = Field(default_factory=list)
    identifiers: list[GenericIdentifier] = Field(default_factory=list)
    descriptions: list[LangString] = Field(default_factory=list)
    owners: list[Contributor] = Field(default_factory=list)


class Medium(_Model):
    """A file or other rendering of the output (``FileLocations/Medium``)."""

    uri: str | None = None
    mime_type: str | None = None
    size: int | None = None
    titles: list[LangString] = Field(default_factory=list)
    types: list[Classification] = Field(default_factory=list)
    identifiers: list[GenericIdentifier] = Field(default_factory=list)
    access: str | None = None
    access_end_date: str | None = None
    licenses: list[Classification] = Field(default_factory=list)
    dates: dict[str, DateRange] = Field(default_factory=dict)


class ResearchOutput(_Model):
    """Fields shared by Publication, Product and Patent; each writer uses those its entity has
    a place for and reports the rest as not mapped."""

    id: str | None = None
    type: str | None = None
    languages: list[str] = Field(default_factory=list)
    titles: list[LangString] = Field(default_factory=list)
    subtitles: list[LangString] = Field(default_factory=list)
    name_abbreviations: list[LangString] = Field(default_factory=list)
    version_info: list[LangString] = Field(default_factory=list)
    published_in: Publication | None = None
    part_of: ResearchOutput_ | None = None
    publication_date: str | None = None
    number: str | None = None
    volume: str | None = None
    issue: str | None = None
    edition: str | None = None
    start_page: str | None = None
    end_page: str | None = None
    doi: str | None = None
    handle: str | None = None
    pmcid: str | None = None
    isi_number: str | None = None
    scopus_number: str | None = None
    issns: list[str] = Field(default_factory=list)
    isbns: list[str] = Field(default_factory=list)
    url: str | None = None
    urn: str | None = None
    ark: str | None = None
    zdb_id: str | None = None
    patent_number: str | None = None
    creators: list[Contributor] = Field(default_factory=list)
    editors: list[Contributor] = Field(default_factory=list)
    publishers: list[Contributor] = Field(default_factory=list)
    licenses: list[Classification] = Field(default_factory=list)
    subjects: list[Classification] = Field(default_factory=list)
    keywords: list[LangString] = Field(default_factory=list)
    abstracts: list[LangString] = Field(default_factory=list)
    originates_from: list[Annotated[Union[Funding, Project], Field(discriminator="entity")]] = Field(default_factory=list)
    access: str | None = None
    access_end_date: str | None = None
    dates: dict[str, DateRange] = Field(default_factory=dict)
    media: list[Medium] = Field(default_factory=list)
    # ISSN/ISBN value -> its @medium (a URI of the ISSN medium types list).
    issn_media: dict[str, str] = Field(default_factory=dict)
    isbn_media: dict[str, str] = Field(default_factory=dict)
    statuses: list[Classification] = Field(default_factory=list)
    presented_at: list[Event] = Field(default_factory=list)
    output_from: list[Event] = Field(default_factory=list)
    coverage: list[Event] = Field(default_factory=list)
    references: list[ResearchOutput_] = Field(default_factory=list)
    generated_by: list[Equipment] = Field(default_factory=list)
    # Patent-only elements.
    registration_date: str | None = None
    approval_date: str | None = None
    country_code: str | None = None
    issuers: list[Contributor] = Field(default_factory=list)
    holders: list[Contributor] = Field(default_factory=list)
    predecessors: list[Patent] = Field(default_factory=list)


class Publication(ResearchOutput):
    entity: Literal["Publication"] = "Publication"


class Product(ResearchOutput):
    entity: Literal["Product"] = "Product"


class Patent(ResearchOutput):
    entity: Literal["Patent"] = "Patent"


ResearchOutput_ = Annotated[Union[Publication, Product, Patent], Field(discriminator="entity")]
Entity = Annotated[
    Union[Publication, Product, Patent, Person, OrgUnit, Project, Funding, Event, Equipment],
    Field(discriminator="entity"),
]

OUTPUT_CLASSES: dict[EntityKind, type[ResearchOutput]] = {
    EntityKind.PUBLICATION: Publication,
    EntityKind.PRODUCT: Product,
    EntityKind.PATENT: Patent,
}

# Fields that name an entity or a value, shown first when a model value is shown to a user.
_NAMING = ("display_name", "titles", "names", "name", "value")
_NOT_SHOWN = ("entity", "id", "trans")


def display(value: object) -> str:
    """A model value as a user would write it, for report messages and locations: a
    LangString as its text with ``@lang`` (``v0.1``, ``Titre@fr``), a list as its items joined by
    ``; ``, any other model as its name or title followed by its other filled fields
    (``Journal of X (issns: 1234-5678)``). Never the Python repr, which names classes and
    lists every empty field."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (list, tuple, set)):
        return "; ".join(t for t in (display(v) for v in value) if t)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {t}" for k, v in value.items() if (t := display(v)))
    if isinstance(value, LangString):
        return f"{value.value}@{value.lang}" if value.lang else value.value
    if isinstance(value, PersonName):
        return ", ".join(p for p in (value.family, value.given) if p) or (value.other or "")
    if isinstance(value, DateRange):
        return "/".join(p or ".." for p in (value.start, value.end)) if value.end else (value.start or "")
    if isinstance(value, BaseModel):
        shown = {name: t for name in type(value).model_fields if name not in _NOT_SHOWN and (t := display(getattr(value, name)))}
        if not shown:
            return str(getattr(value, "id", None) or "")
        head = next((shown.pop(name) for name in _NAMING if name in shown), None)
        rest = ", ".join(f"{name}: {t}" for name, t in shown.items())
        if head is None:
            return rest
        return f"{head} ({rest})" if rest else head
    return str(value)


for _cls in (OrgUnit, Person, Contributor, Funding, Funded, Consortium, Team, Project, Event, Equipment, ResearchOutput, Publication, Product, Patent):
    _cls.model_rebuild()
