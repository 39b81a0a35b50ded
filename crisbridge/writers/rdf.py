"""Model entities -> RDF in the crisbridge vocabulary (``docs/rdf-vocabulary.md``).

Triples are built directly as small Python values (``IRI``, ``BNode``, ``Lit``) rather than
rdflib terms: building rdflib terms costs more than the rest of the conversion, and N-Triples
can be written from these values by hand, record by record, with flat memory (DESIGN section 6).
``to_graph`` turns them into an rdflib graph for Turtle and JSON-LD.

What is written follows the profile 1.2 layout (``mappings/profiles/cerif-1.2.yaml``), element by
element and with the same decisions the CERIF writer takes (a Product's publication date is its
``Dates/Issued``, a Patent's is a full date, a Publication has one ``Language``...), so that RDF
read back gives the same CERIF XML. A value that has no element for its entity is reported
(``rdf.no-slot``), never silently dropped.

    >>> writer = RdfWriter(base="https://cris.example.org/")
    >>> triples, issues = writer.triples(publication)
    >>> to_ntriples(triples)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, BinaryIO, NamedTuple
from urllib.parse import quote, unquote

from crisbridge.errors import ConfigurationError
from crisbridge.issues import Issue, Location, Severity
from crisbridge.mapping.registry import profile as load_profile
from crisbridge.model import (
    Classification,
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
    Person,
    Project,
    ResearchOutput,
)
from crisbridge.writers.cerif import WRITER_CODES

CERIF = "https://w3id.org/cerif/model#"
CB = "https://w3id.org/crisbridge/vocab#"
CFV = "https://w3id.org/cerif/vocab/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DEFAULT_BASE = "https://crisbridge.local/"
PREFIXES = {"cerif": CERIF, "cb": CB, "xsd": XSD, "rdf": RDF}
EMBARGOED = "c_f1cf"
DATE_KINDS = ("Accepted", "Available", "Copyrighted", "Collected", "Created", "Issued", "Submitted", "Updated", "Valid", "Withdrawn")
# the profile version whose layout RDF follows: the current one, which has every element 1.1 has
LAYOUT_VERSION = "1.2"
GENID = ".well-known/genid/"


# -- terms ----------------------------------------------------------------------------------


class IRI(str):
    __slots__ = ()


class BNode(str):
    __slots__ = ()


class Lit(NamedTuple):
    value: str
    lang: str | None = None
    datatype: str | None = None


Term = IRI | BNode | Lit
Triple = tuple[IRI | BNode, IRI, Term]


def _cerif(name: str) -> IRI:
    return IRI(CERIF + name)


def _cb(name: str) -> IRI:
    return IRI(CB + name)


A = IRI(RDF + "type")
RDF_VALUE = IRI(RDF + "value")
RDF_SEQ = IRI(RDF + "Seq")
ORDINAL = _cb("ordinal")
SEQUENCE = _cb("sequence")
PROPERTY = _cb("property")
ROLE = _cb("role")
ENTITY = _cb("entity")
RECORD = _cb("Record")
XSD_STRING = XSD + "string"
XSD_ANYURI = XSD + "anyURI"

# Entity element -> class (the element's cflink:entity annotation).
CLASSES: dict[str, IRI] = {
    "Publication": _cerif("ResultPublication"),
    "Product": _cerif("ResultProduct"),
    "Patent": _cerif("ResultPatent"),
    "Person": _cerif("Person"),
    "OrgUnit": _cerif("OrganisationUnit"),
    "Project": _cerif("Project"),
    "Funding": _cerif("Funding"),
    "Event": _cerif("Event"),
    "Equipment": _cerif("Equipment"),
    "Medium": _cerif("Medium"),
}
PERSON_NAME = _cerif("PersonName")
FEDERATED_IDENTIFIER = _cerif("FederatedIdentifier")
CERIF_ENTITY = {"Publication": "ResultPublication", "Product": "ResultProduct", "Patent": "ResultPatent"}

# (entity, element) -> the cflink:attribute of that element: the property it becomes.
ATTRIBUTES: dict[tuple[str, str], IRI] = {
    (entity, element): _cerif(term)
    for entity, pairs in {
        "Publication": {"Title": "ResultPublication.Title", "Subtitle": "ResultPublication.Subtitle",
                        "NameAbbreviation": "ResultPublication.NameAbbreviation", "PublicationDate": "ResultPublication.ResultPublicationDate",
                        "Number": "ResultPublication.Number", "Volume": "ResultPublication.Volume", "Issue": "ResultPublication.Issue",
                        "Edition": "ResultPublication.Edition", "StartPage": "ResultPublication.StartPage", "EndPage": "ResultPublication.EndPage",
                        "Keyword": "ResultPublication.Keywords", "Abstract": "ResultPublication.Abstract"},
        "Product": {"Name": "ResultProduct.Name", "VersionInfo": "ResultProduct.VersionInfo", "Keyword": "ResultProduct.Keywords",
                    "Description": "ResultProduct.Description"},
        "Patent": {"Title": "ResultPatent.Title", "VersionInfo": "ResultPatent.VersionInfo", "CountryCode": "ResultPatent.CountryCode",
                   "PatentNumber": "ResultPatent.PatentNumber", "Keyword": "ResultPatent.Keywords", "Abstract": "ResultPatent.Abstract"},
        "PersonName": {"FamilyNames": "PersonName.FamilyNames", "FirstNames": "PersonName.FirstNames", "OtherNames": "PersonName.OtherNames"},
        "Person": {"Gender": "Person.Gender"},
        "OrgUnit": {"Acronym": "OrganisationUnit.Acronym", "Name": "OrganisationUnit.Name"},
        "Project": {"Acronym": "Project.Acronym", "Title": "Project.Title", "StartDate": "Project.StartDate", "EndDate": "Project.EndDate",
                    "Keyword": "Project.Keywords", "Abstract": "Project.Abstract"},
        "Funding": {"Acronym": "Funding.Acronym", "Name": "Funding.Name", "Amount": "Funding.Amount", "Currency": "Funding.CurrencyCode",
                    "Description": "Funding.Description", "Keyword": "Funding.Keywords"},
        "Event": {"Acronym": "Event.Acronym", "Name": "Event.Name", "Place": "Event.CityTown", "Country": "Event.CountryCode",
                  "StartDate": "Event.StartDate", "EndDate": "Event.EndDate", "Description": "Event.Description", "Keyword": "Event.Keywords"},
        "Equipment": {"Acronym": "Equipment.Acronym", "Name": "Equipment.Name", "Description": "Equipment.Description"},
        "Medium": {"Title": "Medium.Title", "URI": "Medium.UniformResourceIdenfier", "MimeType": "Medium.MimeType", "Size": "Medium.Size"},
    }.items()
    for element, term in pairs.items()
}


class Role(NamedTuple):
    """A contribution element: the CERIF link entity and role of a node that links a person,
    and of one that links an organisation (the profile's cflink:link annotation)."""

    person_class: IRI
    person_role: IRI
    org_class: IRI
    org_role: IRI


def _role(person_link: str, person_role: str, org_link: str, org_role: str) -> Role:
    return Role(_cerif(person_link), IRI(CFV + person_role), _cerif(org_link), IRI(CFV + org_role))


def _output_roles(entity: str) -> dict[str, Role]:
    x = CERIF_ENTITY[entity]
    p, o = f"Person_{x}", f"OrganisationUnit_{x}"
    return {
        "Author": _role(p, "PersonOutputContributions#Author", o, "OrganisationOutputContributions#Author"),
        "Editor": _role(p, "PersonOutputContributions#Editor", o, "OrganisationOutputContributions#Editor"),
        "Publisher": _role(p, "PersonOutputContributions#Publisher", o, "OrganisationOutputContributions#Publisher"),
        "Creator": _role(p, "PersonOutputContributions#Creator", o, "OrganisationOutputContributions#Creator"),
        # an inventor is a person in the profile; an organisation keeps the person's role
        "Inventor": _role(p, "PersonOutputContributions#Inventor", o, "PersonOutputContributions#Inventor"),
        "Holder": _role(p, "PersonOutputContributions#PatentHolder", o, "OrganisationOutputContributions#PatentHolder"),
        # an issuer is an organisation in the profile; a person keeps the organisation's role
        "Issuer": _role(p, "OrganisationOutputContributions#PatentIssuer", o, "OrganisationOutputContributions#PatentIssuer"),
    }


def _project_role(person_term: str, org_term: str | None) -> Role:
    return _role("Project_Person", f"PersonProjectEngagements#{person_term}", "Project_OrganisationUnit",
                 f"OrganisationProjectEngagements#{org_term or person_term}")


# (entity, contribution property) -> Role. The property is cb:<element>, except the two
# Project "Member" elements, which are cb:ConsortiumMember and cb:TeamMember.
ROLES: dict[tuple[str, str], Role] = {
    **{("Publication", k): v for k, v in _output_roles("Publication").items() if k in ("Author", "Editor", "Publisher")},
    **{("Product", k): v for k, v in _output_roles("Product").items() if k in ("Creator", "Publisher")},
    **{("Patent", k): v for k, v in _output_roles("Patent").items() if k in ("Inventor", "Holder", "Issuer")},
    ("Project", "Coordinator"): _project_role("Coordinator", None),
    ("Project", "Partner"): _project_role("Partner", None),
    ("Project", "Contractor"): _project_role("Contractor", None),
    ("Project", "InkindContributor"): _project_role("InkindContributor", None),
    ("Project", "ConsortiumMember"): _project_role("ConsortiumMember", None),
    ("Project", "PrincipalInvestigator"): _project_role("PrincipalInvestigator", "PrincipalInvestigator"),
    ("Project", "Contact"): _project_role("OrganisationContact", "OrganisationContact"),
    ("Project", "TeamMember"): _project_role("TeamMember", "TeamMember"),
    ("Project", "By"): _role("Project_Person", "OrganisationProjectEngagements#Funder", "Project_OrganisationUnit", "OrganisationProjectEngagements#Funder"),
    ("Funding", "Funder"): _role("Person_Funding", "OrganisationFundingRoles#Financier", "OrganisationUnit_Funding", "OrganisationFundingRoles#Financier"),
    # the XSD annotates Equipment/Owner with the Service link terms; the link is to equipment
    ("Equipment", "Owner"): _role("Person_Equipment", "PersonResearchInfrastructureRoles#Owner",
                                  "OrganisationUnit_Equipment", "OrganisationResearchInfrastructureRoles#Owner"),
}
# Project/Consortium children (model field, element, property) and Project/Team children.
CONSORTIUM = (("coordinators", "Coordinator", "Coordinator"), ("partners", "Partner", "Partner"),
              ("contractors", "Contractor", "Contractor"), ("inkind_contributors", "InkindContributor", "InkindContributor"),
              ("members", "Member", "ConsortiumMember"))
TEAM = (("principal_investigators", "PrincipalInvestigator", "PrincipalInvestigator"), ("contacts", "Contact", "Contact"),
        ("members", "Member", "TeamMember"))
DATE_TYPE = CFV + "DataCiteMetadataSchema_DateType#"

# Identifier-like properties whose values are IRIs (rule 5 of the vocabulary).
IRI_VALUED = frozenset({"ORCID", "AlternativeORCID", "RORID", "AlternativeRORID", "FundRefID", "AlternativeFundRefID"})


# -- lexical checks -----------------------------------------------------------------------------

_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\\x7f-\x9f]*")
_LANG_TAG = re.compile(r"[a-zA-Z]+(-[a-zA-Z0-9]+)*")
_XSD_LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")
_TZ = r"(Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?"
_DATE_FORMS = (
    (re.compile(r"-?(\d{4,})" + _TZ), XSD + "gYear"),
    (re.compile(r"-?(\d{4,})-(\d\d)" + _TZ), XSD + "gYearMonth"),
    (re.compile(r"-?(\d{4,})-(\d\d)-(\d\d)" + _TZ), XSD + "date"),
    (re.compile(r"-?(\d{4,})-(\d\d)-(\d\d)T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d+)?" + _TZ), XSD + "dateTime"),
)
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_bare_id(entity_id: str | None) -> bool:
    """An id without its collection (profile 1.1's ``812348``; 1.2 writes ``Persons/812348``)."""
    return entity_id is not None and entity_id != "" and "/" not in entity_id


