"""CERIF XML of the OpenAIRE profile (1.2 and 1.1) -> the neutral model.

Reads any top-level entity (Publication, Product, Patent, Person, OrgUnit, Project, Funding,
Event, Equipment) with everything embedded in it, so that writing the result back with
``CerifWriter`` of the same version gives the same CERIF (ordering of attributes, whitespace
and comments aside). The element names and their order are those of the profile XSD
(``openaire-cerif-profile.xsd`` of each version); the few spellings that differ between
versions (``InKindContributor`` in 1.1, ``InkindContributor`` in 1.2) are both read.

Whatever the model has no place for (the generic ``Classification`` and ``Link`` elements,
the ``startDate``/``endDate`` of links, a ``DisplayName`` on an affiliation or a parent) is
never dropped silently: it becomes a ``cerif.not-read`` warning naming the element.

    >>> entity, issues = read_entity(element)          # one lxml element
    >>> for item in read_cerif(["harvest/"]):           # files, folders, OAI-PMH responses
    ...     item.record.oai_identifier, item.entity, item.issues
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from crisbridge.issues import Issue, Location, Severity
from crisbridge.model import (
    Amount,
    Classification,
    Consortium,
    Contributor,
    DateRange,
    Equipment,
    Event,
    Funded,
    Funding,
    GenericIdentifier,
    LangString,
    Medium,
    OAMandate,
    OrgUnit,
    Patent,
    Person,
    PersonName,
    Product,
    Project,
    Publication,
    ResearchOutput,
    Team,
)
from crisbridge.readers import CERIF_NAMESPACES, SourceRecord, read_inputs

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ACCESS_NS = "http://purl.org/coar/access_right"
VERSIONS = {"https://www.openaire.eu/cerif-profile/1.2/": "1.2", "https://www.openaire.eu/cerif-profile/1.1/": "1.1"}
TOP_LEVEL = ("Publication", "Product", "Patent", "Person", "OrgUnit", "Project", "Funding", "Event", "Equipment")
DATE_KINDS = ("Accepted", "Available", "Copyrighted", "Collected", "Created", "Issued", "Submitted", "Updated", "Valid", "Withdrawn")

AnyEntity = Publication | Product | Patent | Person | OrgUnit | Project | Funding | Event | Equipment


def local_name(el: Any) -> str:
    tag: str = el.tag
    return tag[tag.index("}") + 1 :] if tag[0] == "{" else tag


def namespace(el: Any) -> str:
    tag = el.tag
    return tag[1 : tag.index("}")] if tag[0] == "{" else ""


def profile_version(el: Any) -> str | None:
    """``"1.2"`` or ``"1.1"`` for an element in a profile namespace, else None."""
    return VERSIONS.get(namespace(el)) if isinstance(el.tag, str) else None


def is_entity(el: Any) -> bool:
    return isinstance(el.tag, str) and namespace(el) in CERIF_NAMESPACES and local_name(el) in TOP_LEVEL


def text_of(el: Any) -> str:
    """The element's own text, comments inside it skipped, surrounding whitespace trimmed."""
    parts = [el.text or ""]
    parts.extend(c.tail or "" for c in el if not isinstance(c.tag, str))
    return "".join(parts).strip()


def read_entity(el: Any, file: str | None = None, record: str | None = None) -> tuple[AnyEntity | None, list[Issue]]:
    """The model entity for one top-level CERIF element, and what could not be read."""
    reader = _Reader(file, record)
    if not is_entity(el):
        reader.issues.append(Issue(code="cerif.not-an-entity", severity=Severity.ERROR,
                                   message=f"{el.tag} is not a top-level entity of the OpenAIRE CERIF profile",
                                   location=Location(file=file, record=record, line=el.sourceline)))
        return None, reader.issues
    return reader.entity(el), reader.issues


@dataclass(slots=True)
class CerifRecord:
    """One record read from CERIF input: where it came from, and the entity it holds."""

    record: SourceRecord
    entity: AnyEntity | None = None
    version: str | None = None
    issues: list[Issue] = field(default_factory=list)