def is_absolute_iri(value: str) -> bool:
    return bool(_ABSOLUTE_IRI.fullmatch(value))


def date_datatype(value: str) -> str | None:
    """The XSD datatype of a date in one of the profile's forms, None if it has none (or is
    no calendar date: month 13, 30 February)."""
    for pattern, datatype in _DATE_FORMS:
        m = pattern.fullmatch(value)
        if m is None:
            continue
        groups = m.groups()
        if len(groups) >= 3 and groups[1] is not None:
            month = int(groups[1])
            if not 1 <= month <= 12:
                return None
            if datatype != XSD + "gYearMonth":
                year, day = int(groups[0]), int(groups[2])
                leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
                if not 1 <= day <= (_DAYS[month - 1] if month != 2 or leap else 28):
                    return None
        return datatype
    return None


# -- N-Triples --------------------------------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"})


def _nt(term: Term) -> str:
    if isinstance(term, IRI):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    text = f'"{term.value.translate(_ESCAPES)}"'
    if term.lang:
        return f"{text}@{term.lang}"
    if term.datatype and term.datatype != XSD_STRING:
        return f"{text}^^<{term.datatype}>"
    return text


def to_ntriples(triples: Iterable[Triple]) -> str:
    """N-Triples for the triples, one line each, in the order given."""
    return "".join(f"{_nt(s)} <{p}> {_nt(o)} .\n" for s, p, o in triples)


# -- rdflib -----------------------------------------------------------------------------------


def to_graph(triples: Iterable[Triple], graph: Any = None) -> Any:
    """The triples added to an rdflib ``Graph`` (a new one, with the vocabulary's prefixes,
    when none is given). Literals keep their lexical form (no normalisation)."""
    from rdflib import BNode as RBNode
    from rdflib import Graph, Literal, URIRef

    if graph is None:
        graph = Graph()
        bind_prefixes(graph)
    cache: dict[Any, Any] = {}

    def term(t: Term) -> Any:
        found = cache.get(t)
        if found is None:
            if isinstance(t, IRI):
                found = URIRef(t)
            elif isinstance(t, BNode):
                found = RBNode(t)
            else:
                found = Literal(t.value, lang=t.lang, datatype=None if t.lang or t.datatype in (None, XSD_STRING) else URIRef(t.datatype),
                                normalize=False)
            cache[t] = found
        return found

    add = graph.add
    for s, p, o in triples:
        add((term(s), term(p), term(o)))
    return graph


def bind_prefixes(graph: Any) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)


# -- the writer -------------------------------------------------------------------------------

Build = Callable[[int | None], None]  # writes one value of an element; gets its position when repeatable


class RdfWriter:
    """Writes model entities as triples; reusable across records and threads."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        if not is_absolute_iri(base):
            raise ConfigurationError(f"the RDF base {base!r} is not an absolute IRI (e.g. https://cris.example.org/)")
        self.base = base
        profile = load_profile(LAYOUT_VERSION)
        self.layout: dict[str, list[tuple[str, bool]]] = {
            entity: [(n.rstrip("*"), n.endswith("*")) for n in names] for entity, names in profile.tables["elements"].items()
        }
        self.present = {entity: {n for n, _ in names} for entity, names in self.layout.items()}

    def iri(self, entity_id: str, kind: str | None = None) -> IRI:
        """The IRI of an entity with an id: the base and the id (``Publications/<uuid>``),
        percent-encoded where an id has characters an IRI cannot hold (the profile's ids are
        any string of up to 128 characters). A bare id (profile 1.1 writes ``812348``, no
        collection) of an entity of ``kind`` is put under the kind's collection
        (``Persons/812348``), so a Person and a Publication numbered 1 stay two nodes."""
        if kind is not None and is_bare_id(entity_id):
            entity_id = f"{kind}s/{entity_id}"
        return IRI(self.base + quote(entity_id, safe="/"))

    def _identify(self, node: IRI, entity: Any, out: _Out) -> None:
        """What names an entity with an id: a bare id is kept as ``cb:id`` (its IRI carries the
        collection too, and the reader gives the id back as the source wrote it)."""
        if is_bare_id(entity.id):
            out.add(node, _cb("id"), Lit(entity.id))

    def triples(self, entity: Any, record: str | None = None, file: str | None = None) -> tuple[list[Triple], list[Issue]]:
        """The entity's triples, and what could not be written."""
        out = _Out(record, file, entity.id or repr(entity)[:200])
        kind = entity.entity
        # an entity without an id is a blank node in effect: a skolem IRI (RDF 1.1, 3.5)
        node = self.iri(entity.id, kind) if entity.id else IRI(f"{self.base}{GENID}{out.label}")
        if not entity.id:
            out.add_issue(Severity.WARNING, "rdf.no-id", f"the {kind} has no id; written as {node}", kind)
        self._entity(entity, node, out)
        # the entity is a record of the output (vocabulary section 3): the description that counts
        out.add(node, A, RECORD)
        if entity.id:
            self._identify(node, entity, out)
        out.finish()
        return out.triples, out.issues

    def ntriples(self, entity: Any, record: str | None = None, file: str | None = None) -> tuple[str, list[Issue]]:
        triples, issues = self.triples(entity, record, file)
        return to_ntriples(triples), issues

    # -- plumbing -----------------------------------------------------------------------

    def _entity(self, entity: Any, node: IRI, out: _Out) -> None:
        kind = entity.entity
        if kind in ("Publication", "Product", "Patent"):
            self._output(entity, node, out)
        else:
            {"Person": self._person, "OrgUnit": self._org, "Project": self._project, "Funding": self._funding,
             "Event": self._event, "Equipment": self._equipment}[kind](entity, node, out)

    def _embed(self, s: IRI, prop: IRI, entity: Any, minted: IRI, position: int | None,
               write: Callable[[Any, IRI, _Out], None], out: _Out) -> IRI:
        """Link an embedded entity and write it at its place (``minted``). The copy is this
        record's statement about the entity, not the entity: one with an id names it with
        ``cb:entity`` (its IRI, which carries only its class here) and keeps its own fields on
        the minted node, so in the graph of a whole feed the entity holds what its top-level
        record says and nothing more (vocabulary section 3)."""
        out.link(s, prop, minted, position)
        write(entity, minted, out)
        if getattr(entity, "id", None):
            kind = entity.entity
            node = self.iri(entity.id, kind)
            out.add(minted, ENTITY, node)
            out.add(node, A, CLASSES[kind])
            self._identify(minted, entity, out)
        return minted

    def _emit(self, s: IRI, entity: str, parts: dict[str, list[Build]], out: _Out) -> None:
        """Run the builds in layout order; report values the entity has no element for, and
        values after the first of a single-valued element (as the CERIF writer does)."""
        present = self.present[entity]
        for name, builds in parts.items():
            if builds and name not in present:
                out.add_issue(Severity.INFO, "rdf.no-slot", f"{entity} has no {name} in profile {LAYOUT_VERSION}; the value is not written", name)
        for name, repeatable in self.layout[entity]:
            builds = parts.get(name)
            if not builds:
                continue
            if not repeatable and len(builds) > 1:
                out.add_issue(Severity.INFO, "rdf.extra-value", f"{entity} takes one {name}; {len(builds) - 1} more not written", name)
                builds = builds[:1]
            for position, build in enumerate(builds, 1):
                build(position if repeatable else None)

    @staticmethod
    def _leftovers(model: Any, handled: frozenset[str], kind: str, out: _Out) -> None:
        """Report model fields this writer has no place for (a field added to the model
        later is reported until the writer learns it)."""
        for name in type(model).model_fields:
            if name not in handled and name not in ("entity", "id") and getattr(model, name):
                out.add_issue(Severity.INFO, "rdf.no-slot", f"{kind}.{name} has no place in RDF; not written", name)

    # value builds

    def _langs(self, s: IRI, p: IRI, values: list[LangString], out: _Out) -> list[Build]:
        return [lambda _n, v=v: out.value(s, p, *self._lang_term(v, out)) for v in values]

    def _lang_term(self, v: LangString, out: _Out) -> tuple[Lit, dict[str, Any] | None]:
        ann: dict[str, Any] = {}
        lang = v.lang
        if lang and not _LANG_TAG.fullmatch(lang):
            ann["lang"] = Lit(lang)
            lang = None
        if v.trans:
            ann["trans"] = Lit(v.trans)
        return Lit(v.value, lang, None if lang else XSD_STRING), ann or None

    def _strings(self, s: IRI, p: IRI, values: Iterable[str | None], out: _Out, datatype: str | None = None) -> list[Build]:
        return [lambda _n, v=v: out.value(s, p, Lit(v, None, datatype)) for v in values if v]

    def _iris(self, s: IRI, p: IRI, values: Iterable[str | None], out: _Out, element: str) -> list[Build]:
        return [lambda _n, v=v: out.value(s, p, out.iri_or_literal(v, element)) for v in values if v]

    def _date(self, s: IRI, p: IRI, value: str | None, out: _Out, element: str) -> list[Build]:
        return [lambda _n: out.value(s, p, out.date(value, element))] if value else []

    def _classes(self, s: IRI, element: str, values: list[Classification], out: _Out) -> list[Build]:
        """Classification nodes (``License``, ``Subject``, ``Status``, repeatable ``Type``)."""
        prop = _cb(element)

        def build(n: int | None, c: Classification) -> None:
            node = _child(s, element, n)
            out.link(s, prop, node, n)
            out.add(node, RDF_VALUE, out.iri_or_literal(c.value, element))
            out.add(node, _cb("scheme"), out.iri_or_literal(c.scheme, element + "/@scheme"))

        return [lambda n, c=c: build(n, c) for c in values]

    def _ids(self, s: IRI, values: list[GenericIdentifier], out: _Out) -> list[Build]:
        def build(n: int | None, i: GenericIdentifier) -> None:
            node = _child(s, "Identifier", n)
            out.link(s, _cb("Identifier"), node, n)
            out.add(node, A, FEDERATED_IDENTIFIER)
            out.add(node, _cb("type"), out.iri_or_literal(i.type, "Identifier/@type"))
            out.add(node, RDF_VALUE, Lit(i.value))

        return [lambda n, i=i: build(n, i) for i in values]

    def _nodes(self, s: IRI, element: str, children: list[Any], write: Callable[[Any, IRI, _Out], None], out: _Out,
               prop: str | None = None) -> list[Build]:
        """Embedded entities (``PublishedIn/Publication``, ``OriginatesFrom/Funding``...)."""
        def build(n: int | None, child: Any) -> None:
            self._embed(s, _cb(prop or element), child, _child(s, element, n), n, write, out)

        return [lambda n, c=c: build(n, c) for c in children]

    def _access(self, s: IRI, access: str | None, end: str | None, out: _Out) -> list[Build]:
        if not access:
            return []

        def build(_n: int | None) -> None:
            out.value(s, _cb("Access"), out.iri_or_literal(access, "Access"))
            # the profile: only embargoed access (c_f1cf) carries an end date
            if end and access.endswith(EMBARGOED):
                out.value(s, _cb("accessEndDate"), out.date(end, "Access/@endDate"))

        return [build]

    def _dates(self, s: IRI, dates: dict[str, DateRange], out: _Out) -> list[Build]:
        if not dates:
            return []
        unknown = [k for k in dates if k not in DATE_KINDS]
        if unknown:
            out.add_issue(Severity.INFO, "rdf.no-slot", f"Dates has no {', '.join(unknown)}; not written", "Dates")

        def build(_n: int | None) -> None:
            for kind in DATE_KINDS:
                rng = dates.get(kind)
                if rng is None:
                    continue
                node = _child(s, "Dates/" + kind, None)
                out.add(s, _cb("Dates"), node)
                out.add(node, _cb("dateType"), IRI(DATE_TYPE + kind))
                if rng.start:
                    out.add(node, _cb("startDate"), out.date(rng.start, f"Dates/{kind}/@startDate"))
                if rng.end:
                    out.add(node, _cb("endDate"), out.date(rng.end, f"Dates/{kind}/@endDate"))

        return [build]

    def _mandates(self, s: IRI, mandates: list[OAMandate], out: _Out) -> list[Build]:
        def build(n: int | None, m: OAMandate) -> None:
            node = _child(s, "OAMandate", n)
            out.link(s, _cb("OAMandate"), node, n)
            if m.mandated is not None:
                out.add(node, _cb("mandated"), Lit("true" if m.mandated else "false", None, XSD + "boolean"))
            if m.uri:
                out.add(node, _cb("uri"), out.iri_or_literal(m.uri, "OAMandate/@uri"))
            if m.start:
                out.add(node, _cb("startDate"), out.date(m.start, "OAMandate/@startDate"))
            if m.end:
                out.add(node, _cb("endDate"), out.date(m.end, "OAMandate/@endDate"))

        return [lambda n, m=m: build(n, m) for m in mandates]

    # -- contributions ------------------------------------------------------------------

    def _contribution(self, node: IRI, c: Contributor, role: Role, out: _Out, affiliations: bool) -> None:
        """A contribution node, as the CERIF writer writes the element: a display name, then
        the organisation, or else the person (an empty one when none is known) with the
        affiliations given for this work."""
        is_org = c.org_unit is not None
        out.add(node, A, role.org_class if is_org else role.person_class)
        out.add(node, ROLE, role.org_role if is_org else role.person_role)
        if c.display_name:
            out.add(node, _cb("DisplayName"), Lit(c.display_name))
        if c.org_unit is not None:
            if c.person is not None:
                out.add_issue(Severity.INFO, "rdf.no-slot", "a contributor is an organisation and a person; the person is not written", "Person")
            self._embed(node, _cb("OrgUnit"), c.org_unit, _child(node, "OrgUnit", None), None, self._org, out)
            if c.affiliations:
                out.add_issue(Severity.INFO, "rdf.no-slot", "an organisation has no affiliations; not written", "Affiliation")
            return
        person = c.person or Person()
        self._embed(node, _cb("Person"), person, _child(node, "Person", None), None, self._person, out)
        if not affiliations:
            if c.affiliations:
                out.add_issue(Severity.INFO, "rdf.no-slot", "this contribution has no affiliations in the profile; not written", "Affiliation")
            return
        for n, org_unit in enumerate(c.affiliations, 1):
            self._embed(node, _cb("Affiliation"), org_unit, _child(node, "Affiliation", n), n, self._org, out)

    def _contributors(self, s: IRI, entity: str, prop: str, path: str, people: list[Contributor], out: _Out,
                      affiliations: bool, grouped: bool) -> list[Build]:
        """Contribution nodes. ``grouped``: the members of one container element
        (``Authors/Author``), emitted by a single build; else one build per member element
        (``Issuer``, ``Funder``)."""
        role = ROLES[(entity, prop)]

        def one(n: int, c: Contributor) -> None:
            node = _child(s, path, n)
            out.link(s, _cb(prop), node, n)
            self._contribution(node, c, role, out, affiliations)

        if grouped:
            def all_members(_n: int | None) -> None:
                for n, c in enumerate(people, 1):
                    one(n, c)

            return [all_members] if people else []
        return [lambda n, c=c: one(n or 1, c) for c in people]

    # -- research outputs ---------------------------------------------------------------

    def _output(self, o: ResearchOutput, s: IRI, out: _Out) -> None:
        kind: str = o.entity  # type: ignore[attr-defined]
        out.add(s, A, CLASSES[kind])
        attr = lambda element: ATTRIBUTES[(kind, element)] if (kind, element) in ATTRIBUTES else _cb(element)  # noqa: E731
        p: dict[str, list[Build]] = {}
        if o.type:
            p["Type"] = self._iris(s, _cb("Type"), [o.type], out, "Type")
        p["Language"] = [lambda _n, v=v: out.value(s, _cb("Language"), Lit(v, None, XSD + "language" if _XSD_LANGUAGE.fullmatch(v) else XSD_STRING))
                         for v in o.languages if v]
        title = "Name" if kind == "Product" else "Title"
        p[title] = self._langs(s, attr(title), o.titles, out)
        p["Subtitle"] = self._langs(s, attr("Subtitle"), o.subtitles, out)
        p["NameAbbreviation"] = self._langs(s, attr("NameAbbreviation"), o.name_abbreviations, out)
        p["VersionInfo"] = self._langs(s, attr("VersionInfo"), o.version_info, out)
        if o.published_in is not None:
            p["PublishedIn"] = self._nodes(s, "PublishedIn", [o.published_in], self._output, out)
        if o.part_of is not None:
            p["PartOf"] = self._nodes(s, "PartOf", [o.part_of], self._output, out)
        # the CERIF writer's choices: a Publication's date falls back on Dates/Issued; a
        # Patent's is a full date (cfDate); a Product has none but Dates/Issued
        date = o.publication_date or (o.dates["Issued"].start if "Issued" in o.dates else None)
        if kind == "Patent" and date and len(date) < 10:
            out.add_issue(Severity.INFO, "rdf.no-slot", f"a Patent's PublicationDate is a full date; {date} is not written", "PublicationDate")
            date = None
        if kind == "Publication":
            p["PublicationDate"] = self._date(s, attr("PublicationDate"), date, out, "PublicationDate")
        elif kind == "Patent":
            p["PublicationDate"] = self._date(s, _cb("PublicationDate"), date[:10] if date else None, out, "PublicationDate")
        for element, value in (("Number", o.number), ("Volume", o.volume), ("Issue", o.issue), ("Edition", o.edition),
                               ("StartPage", o.start_page), ("EndPage", o.end_page), ("CountryCode", o.country_code),
                               ("PatentNumber", o.patent_number), ("ARK", o.ark), ("DOI", o.doi), ("Handle", o.handle),
                               ("PMCID", o.pmcid), ("ISI-Number", o.isi_number), ("SCP-Number", o.scopus_number),
                               ("URN", o.urn), ("ZDB-ID", o.zdb_id)):
            p[element] = self._strings(s, attr(element), [value], out)
        p["URL"] = self._strings(s, _cb("URL"), [o.url], out, XSD_ANYURI)
        p["ISSN"] = self._numbered(s, "ISSN", o.issns, o.issn_media, out)
        p["ISBN"] = self._numbered(s, "ISBN", o.isbns, o.isbn_media, out)
        p["RegistrationDate"] = self._date(s, _cb("RegistrationDate"), o.registration_date, out, "RegistrationDate")
        p["ApprovalDate"] = self._date(s, _cb("ApprovalDate"), o.approval_date, out, "ApprovalDate")

        def people(prop: str, path: str, values: list[Contributor], kinds: tuple[str, ...], affiliations: bool,
                   grouped: bool = True) -> list[Build]:
            if kind not in kinds:  # reported as no-slot by _emit
                return self._unplaced(values)
            return self._contributors(s, kind, prop, path, values, out, affiliations=affiliations, grouped=grouped)

        p["Issuer"] = people("Issuer", "Issuer", o.issuers, ("Patent",), affiliations=False, grouped=False)
        p["Holders"] = people("Holder", "Holders", o.holders, ("Patent",), affiliations=False)
        group, member = {"Publication": ("Authors", "Author"), "Product": ("Creators", "Creator"), "Patent": ("Inventors", "Inventor")}[kind]
        p[group] = people(member, group, o.creators, (kind,), affiliations=True)
        p["Editors"] = people("Editor", "Editors", o.editors, ("Publication",), affiliations=True)
        p["Publishers"] = people("Publisher", "Publishers", o.publishers, ("Publication", "Product"), affiliations=False)
        p["License"] = self._classes(s, "License", o.licenses, out)
        p["Subject"] = self._classes(s, "Subject", o.subjects, out)
        p["Keyword"] = self._langs(s, attr("Keyword"), o.keywords, out)
        abstract = "Description" if kind == "Product" else "Abstract"
        p[abstract] = self._langs(s, attr(abstract), o.abstracts, out)
        p["OriginatesFrom"] = self._nodes(s, "OriginatesFrom", o.originates_from, self._project_or_funding, out)
        p["Status"] = self._classes(s, "Status", o.statuses, out)
        p["PresentedAt"] = self._nodes(s, "PresentedAt", o.presented_at, self._event, out)
        p["OutputFrom"] = self._nodes(s, "OutputFrom", o.output_from, self._event, out)
        p["Coverage"] = self._nodes(s, "Coverage", o.coverage, self._event, out)
        p["References"] = self._nodes(s, "References", o.references, self._output, out)
        p["GeneratedBy"] = self._nodes(s, "GeneratedBy", o.generated_by, self._equipment, out)
        p["Predecessor"] = self._nodes(s, "Predecessor", o.predecessors, self._output, out)
        p["Access"] = self._access(s, o.access, o.access_end_date, out)
        if kind == "Product":
            dates = dict(o.dates)
            if o.publication_date and "Issued" not in dates:
                dates["Issued"] = DateRange(start=o.publication_date)
            elif o.publication_date and dates["Issued"].start != o.publication_date:
                out.add_issue(Severity.INFO, "rdf.extra-value",
                              f"Product takes one Issued date in Dates; the publication date {o.publication_date} is not written", "Dates")
            p["Dates"] = self._dates(s, dates, out)
        elif o.dates:
            others = [k for k in o.dates if k != "Issued" or o.publication_date]
            if others:
                out.add_issue(Severity.INFO, "rdf.no-slot", f"{kind} has no Dates; {', '.join(others)} not written", "Dates")
        if o.media:
            def file_locations(_n: int | None) -> None:
                for n, m in enumerate(o.media, 1):
                    self._medium(m, s, n, out)

            p["FileLocations"] = [file_locations]
        self._emit(s, kind, p, out)
        self._leftovers(o, _OUTPUT_FIELDS, kind, out)

    @staticmethod
    def _unplaced(values: list[Any]) -> list[Build]:
        """Values of an element this entity kind does not have: one build each, which
        ``_emit`` reports as no-slot before it could run."""
        return [lambda _n: None for _ in values]

    def _numbered(self, s: IRI, element: str, values: list[str], media: dict[str, str], out: _Out) -> list[Build]:
        """``ISSN``/``ISBN``, with their ``@medium`` kept in the sequence (rule 8)."""
        def build(v: str) -> None:
            ann = {"medium": out.iri_or_literal(media[v], element + "/@medium")} if v in media else None
            out.value(s, _cb(element), Lit(v), ann)

        return [lambda _n, v=v: build(v) for v in values if v]

    def _medium(self, m: Medium, parent: IRI, n: int, out: _Out) -> None:
        s = _child(parent, "FileLocations", n)
        out.link(parent, _cb("Medium"), s, n)
        out.add(s, A, CLASSES["Medium"])
        p: dict[str, list[Build]] = {
            "Type": self._classes(s, "Type", m.types, out),
            "Title": self._langs(s, ATTRIBUTES[("Medium", "Title")], m.titles, out),
            "URI": self._strings(s, ATTRIBUTES[("Medium", "URI")], [m.uri], out, XSD_ANYURI),
            "MimeType": self._strings(s, ATTRIBUTES[("Medium", "MimeType")], [m.mime_type], out),
            "Size": self._strings(s, ATTRIBUTES[("Medium", "Size")], [None if m.size is None else str(m.size)], out, XSD + "nonNegativeInteger"),
            "Identifier": self._ids(s, m.identifiers, out),
            "Access": self._access(s, m.access, m.access_end_date, out),
            "License": self._classes(s, "License", m.licenses, out),
            "Dates": self._dates(s, m.dates, out),
        }
        self._emit(s, "Medium", p, out)
        self._leftovers(m, _MEDIUM_FIELDS, "Medium", out)

    # -- people and organisations -------------------------------------------------------

    def _person(self, person: Person, s: IRI, out: _Out) -> None:
        out.add(s, A, CLASSES["Person"])
        p: dict[str, list[Build]] = {}
        name = person.name
        if name and (name.family or name.given or name.other):
            def person_name(_n: int | None) -> None:
                node = _child(s, "PersonName", None)
                out.add(s, _cb("PersonName"), node)
                out.add(node, A, PERSON_NAME)
                for element, value in (("FamilyNames", name.family), ("FirstNames", name.given), ("OtherNames", name.other)):
                    if value:
                        out.add(node, ATTRIBUTES[("PersonName", element)], Lit(value))

            p["PersonName"] = [person_name]
        p["Gender"] = self._strings(s, ATTRIBUTES[("Person", "Gender")], [person.gender], out)
        p["ORCID"] = self._iris(s, _cb("ORCID"), [person.orcid], out, "ORCID")
        p["AlternativeORCID"] = self._iris(s, _cb("AlternativeORCID"), person.alternative_orcids, out, "AlternativeORCID")
        for element, single, alternatives in (("ResearcherID", person.researcher_id, person.alternative_researcher_ids),
                                              ("ScopusAuthorID", person.scopus_author_id, person.alternative_scopus_author_ids),
                                              ("ISNI", person.isni, person.alternative_isnis), ("DAI", person.dai, person.alternative_dais)):
            p[element] = self._strings(s, _cb(element), [single], out)
            p["Alternative" + element] = self._strings(s, _cb("Alternative" + element), alternatives, out)
        p["Identifier"] = self._ids(s, person.identifiers, out)
        p["ElectronicAddress"] = self._strings(s, _cb("ElectronicAddress"), person.electronic_addresses, out, XSD_ANYURI)
        p["Affiliation"] = self._nodes(s, "Affiliation", person.affiliations, self._org, out)
        self._emit(s, "Person", p, out)
        self._leftovers(person, _PERSON_FIELDS, "Person", out)

    def _org(self, org: OrgUnit, s: IRI, out: _Out) -> None:
        out.add(s, A, CLASSES["OrgUnit"])
        names = ([LangString(value=org.name, lang=org.name_lang)] if org.name else []) + org.other_names
        p: dict[str, list[Build]] = {
            "Type": self._classes(s, "Type", org.types, out),
            "Acronym": self._strings(s, ATTRIBUTES[("OrgUnit", "Acronym")], [org.acronym], out),
            "Name": self._langs(s, ATTRIBUTES[("OrgUnit", "Name")], names, out),
            "RORID": self._iris(s, _cb("RORID"), [org.ror], out, "RORID"),
            "AlternativeRORID": self._iris(s, _cb("AlternativeRORID"), org.alternative_rors, out, "AlternativeRORID"),
            "GRID": self._strings(s, _cb("GRID"), [org.grid], out),
            "AlternativeGRID": self._strings(s, _cb("AlternativeGRID"), org.alternative_grids, out),
            "ISNI": self._strings(s, _cb("ISNI"), [org.isni], out),
            "AlternativeISNI": self._strings(s, _cb("AlternativeISNI"), org.alternative_isnis, out),
            "FundRefID": self._iris(s, _cb("FundRefID"), [org.fundref], out, "FundRefID"),
            "AlternativeFundRefID": self._iris(s, _cb("AlternativeFundRefID"), org.alternative_fundrefs, out, "AlternativeFundRefID"),
            "Identifier": self._ids(s, org.identifiers, out),
            "ElectronicAddress": self._strings(s, _cb("ElectronicAddress"), org.electronic_addresses, out, XSD_ANYURI),
            "PartOf": self._nodes(s, "PartOf", ([org.part_of] if org.part_of is not None else []) + org.also_part_of, self._org, out),
        }
        self._emit(s, "OrgUnit", p, out)
        self._leftovers(org, _ORG_FIELDS, "OrgUnit", out)

    # -- projects and fundings ----------------------------------------------------------

    def _project_or_funding(self, x: Project | Funding, s: IRI, out: _Out) -> None:
        if isinstance(x, Funding):
            self._funding(x, s, out)
        else:
            self._project(x, s, out)

    def _funding(self, f: Funding, s: IRI, out: _Out) -> None:
        out.add(s, A, CLASSES["Funding"])
        p: dict[str, list[Build]] = {
            "Type": self._iris(s, _cb("Type"), [f.type], out, "Type"),
            "Acronym": self._strings(s, ATTRIBUTES[("Funding", "Acronym")], [f.acronym], out),
            "Name": self._langs(s, ATTRIBUTES[("Funding", "Name")], f.names, out),
            "GrantDOI": self._strings(s, _cb("GrantDOI"), [f.grant_doi], out),
            "Identifier": self._ids(s, f.identifiers, out),
            "Description": self._langs(s, ATTRIBUTES[("Funding", "Description")], f.descriptions, out),
            "Subject": self._classes(s, "Subject", f.subjects, out),
            "Keyword": self._langs(s, ATTRIBUTES[("Funding", "Keyword")], f.keywords, out),
        }
        if f.amount is not None:
            amount = f.amount

            def build_amount(_n: int | None) -> None:
                decimal = re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", amount.value)
                out.value(s, ATTRIBUTES[("Funding", "Amount")], Lit(amount.value, None, XSD + "decimal" if decimal else XSD_STRING))
                if amount.currency:
                    out.value(s, ATTRIBUTES[("Funding", "Currency")], Lit(amount.currency))

            p["Amount"] = [build_amount]
        # the first funder in its short form (a plain organisation), then the others
        funders = ([Contributor(org_unit=f.funder)] if f.funder is not None else []) + f.other_funders
        p["Funder"] = self._contributors(s, "Funding", "Funder", "Funder", funders, out, affiliations=False, grouped=False)
        if f.part_of is not None:
            p["PartOf"] = self._nodes(s, "PartOf", [f.part_of], self._funding, out)
        if f.duration is not None:
            d = f.duration

            def duration(_n: int | None) -> None:
                node = _child(s, "Duration", None)
                out.add(s, _cb("Duration"), node)
                if d.start:
                    out.add(node, _cb("startDate"), out.date(d.start, "Duration/@startDate"))
                if d.end:
                    out.add(node, _cb("endDate"), out.date(d.end, "Duration/@endDate"))

            p["Duration"] = [duration]
        mandates = ([OAMandate(mandated=True, uri=f.oa_mandate)] if f.oa_mandate else []) + f.oa_mandates
        p["OAMandate"] = self._mandates(s, mandates, out)
        self._emit(s, "Funding", p, out)
        self._leftovers(f, _FUNDING_FIELDS, "Funding", out)

    def _project(self, project: Project, s: IRI, out: _Out) -> None:
        out.add(s, A, CLASSES["Project"])
        p: dict[str, list[Build]] = {
            "Type": self._classes(s, "Type", project.types, out),
            "Acronym": self._strings(s, ATTRIBUTES[("Project", "Acronym")], [project.acronym], out),
            "Title": self._langs(s, ATTRIBUTES[("Project", "Title")], project.titles, out),
            "Identifier": self._ids(s, project.identifiers, out),
            "StartDate": self._date(s, ATTRIBUTES[("Project", "StartDate")], project.start_date, out, "StartDate"),
            "EndDate": self._date(s, ATTRIBUTES[("Project", "EndDate")], project.end_date, out, "EndDate"),
            "Funded": [lambda n, x=x: self._funded(s, n or 1, x, out) for x in project.funded],
            "Subject": self._classes(s, "Subject", project.subjects, out),
            "Keyword": self._langs(s, ATTRIBUTES[("Project", "Keyword")], project.keywords, out),
            "Abstract": self._langs(s, ATTRIBUTES[("Project", "Abstract")], project.abstracts, out),
            "Status": self._classes(s, "Status", project.statuses, out),
            "Uses": self._nodes(s, "Uses", project.uses, self._equipment, out),
            "OAMandate": self._mandates(s, project.oa_mandates, out),
        }
        for holder, members, affiliations in (("Consortium", CONSORTIUM, False), ("Team", TEAM, True)):
            group = getattr(project, holder.lower())
            if group is None:
                continue

            def build_group(_n: int | None, group: Any = group, holder: str = holder, members: Any = members, affiliations: bool = affiliations) -> None:
                for field, element, prop in members:
                    for build in self._contributors(s, "Project", prop, f"{holder}/{element}", getattr(group, field), out,
                                                    affiliations=affiliations, grouped=True):
                        build(None)

            p[holder] = [build_group]
        self._emit(s, "Project", p, out)
        self._leftovers(project, _PROJECT_FIELDS, "Project", out)

    def _funded(self, s: IRI, n: int, funded: Funded, out: _Out) -> None:
        node = _child(s, "Funded", n)
        out.link(s, _cb("Funded"), node, n)
        if funded.by is not None:
            by = _child(node, "By", None)
            out.add(node, _cb("By"), by)
            self._contribution(by, funded.by, ROLES[("Project", "By")], out, affiliations=False)
        if funded.funding is not None:
            self._embed(node, _cb("As"), funded.funding, _child(node, "As", None), None, self._funding, out)

    # -- events and equipment -----------------------------------------------------------

    def _event(self, event: Event, s: IRI, out: _Out) -> None:
        out.add(s, A, CLASSES["Event"])
        party = self._org_or_project
        p: dict[str, list[Build]] = {
            "Type": self._classes(s, "Type", event.types, out),
            "Acronym": self._strings(s, ATTRIBUTES[("Event", "Acronym")], [event.acronym], out),
            "Name": self._langs(s, ATTRIBUTES[("Event", "Name")], event.names, out),
            "Place": self._strings(s, ATTRIBUTES[("Event", "Place")], [event.place], out),
            "Country": self._strings(s, ATTRIBUTES[("Event", "Country")], [event.country], out),
            "StartDate": self._date(s, ATTRIBUTES[("Event", "StartDate")], event.start_date, out, "StartDate"),
            "EndDate": self._date(s, ATTRIBUTES[("Event", "EndDate")], event.end_date, out, "EndDate"),
            "Description": self._langs(s, ATTRIBUTES[("Event", "Description")], event.descriptions, out),
            "Subject": self._classes(s, "Subject", event.subjects, out),
            "Keyword": self._langs(s, ATTRIBUTES[("Event", "Keyword")], event.keywords, out),
            "Organizer": self._nodes(s, "Organizer", event.organizers, party, out),
            "Sponsor": self._nodes(s, "Sponsor", event.sponsors, party, out),
            "Partner": self._nodes(s, "Partner", event.partners, party, out),
        }
        self._emit(s, "Event", p, out)
        self._leftovers(event, _EVENT_FIELDS, "Event", out)

    def _org_or_project(self, x: OrgUnit | Project, s: IRI, out: _Out) -> None:
        if isinstance(x, OrgUnit):
            self._org(x, s, out)
        else:
            self._project(x, s, out)

    def _equipment(self, q: Equipment, s: IRI, out: _Out) -> None:
        out.add(s, A, CLASSES["Equipment"])
        p: dict[str, list[Build]] = {
            "Type": self._classes(s, "Type", q.types, out),
            "Acronym": self._strings(s, ATTRIBUTES[("Equipment", "Acronym")], [q.acronym], out),
            "Name": self._langs(s, ATTRIBUTES[("Equipment", "Name")], q.names, out),
            "Identifier": self._ids(s, q.identifiers, out),
            "Description": self._langs(s, ATTRIBUTES[("Equipment", "Description")], q.descriptions, out),
            "Owner": self._contributors(s, "Equipment", "Owner", "Owner", q.owners, out, affiliations=False, grouped=False),
        }
        self._emit(s, "Equipment", p, out)
        self._leftovers(q, _EQUIPMENT_FIELDS, "Equipment", out)