def read_cerif(inputs: Iterable[str]) -> Iterator[CerifRecord]:
    """Every record of every input (files, folders, ``-``), bare entities or OAI-PMH
    responses, read into the model; a record that is not CERIF carries an error."""
    for rec in read_inputs(list(inputs), "auto"):
        item = CerifRecord(rec, issues=list(rec.notes))
        if rec.problem is not None:
            item.issues.append(rec.problem)
        elif rec.payload is not None and rec.format == "cerif":
            item.version = profile_version(rec.payload)
            item.entity, issues = read_entity(rec.payload, rec.source, rec.oai_identifier)
            item.issues.extend(issues)
        elif rec.payload is not None:
            item.issues.append(Issue(code="input.not-cerif", severity=Severity.ERROR,
                                     message=f"{rec.source}: the record is {rec.format or 'of an unknown format'}, not CERIF XML",
                                     location=Location(file=rec.source, record=rec.oai_identifier)))
        yield item


# -- the reader -----------------------------------------------------------------------------

Handler = Callable[[Any], None]


class _Reader:
    """Reads one entity tree, collecting the issues of everything it cannot place."""

    def __init__(self, file: str | None, record: str | None) -> None:
        self.file = file
        self.record = record
        self.issues: list[Issue] = []

    # -- plumbing -----------------------------------------------------------------------

    def not_read(self, el: Any, what: str | None = None) -> None:
        label = what or f"element {local_name(el) if isinstance(el.tag, str) else el.tag}"
        self.issues.append(Issue(
            code="cerif.not-read", severity=Severity.WARNING,
            message=f"{label} has no place in the model; it is not carried over",
            location=Location(file=self.file, record=self.record, xpath=entity_path(el), line=el.sourceline),
        ))

    def children(self, el: Any, handlers: dict[str, Handler], attrs: tuple[str, ...] = ()) -> None:
        """Dispatch each child element by local name; report unknown children and attributes."""
        for name in el.attrib:
            if name not in attrs:
                self.not_read(el, f"attribute {name} of {local_name(el)}")
        for child in el:
            if not isinstance(child.tag, str):
                continue
            handler = handlers.get(local_name(child))
            if handler is None:
                self.not_read(child)
            else:
                handler(child)

    def leaf(self, el: Any, attrs: tuple[str, ...] = ()) -> str:
        self.children(el, {}, attrs)
        return text_of(el)

    def lang(self, el: Any) -> LangString:
        if any(isinstance(c.tag, str) for c in el):  # cfMLangAnyMixed (Project/Abstract) may hold markup
            self.not_read(el, f"markup inside {local_name(el)}")
        self._check_attrs(el, (XML_LANG, "trans"))
        return LangString(value=text_of(el), lang=el.get(XML_LANG), trans=el.get("trans"))

    def _check_attrs(self, el: Any, attrs: tuple[str, ...]) -> None:
        for name in el.attrib:
            if name not in attrs:
                self.not_read(el, f"attribute {name} of {local_name(el)}")

    def classification(self, el: Any) -> Classification:
        return Classification(scheme=el.get("scheme", ""), value=self.leaf(el, ("scheme",)))

    def identifier(self, el: Any) -> GenericIdentifier:
        return GenericIdentifier(type=el.get("type", ""), value=self.leaf(el, ("type",)))

    def single(self, el: Any, current: Any) -> bool:
        """False (and reported) when a single-valued element comes a second time."""
        if current is not None:
            self.not_read(el, f"a second {local_name(el)}")
            return False
        return True

    def only_child(self, el: Any, readers: dict[str, Callable[[Any], Any]], attrs: tuple[str, ...] = ()) -> Any:
        """The entity inside a link element (``PublishedIn/Publication``...)."""
        found: list[Any] = []
        self.children(el, {name: (lambda c, r=r: found.append(r(c))) for name, r in readers.items()}, attrs)
        if len(found) > 1:
            self.not_read(el, f"entities after the first inside {local_name(el)}")
        return found[0] if found else None

    def entity(self, el: Any) -> AnyEntity:
        name = local_name(el)
        if name in ("Publication", "Product", "Patent"):
            return self.output(el)
        return {"Person": self.person, "OrgUnit": self.org, "Project": self.project, "Funding": self.funding,
                "Event": self.event, "Equipment": self.equipment}[name](el)  # type: ignore[no-any-return]

    def outputs(self) -> dict[str, Callable[[Any], Any]]:
        return {"Publication": self.output, "Product": self.output, "Patent": self.output}

    # -- people and organisations -------------------------------------------------------

    def contributor(self, el: Any) -> Contributor:
        """Author, Editor, Creator, Inventor, Publisher, Holder, Issuer, Owner, Funder, By,
        consortium and team members: a display name, a person (with affiliations) or an
        organisation."""
        c = Contributor()

        def display(x: Any) -> None:
            if self.single(x, c.display_name):
                c.display_name = self.leaf(x)

        def person(x: Any) -> None:
            if c.person is not None or c.org_unit is not None:
                self.not_read(x, f"a second person or organisation in {local_name(el)}")
            else:
                c.person = self.person(x)

        def org(x: Any) -> None:
            if c.person is not None or c.org_unit is not None:
                self.not_read(x, f"a second person or organisation in {local_name(el)}")
            else:
                c.org_unit = self.org(x)

        def affiliation(x: Any) -> None:
            found = self.only_child(x, {"OrgUnit": self.org, "DisplayName": lambda d: self.not_read(d, "the DisplayName of an affiliation")})
            if found is not None:
                c.affiliations.append(found)

        self.children(el, {"DisplayName": display, "Person": person, "OrgUnit": org, "Affiliation": affiliation})
        return c

    def person(self, el: Any) -> Person:
        p = Person(id=el.get("id"))

        def person_name(x: Any) -> None:
            name = PersonName()
            self.children(x, {
                "FamilyNames": lambda y: setattr(name, "family", self.leaf(y)),
                "FirstNames": lambda y: setattr(name, "given", self.leaf(y)),
                "OtherNames": lambda y: setattr(name, "other", self.leaf(y)),
            })
            p.name = name

        def scalar(attr: str) -> Handler:
            def handle(x: Any) -> None:
                if self.single(x, getattr(p, attr)):
                    setattr(p, attr, self.leaf(x))
            return handle

        def affiliation(x: Any) -> None:
            found = self.only_child(x, {"OrgUnit": self.org})
            if found is not None:
                p.affiliations.append(found)

        self.children(el, {
            "PersonName": person_name,
            "Gender": scalar("gender"),
            "ORCID": scalar("orcid"),
            "AlternativeORCID": lambda x: p.alternative_orcids.append(self.leaf(x)),
            "ResearcherID": scalar("researcher_id"),
            "AlternativeResearcherID": lambda x: p.alternative_researcher_ids.append(self.leaf(x)),
            "ScopusAuthorID": scalar("scopus_author_id"),
            "AlternativeScopusAuthorID": lambda x: p.alternative_scopus_author_ids.append(self.leaf(x)),
            "ISNI": scalar("isni"),
            "AlternativeISNI": lambda x: p.alternative_isnis.append(self.leaf(x)),
            "DAI": scalar("dai"),
            "AlternativeDAI": lambda x: p.alternative_dais.append(self.leaf(x)),
            "Identifier": lambda x: p.identifiers.append(self.identifier(x)),
            "ElectronicAddress": lambda x: p.electronic_addresses.append(self.leaf(x)),
            "Affiliation": affiliation,
        }, ("id",))
        return p

    def org(self, el: Any) -> OrgUnit:
        o = OrgUnit(id=el.get("id"))

        def name(x: Any) -> None:
            value = self.lang(x)
            # the first name, when it is an original, is the entity's name; others follow it
            if o.name is None and not o.other_names and value.trans is None:
                o.name, o.name_lang = value.value, value.lang
            else:
                o.other_names.append(value)

        def scalar(attr: str) -> Handler:
            def handle(x: Any) -> None:
                if self.single(x, getattr(o, attr)):
                    setattr(o, attr, self.leaf(x))
            return handle

        def part_of(x: Any) -> None:
            parent = self.only_child(x, {"OrgUnit": self.org, "DisplayName": lambda d: self.not_read(d, "the DisplayName of a parent")})
            if parent is None:
                return
            if o.part_of is None and not o.also_part_of:
                o.part_of = parent
            else:
                o.also_part_of.append(parent)

        self.children(el, {
            "Type": lambda x: o.types.append(self.classification(x)),
            "Acronym": scalar("acronym"),
            "Name": name,
            "RORID": scalar("ror"),
            "AlternativeRORID": lambda x: o.alternative_rors.append(self.leaf(x)),
            "GRID": scalar("grid"),
            "AlternativeGRID": lambda x: o.alternative_grids.append(self.leaf(x)),
            "ISNI": scalar("isni"),
            "AlternativeISNI": lambda x: o.alternative_isnis.append(self.leaf(x)),
            "FundRefID": scalar("fundref"),
            "AlternativeFundRefID": lambda x: o.alternative_fundrefs.append(self.leaf(x)),
            "Identifier": lambda x: o.identifiers.append(self.identifier(x)),
            "ElectronicAddress": lambda x: o.electronic_addresses.append(self.leaf(x)),
            "PartOf": part_of,
        }, ("id",))
        return o

    # -- projects and fundings ----------------------------------------------------------

    def mandate(self, el: Any) -> OAMandate:
        self.leaf(el, ("mandated", "uri", "startDate", "endDate"))
        mandated = el.get("mandated")
        return OAMandate(mandated=None if mandated is None else mandated.strip() in ("true", "1"),
                         uri=el.get("uri"), start=el.get("startDate"), end=el.get("endDate"))

    def funding(self, el: Any) -> Funding:
        f = Funding(id=el.get("id"))

        def scalar(attr: str) -> Handler:
            def handle(x: Any) -> None:
                if self.single(x, getattr(f, attr)):
                    setattr(f, attr, self.leaf(x))
            return handle

        def amount(x: Any) -> None:
            if self.single(x, f.amount):
                f.amount = Amount(value=self.leaf(x, ("currency",)), currency=x.get("currency", ""))

        def funder(x: Any) -> None:
            c = self.contributor(x)
            # a plain organisation as the first funder is the short form; the rest keep their shape
            if f.funder is None and not f.other_funders and c.org_unit is not None and c.display_name is None:
                f.funder = c.org_unit
            else:
                f.other_funders.append(c)

        def part_of(x: Any) -> None:
            if self.single(x, f.part_of):
                f.part_of = self.only_child(x, {"Funding": self.funding, "DisplayName": lambda d: self.not_read(d, "the DisplayName of a parent")})

        def duration(x: Any) -> None:
            if self.single(x, f.duration):
                self.leaf(x, ("startDate", "endDate"))
                f.duration = DateRange(start=x.get("startDate"), end=x.get("endDate"))

        self.children(el, {
            "Type": scalar("type"),
            "Acronym": scalar("acronym"),
            "Name": lambda x: f.names.append(self.lang(x)),
            "Amount": amount,
            "GrantDOI": scalar("grant_doi"),
            "Identifier": lambda x: f.identifiers.append(self.identifier(x)),
            "Description": lambda x: f.descriptions.append(self.lang(x)),
            "Subject": lambda x: f.subjects.append(self.classification(x)),
            "Keyword": lambda x: f.keywords.append(self.lang(x)),
            "Funder": funder,
            "PartOf": part_of,
            "Duration": duration,
            "OAMandate": lambda x: f.oa_mandates.append(self.mandate(x)),
        }, ("id",))
        return f

    def project(self, el: Any) -> Project:
        p = Project(id=el.get("id"))

        def scalar(attr: str) -> Handler:
            def handle(x: Any) -> None:
                if self.single(x, getattr(p, attr)):
                    setattr(p, attr, self.leaf(x))
            return handle

        def consortium(x: Any) -> None:
            if not self.single(x, p.consortium):
                return
            c = p.consortium = Consortium()
            self.children(x, {
                "Coordinator": lambda y: c.coordinators.append(self.contributor(y)),
                "Partner": lambda y: c.partners.append(self.contributor(y)),
                "Contractor": lambda y: c.contractors.append(self.contributor(y)),
                "InkindContributor": lambda y: c.inkind_contributors.append(self.contributor(y)),  # 1.2
                "InKindContributor": lambda y: c.inkind_contributors.append(self.contributor(y)),  # 1.1
                "Member": lambda y: c.members.append(self.contributor(y)),
            })

        def team(x: Any) -> None:
            if not self.single(x, p.team):
                return
            t = p.team = Team()
            self.children(x, {
                "PrincipalInvestigator": lambda y: t.principal_investigators.append(self.contributor(y)),
                "Contact": lambda y: t.contacts.append(self.contributor(y)),
                "Member": lambda y: t.members.append(self.contributor(y)),
            })

        def funded(x: Any) -> None:
            item = Funded()

            def by(y: Any) -> None:
                if self.single(y, item.by):
                    item.by = self.contributor(y)

            def as_(y: Any) -> None:
                if self.single(y, item.funding):
                    item.funding = self.only_child(y, {"Funding": self.funding})

            self.children(x, {"By": by, "As": as_})
            p.funded.append(item)

        def uses(x: Any) -> None:
            found = self.only_child(x, {"Equipment": self.equipment})
            if found is not None:
                p.uses.append(found)

        self.children(el, {
            "Type": lambda x: p.types.append(self.classification(x)),
            "Acronym": scalar("acronym"),
            "Title": lambda x: p.titles.append(self.lang(x)),
            "Identifier": lambda x: p.identifiers.append(self.identifier(x)),
            "StartDate": scalar("start_date"),
            "EndDate": scalar("end_date"),
            "Consortium": consortium,
            "Team": team,
            "Funded": funded,
            "Subject": lambda x: p.subjects.append(self.classification(x)),
            "Keyword": lambda x: p.keywords.append(self.lang(x)),
            "Abstract": lambda x: p.abstracts.append(self.lang(x)),
            "Status": lambda x: p.statuses.append(self.classification(x)),
            "Uses": uses,
            "OAMandate": lambda x: p.oa_mandates.append(self.mandate(x)),
        }, ("id",))
        return p

    # -- events and equipment -----------------------------------------------------------

    def event(self, el: Any) -> Event:
        e = Event(id=el.get("id"))

        def scalar(attr: str) -> Handler:
            def handle(x: Any) -> None:
                if self.single(x, getattr(e, attr)):
                    setattr(e, attr, self.leaf(x))
            return handle

        def party(target: list[Any]) -> Handler:
            def handle(x: Any) -> None:
                found = self.only_child(x, {"OrgUnit": self.org, "Project": self.project})
                if found is not None:
                    target.append(found)
            return handle

        self.children(el, {
            "Type": lambda x: e.types.append(self.classification(x)),
            "Acronym": scalar("acronym"),
            "Name": lambda x: e.names.append(self.lang(x)),
            "Place": scalar("place"),
            "Country": scalar("country"),
            "StartDate": scalar("start_date"),
            "EndDate": scalar("end_date"),
            "Description": lambda x: e.descriptions.append(self.lang(x)),
            "Subject": lambda x: e.subjects.append(self.classification(x)),
            "Keyword": lambda x: e.keywords.append(self.lang(x)),
            "Organizer": party(e.organizers),
            "Sponsor": party(e.sponsors),
            "Partner": party(e.partners),
        }, ("id",))
        return e

    def equipment(self, el: Any) -> Equipment:
        q = Equipment(id=el.get("id"))

        def acronym(x: Any) -> None:
            if self.single(x, q.acronym):
                q.acronym = self.leaf(x)

        self.children(el, {
            "Type": lambda x: q.types.append(self.classification(x)),
            "Acronym": acronym,
            "Name": lambda x: q.names.append(self.lang(x)),
            "Identifier": lambda x: q.identifiers.append(self.identifier(x)),
            "Description": lambda x: q.descriptions.append(self.lang(x)),
            "Owner": lambda x: q.owners.append(self.contributor(x)),
        }, ("id",))
        return q

    # -- research outputs ---------------------------------------------------------------

    def access(self, el: Any) -> tuple[str, str | None]:
        return self.leaf(el, ("endDate",)), el.get("endDate")

    def dates(self, el: Any, target: dict[str, DateRange]) -> None:
        def one(x: Any) -> None:
            self.leaf(x, ("startDate", "endDate"))
            target[local_name(x)] = DateRange(start=x.get("startDate"), end=x.get("endDate"))

        self.children(el, {name: one for name in DATE_KINDS})

    def medium(self, el: Any) -> Medium:
        m = Medium()

        def scalar(attr: str) -> Handler:
            def handle(x: Any) -> None:
                if self.single(x, getattr(m, attr)):
                    setattr(m, attr, self.leaf(x))
            return handle

        def size(x: Any) -> None:
            value = self.leaf(x)
            if value.isdigit() and self.single(x, m.size):
                m.size = int(value)
            elif not value.isdigit():
                self.not_read(x, f"Size {value!r} (not a whole number)")

        def access(x: Any) -> None:
            if namespace(x) != ACCESS_NS:
                self.not_read(x)
            elif self.single(x, m.access):
                m.access, m.access_end_date = self.access(x)

        self.children(el, {
            "Type": lambda x: m.types.append(self.classification(x)),
            "Title": lambda x: m.titles.append(self.lang(x)),
            "URI": scalar("uri"),
            "MimeType": scalar("mime_type"),
            "Size": size,
            "Identifier": lambda x: m.identifiers.append(self.identifier(x)),
            "Access": access,
            "License": lambda x: m.licenses.append(self.classification(x)),
            "Dates": lambda x: self.dates(x, m.dates),
        })
        return m

    def output(self, el: Any) -> ResearchOutput:
        kind = local_name(el)
        o: ResearchOutput = {"Publication": Publication, "Product": Product, "Patent": Patent}[kind](id=el.get("id"))

        def scalar(attr: str) -> Handler:
            def handle(x: Any) -> None:
                if self.single(x, getattr(o, attr)):
                    setattr(o, attr, self.leaf(x))
            return handle

        def typed(x: Any) -> None:
            # the type lives in a vocabulary namespace (COAR_Publication_Types...), never checked
            # here: the XSD does that
            if self.single(x, o.type):
                o.type = self.leaf(x)

        def numbered(target: list[str], media: dict[str, str]) -> Handler:
            def handle(x: Any) -> None:
                value = self.leaf(x, ("medium",))
                target.append(value)
                if x.get("medium") is not None:
                    media[value] = x.get("medium")
            return handle

        def group(target: list[Contributor], member: str) -> Handler:
            def handle(x: Any) -> None:
                self.children(x, {member: lambda y: target.append(self.contributor(y))})
            return handle

        def wrapped(target: list[Any], readers: dict[str, Callable[[Any], Any]]) -> Handler:
            def handle(x: Any) -> None:
                found = self.only_child(x, readers)
                if found is not None:
                    target.append(found)
            return handle

        def container(attr: str, readers: dict[str, Callable[[Any], Any]]) -> Handler:
            def handle(x: Any) -> None:
                if self.single(x, getattr(o, attr)):
                    found = self.only_child(x, {**readers, "DisplayName": lambda d: self.not_read(d, f"the DisplayName of {local_name(x)}")})
                    setattr(o, attr, found)
            return handle

        def access(x: Any) -> None:
            if namespace(x) != ACCESS_NS:
                self.not_read(x)
            elif self.single(x, o.access):
                o.access, o.access_end_date = self.access(x)

        def file_locations(x: Any) -> None:
            self.children(x, {"Medium": lambda y: o.media.append(self.medium(y))})

        creators = {"Publication": ("Authors", "Author"), "Product": ("Creators", "Creator"), "Patent": ("Inventors", "Inventor")}[kind]
        handlers: dict[str, Handler] = {
            "Type": typed,
            "Language": lambda x: o.languages.append(self.leaf(x)),
            "Name" if kind == "Product" else "Title": lambda x: o.titles.append(self.lang(x)),
            "Subtitle": lambda x: o.subtitles.append(self.lang(x)),
            "NameAbbreviation": lambda x: o.name_abbreviations.append(self.lang(x)),
            "VersionInfo": lambda x: o.version_info.append(self.lang(x)),
            "PublishedIn": container("published_in", {"Publication": self.output}),
            "PartOf": container("part_of", self.outputs()),
            "ISSN": numbered(o.issns, o.issn_media),
            "ISBN": numbered(o.isbns, o.isbn_media),
            creators[0]: group(o.creators, creators[1]),
            "Editors": group(o.editors, "Editor"),
            "Publishers": group(o.publishers, "Publisher"),
            "Holders": group(o.holders, "Holder"),
            "Issuer": lambda x: o.issuers.append(self.contributor(x)),
            "License": lambda x: o.licenses.append(self.classification(x)),
            "Subject": lambda x: o.subjects.append(self.classification(x)),
            "Status": lambda x: o.statuses.append(self.classification(x)),
            "Keyword": lambda x: o.keywords.append(self.lang(x)),
            "Description" if kind == "Product" else "Abstract": lambda x: o.abstracts.append(self.lang(x)),
            "OriginatesFrom": wrapped(o.originates_from, {"Project": self.project, "Funding": self.funding}),
            "PresentedAt": wrapped(o.presented_at, {"Event": self.event}),
            "OutputFrom": wrapped(o.output_from, {"Event": self.event}),
            "Coverage": wrapped(o.coverage, {"Event": self.event}),
            "References": wrapped(o.references, self.outputs()),
            "GeneratedBy": wrapped(o.generated_by, {"Equipment": self.equipment}),
            "Predecessor": wrapped(o.predecessors, {"Patent": self.output}),
            "Access": access,
            "Dates": lambda x: self.dates(x, o.dates),
            "FileLocations": file_locations,
        }
        for element, attr in (("PublicationDate", "publication_date"), ("Number", "number"), ("Volume", "volume"), ("Issue", "issue"),
                              ("Edition", "edition"), ("StartPage", "start_page"), ("EndPage", "end_page"), ("DOI", "doi"),
                              ("Handle", "handle"), ("PMCID", "pmcid"), ("ISI-Number", "isi_number"), ("SCP-Number", "scopus_number"),
                              ("URL", "url"), ("URN", "urn"), ("ARK", "ark"), ("ZDB-ID", "zdb_id"), ("PatentNumber", "patent_number"),
                              ("RegistrationDate", "registration_date"), ("ApprovalDate", "approval_date"), ("CountryCode", "country_code")):
            handlers[element] = scalar(attr)
        self.children(el, handlers, ("id",))
        return o


def entity_path(el: Any) -> str:
    """A readable XPath of the element inside its entity: ``/Publication/Authors/Author[2]``."""
    steps: list[str] = []
    node = el
    while node is not None and isinstance(node.tag, str):
        name = local_name(node)
        parent = node.getparent()
        if parent is not None:
            same = [c for c in parent if isinstance(c.tag, str) and c.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        steps.append(name)
        if is_entity(node) and (parent is None or not isinstance(parent.tag, str) or namespace(parent) not in CERIF_NAMESPACES):
            break
        node = parent
    return "/" + "/".join(reversed(steps))


__all__ = ["CerifRecord", "entity_path", "is_entity", "local_name", "profile_version", "read_cerif", "read_entity", "text_of"]