# Model fields each writer method places (the rest is reported by _leftovers).
_OUTPUT_FIELDS = frozenset(
    "type languages titles subtitles name_abbreviations version_info published_in part_of publication_date number volume issue "
    "edition start_page end_page doi handle pmcid isi_number scopus_number issns isbns url urn ark zdb_id patent_number creators "
    "editors publishers licenses subjects keywords abstracts originates_from access access_end_date dates media issn_media "
    "isbn_media statuses presented_at output_from coverage references generated_by registration_date approval_date country_code "
    "issuers holders predecessors".split()
)
_MEDIUM_FIELDS = frozenset("uri mime_type size titles types identifiers access access_end_date licenses dates".split())
_PERSON_FIELDS = frozenset(
    "name orcid alternative_orcids isni researcher_id scopus_author_id identifiers electronic_addresses affiliations gender "
    "alternative_researcher_ids alternative_scopus_author_ids alternative_isnis dai alternative_dais".split()
)
_ORG_FIELDS = frozenset(
    "name name_lang acronym ror grid isni fundref identifiers part_of types other_names alternative_rors alternative_grids "
    "alternative_isnis alternative_fundrefs electronic_addresses also_part_of".split()
)
_FUNDING_FIELDS = frozenset(
    "type acronym names grant_doi identifiers funder part_of duration oa_mandate amount descriptions subjects keywords "
    "other_funders oa_mandates".split()
)
# ``funded_by`` is left out on purpose: the CERIF writer does not write it either (``funded``
# is the profile's Funded element), so RDF would otherwise convert to different CERIF XML.
_PROJECT_FIELDS = frozenset(
    "acronym titles identifiers start_date end_date types consortium team funded subjects keywords abstracts statuses uses "
    "oa_mandates".split()
)
_EVENT_FIELDS = frozenset(
    "types acronym names place country start_date end_date descriptions subjects keywords organizers sponsors partners".split()
)
_EQUIPMENT_FIELDS = frozenset("types acronym names identifiers descriptions owners".split())


def _child(parent: str, step: str, position: int | None) -> IRI:
    """A minted IRI: the parent's, then ``#step`` (first step) or ``/step``, then ``/n``."""
    path = f"{step}/{position}" if position is not None else step
    return IRI(f"{parent}{'/' if '#' in parent else '#'}{path}")


class _Out:
    """The triples of one entity being written, its issues and its sequences."""

    __slots__ = ("triples", "issues", "record", "file", "label", "_seqs", "_seen")

    def __init__(self, record: str | None, file: str | None, key: str) -> None:
        self.triples: list[Triple] = []
        self.issues: list[Issue] = []
        self.record = record
        self.file = file
        # blank node labels unique to this entity, so records streamed into one N-Triples
        # document never share a blank node
        self.label = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
        self._seqs: dict[tuple[IRI, IRI], list[tuple[Term, dict[str, Any] | None]]] = {}
        self._seen: set[Triple] = set()

    def add(self, s: IRI | BNode, p: IRI, o: Term) -> None:
        t = (s, p, o)
        if t not in self._seen:
            self._seen.add(t)
            self.triples.append(t)

    def link(self, s: IRI, p: IRI, node: IRI, position: int | None) -> None:
        """A node value; a minted one in a repeatable element gets its position."""
        self.add(s, p, node)
        if position is not None:
            self.add(node, ORDINAL, Lit(str(position), None, XSD + "integer"))

    def value(self, s: IRI, p: IRI, o: Term, ann: dict[str, Any] | None = None) -> None:
        """A literal or IRI value, remembered in order for the subject's sequence."""
        self.add(s, p, o)
        self._seqs.setdefault((s, p), []).append((o, ann))

    def finish(self) -> None:
        """Sequences for values that need one (rule 7 and 8 of the vocabulary): literal and
        IRI values (nodes carry their own ``cb:ordinal``)."""
        n = 0
        needed = [(key, values) for key, values in self._seqs.items() if len(values) >= 2 or values[0][1] is not None]
        for (s, p), values in needed:
            n += 1
            seq = BNode(f"q{self.label}x{n}")
            self.add(s, SEQUENCE, seq)
            self.add(seq, A, RDF_SEQ)
            self.add(seq, PROPERTY, p)
            for i, (o, ann) in enumerate(values, 1):
                member: Term = o
                if ann:
                    member = BNode(f"q{self.label}x{n}m{i}")
                    self.add(member, RDF_VALUE, o)
                    for key, v in ann.items():
                        self.add(member, _cb(key), v)
                self.add(seq, IRI(f"{RDF}_{i}"), member)

    def iri_or_literal(self, value: str, element: str) -> Term:
        if is_absolute_iri(value):
            return IRI(value)
        self.add_issue(Severity.INFO, "rdf.not-an-iri", f"{element} {value!r} is not an absolute IRI; written as an xsd:anyURI literal", element)
        return Lit(value, None, XSD_ANYURI)

    def date(self, value: str, element: str) -> Lit:
        datatype = date_datatype(value)
        if datatype is None:
            self.add_issue(Severity.WARNING, "rdf.untyped-date", f"{element} {value!r} is no date of a form the profile allows; written as a plain string", element)
            return Lit(value)
        return Lit(value, None, datatype)

    def add_issue(self, severity: Severity, code: str, message: str, element: str) -> None:
        self.issues.append(Issue(code=code, severity=severity, message=message,
                                 location=Location(file=self.file, record=self.record, path=element)))


# -- Turtle and JSON-LD, by hand ---------------------------------------------------------------
#
# rdflib's Turtle serialiser slows down with the number of distinct IRI namespaces (every
# entity's fragment IRIs count as one), 7 s for the 75k triples of the real-record corpus; a
# record's triples are a small tree, so each record is written here as a self-contained block
# instead, which also lets Turtle and JSON-LD stream record by record like N-Triples.

_PN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
_TURTLE_PREFIXES = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


@lru_cache(maxsize=4096)  # the vocabulary's terms come back in every record
def _pname(iri: str) -> str:
    for prefix, ns in _TURTLE_PREFIXES:
        if iri.startswith(ns) and _PN_LOCAL.fullmatch(iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def _turtle_literal(term: Lit) -> str:
    if term.datatype == XSD + "integer" and term.value.isdigit():
        return term.value
    text = f'"{term.value.translate(_ESCAPES)}"'
    if term.lang:
        return f"{text}@{term.lang}"
    if term.datatype and term.datatype != XSD_STRING:
        return f"{text}^^{_pname(term.datatype)}"
    return text


def _group(triples: Iterable[Triple]) -> dict[IRI | BNode, dict[IRI, list[Term]]]:
    """Subject -> predicate -> objects, in first-seen order."""
    subjects: dict[IRI | BNode, dict[IRI, list[Term]]] = {}
    for s, p, o in triples:
        subjects.setdefault(s, {}).setdefault(p, []).append(o)
    return subjects


def to_turtle(triples: Iterable[Triple]) -> str:
    """A Turtle block for one record's triples, using the prefixes of ``turtle_header``.
    Blank nodes (sequences) keep their labels, as in N-Triples and JSON-LD, so a record that
    comes twice in one document merges into the same nodes in every format."""
    blocks = []
    for s, props in _group(triples).items():
        parts = []
        for p, objects in sorted(props.items(), key=lambda kv: (kv[0] != A, kv[0])):
            verb = "a" if p == A else _pname(p)
            parts.append(f"{verb} " + " ,\n        ".join(_turtle_term(o) for o in objects))
        subject = f"_:{s}" if isinstance(s, BNode) else _pname(s)
        blocks.append(f"{subject} " + " ;\n    ".join(parts) + " .\n")
    return "\n".join(blocks) + "\n"


def _turtle_term(o: Term) -> str:
    if isinstance(o, IRI):
        return _pname(o)
    if isinstance(o, BNode):
        return f"_:{o}"
    return _turtle_literal(o)


def turtle_header() -> str:
    return "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in PREFIXES.items()) + "\n"


@lru_cache(maxsize=4096)
def _compact(iri: str) -> str:
    for prefix, ns in _TURTLE_PREFIXES:
        if iri.startswith(ns) and not iri[len(ns):].startswith("//"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def to_jsonld_nodes(triples: Iterable[Triple]) -> list[dict[str, Any]]:
    """One record's triples as JSON-LD node objects for a ``@graph`` under ``JSONLD_CONTEXT``
    (compact IRIs for the vocabulary's prefixes, every value in its explicit form)."""
    nodes = []
    for s, props in _group(triples).items():
        node: dict[str, Any] = {"@id": f"_:{s}" if isinstance(s, BNode) else s}
        for p, objects in props.items():
            if p == A:
                node["@type"] = [_compact(o) for o in objects]
                continue
            values = []
            for o in objects:
                if isinstance(o, IRI):
                    values.append({"@id": o})
                elif isinstance(o, BNode):
                    values.append({"@id": f"_:{o}"})
                elif o.lang:
                    values.append({"@value": o.value, "@language": o.lang})
                elif o.datatype and o.datatype != XSD_STRING:
                    values.append({"@value": o.value, "@type": _compact(o.datatype)})
                else:
                    values.append({"@value": o.value})
            node[_compact(p)] = values
        nodes.append(node)
    return nodes


JSONLD_CONTEXT = {**PREFIXES}


def serialize(graph: Any, fmt: str) -> bytes:
    """Turtle (``turtle``), N-Triples (``nt``) or JSON-LD (``jsonld``) bytes of an rdflib graph
    (for graphs built with ``to_graph``; the command line writes record by record instead)."""
    if fmt == "jsonld":
        data = graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True)
    else:
        data = graph.serialize(format={"turtle": "turtle", "nt": "nt11"}[fmt])
    return data if isinstance(data, bytes) else data.encode("utf-8")


def render(triples: list[Triple], fmt: str) -> bytes:
    """One record's block in a format: N-Triples lines, a Turtle block, or JSON-LD node
    objects (comma-separated, for the ``@graph`` array ``RdfStreamWriter`` opens)."""
    if fmt == "nt":
        text = to_ntriples(triples)
    elif fmt == "turtle":
        text = to_turtle(triples)
    elif fmt == "jsonld":
        import json

        text = ",\n".join(json.dumps(n, ensure_ascii=False) for n in to_jsonld_nodes(triples))
    else:
        raise ValueError(f"unknown RDF format {fmt!r}; known: turtle, nt, jsonld")
    return text.encode("utf-8")


# -- streaming output ---------------------------------------------------------------------------

FORMATS = ("turtle", "nt", "jsonld")


class RdfStreamWriter:
    """Writes records' blocks (``render``) to a binary file as they come, in any of the three
    formats, so memory stays flat: a Turtle document is its prefixes and then one block per
    record, a JSON-LD document one ``@graph`` array with each record's nodes."""

    def __init__(self, out: BinaryIO, fmt: str = "turtle") -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown RDF format {fmt!r}; known: {', '.join(FORMATS)}")
        self.out = out
        self.fmt = fmt
        self.count = 0
        if fmt == "turtle":
            out.write(turtle_header().encode("utf-8"))
        elif fmt == "jsonld":
            import json

            out.write(b'{"@context": ' + json.dumps(JSONLD_CONTEXT).encode("utf-8") + b',\n "@graph": [\n')

    def add(self, block: bytes) -> None:
        if not block:
            return
        if self.fmt == "jsonld" and self.count:
            self.out.write(b",\n")
        self.count += 1
        self.out.write(block)

    def close(self) -> None:
        if self.fmt == "jsonld":
            self.out.write(b"\n]}\n")
        self.out.flush()


def document(block: bytes, fmt: str) -> bytes:
    """A whole document of one record's block."""
    import io

    buffer = io.BytesIO()
    stream = RdfStreamWriter(buffer, fmt)
    stream.add(block)
    stream.close()
    return buffer.getvalue()


class RdfRender:
    """Serialises a converted record's entities for the batch (``--to rdf``), in place of
    CERIF XML; the record's issues about the CERIF XML written (``WRITER_CODES``) give way to
    the RDF writer's. Pickles by its settings, so process pools can carry it."""

    def __init__(self, base: str = DEFAULT_BASE, fmt: str = "nt") -> None:
        if fmt not in FORMATS:
            raise ConfigurationError(f"unknown RDF format {fmt!r}; known: {', '.join(FORMATS)}")
        if not is_absolute_iri(base):
            raise ConfigurationError(f"the RDF base {base!r} is not an absolute IRI (e.g. https://cris.example.org/)")
        self.base = base
        self.fmt = fmt
        self._writer: RdfWriter | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"base": self.base, "fmt": self.fmt}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.base, self.fmt = state["base"], state["fmt"]
        self._writer = None

    def __call__(self, result: Any) -> list[tuple[str, str, bytes]]:
        if self._writer is None:
            self._writer = RdfWriter(self.base)
        # the CERIF reader's issues (cerif.not-read, from CERIF input) are about the source and stay
        issues = [i for i in result.issues if i.code not in WRITER_CODES]
        outputs: list[tuple[str, str, bytes]] = []
        for e in result.entities:
            triples, found = self._writer.triples(e.entity, record=result.source_id, file=result.source)
            issues.extend(found)
            outputs.append((e.id, e.kind.value, render(triples, self.fmt)))
        result.issues = issues
        return outputs


class RdfSink:
    """Where ``--to rdf`` writes: a file or standard output (one document, written record by
    record), or a folder (one document per entity, ``Publications/<uuid>.ttl``; deleted
    records listed in ``deleted.txt``). Takes each entity's block from ``RdfRender``."""

    def __init__(self, output: str | None, fmt: str, stdout: BinaryIO | None = None) -> None:
        from pathlib import Path

        self.fmt = fmt
        self.count = 0
        self.folder = Path(output) if output is not None and (output.endswith(("/", "\\")) or Path(output).is_dir()) else None
        self._file: BinaryIO | None = None
        self._stream: RdfStreamWriter | None = None
        self._deleted: list[str] = []
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            return
        if output is None:
            import sys

            out = stdout or sys.stdout.buffer
        else:
            Path(output).parent.mkdir(parents=True, exist_ok=True)
            out = self._file = open(output, "wb")  # noqa: SIM115 - closed in close()
        self._stream = RdfStreamWriter(out, fmt)

    def record(self, entity_id: str, kind: str, datestamp: str, block: bytes) -> None:
        self.count += 1
        if self._stream is not None:
            self._stream.add(block)
            return
        assert self.folder is not None
        path = self.folder / f"{entity_id}{extension(self.fmt)}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(document(block, self.fmt))

    def deleted(self, entity_id: str, datestamp: str) -> None:
        # RDF has no deleted record; the report says it, and a folder lists it
        self._deleted.append(f"{entity_id}\t{datestamp}")

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
        if self._file is not None:
            self._file.close()
        if self.folder is not None and self._deleted:
            (self.folder / "deleted.txt").write_text("\n".join(self._deleted) + "\n", encoding="utf-8")


def extension(fmt: str) -> str:
    return {"turtle": ".ttl", "nt": ".nt", "jsonld": ".jsonld"}[fmt]


# A property's CERIF element name, for messages: the CERIF model terms back to the elements
# they annotate (one term names one element, whichever entity holds it).
_ELEMENT_OF_TERM = {str(iri): element for (_, element), iri in ATTRIBUTES.items()}


def element_path(focus_node: str | None, path: str | None, record: str | None = None) -> str | None:
    """Where in a record a SHACL result is, as the profile's elements name it: the focus node's
    minted part (``#PublishedIn``, ``#Authors/1/Person``) and the property as its element
    (``cerif:ResultPublication.Title`` is ``Title``, ``cb:ORCID`` is ``ORCID``): for example
    ``PublishedIn/Title``. A focus node that is another entity than the ``record``'s (an
    organisation embedded with its own id) is named by its id. None when nothing is known."""
    steps: list[str] = []
    if focus_node:
        entity, _, minted = focus_node.partition("#")
        local = record.rsplit(":", 1)[-1] if record else None
        if local and not unquote(entity).endswith(local) and "/" in entity.rstrip("/"):
            steps.append("/".join(unquote(entity).rstrip("/").split("/")[-2:]))
        if minted:
            steps.append(unquote(minted))
    if path and path != RDF_VALUE:  # rdf:value is the focus node's own value: its element is named
        if path in _ELEMENT_OF_TERM:
            steps.append(_ELEMENT_OF_TERM[path])
        elif path.startswith(CB):
            steps.append(path[len(CB):])
        else:
            steps.append(path.rsplit("#", 1)[-1] if is_absolute_iri(path) else path)
    return "/".join(steps) or None


__all__ = [
    "CB", "CERIF", "CFV", "DEFAULT_BASE", "FORMATS", "IRI", "BNode", "Lit", "RdfRender", "RdfSink", "RdfStreamWriter", "RdfWriter",
    "Triple", "bind_prefixes", "date_datatype", "document", "element_path", "extension", "is_absolute_iri", "render", "serialize", "to_graph",
    "to_jsonld_nodes", "to_ntriples", "to_turtle", "turtle_header",
]
