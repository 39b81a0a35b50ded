"""RDF in the crisbridge vocabulary (``docs/rdf-vocabulary.md``) -> the neutral model.

The inverse of ``crisbridge.writers.rdf``: each top-level entity of a graph (a node of an
entity class that is no triple's object) is read back into the model the way the CERIF reader
reads the same entity's CERIF XML, so RDF written by the bridge converts to the same CERIF XML
as the direct path. Order comes from ``cb:ordinal`` and ``cb:sequence``; values without either
are taken in a fixed order (lexical), so any graph reads the same way every time.

Whatever a node carries that the vocabulary does not define for it is reported
(``rdf.not-read``), never dropped silently.

    >>> graph = parse_rdf(Path("harvest.nt"))
    >>> for item in read_graph(graph, source="harvest.nt"):
    ...     item.entity, item.issues
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

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
from crisbridge.writers.rdf import (
    ATTRIBUTES,
    CB,
    CLASSES,
    CONSORTIUM,
    DATE_KINDS,
    DATE_TYPE,
    DEFAULT_BASE,
    GENID,
    RDF,
    TEAM,
)

AnyEntity = Publication | Product | Patent | Person | OrgUnit | Project | Funding | Event | Equipment
# (not .json: a folder of RDF often holds a report.json beside it)
FORMATS = {".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".ntriples": "nt", ".jsonld": "json-ld"}
COLLECTIONS = ("Publications", "Products", "Patents", "Persons", "OrgUnits", "Projects", "Fundings", "Events", "Equipments")
_ID = re.compile(r"(?:^|/)((?:" + "|".join(COLLECTIONS) + r")/[^/#?]+)$")

TYPE = RDF + "type"
VALUE = RDF + "value"
KIND_OF_CLASS = {str(iri): kind for kind, iri in CLASSES.items() if kind != "Medium"}
RECORD = CB + "Record"
ENTITY = CB + "entity"
ID = CB + "id"
# the predicates every node may carry besides its own: its class and position, its sequences,
# and what names it (the entity an embedded copy stands for, a bare id)
_STRUCTURAL = frozenset({TYPE, CB + "ordinal", CB + "sequence", ENTITY, ID})


def parse_rdf(source: str | Path | bytes, fmt: str | None = None) -> Any:
    """An rdflib graph of a file (format from its extension unless given: ``turtle``,
    ``nt``, ``json-ld``) or of bytes; literals keep their lexical form as written (rdflib
    would otherwise rewrite ``12.500`` seconds as ``12.500000``). Nothing is fetched: a JSON-LD
    document that names a remote ``@context`` is refused (DESIGN section 7: no network)."""
    import rdflib

    if isinstance(source, bytes):
        data = source
    else:
        data = Path(source).read_bytes()
        fmt = fmt or FORMATS.get(Path(source).suffix.lower())
    fmt = {"jsonld": "json-ld", "ttl": "turtle"}.get(fmt or "turtle", fmt or "turtle")
    text = data.decode("utf-8")
    if fmt == "json-ld":
        import json

        _refuse_remote_contexts(json.loads(text))
    graph = rdflib.Graph()
    saved = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        with warnings.catch_warnings():
            # rdflib 7's own JSON-LD parser builds a ConjunctiveGraph, which rdflib deprecates
            warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
            graph.parse(data=text, format=fmt)
    finally:
        rdflib.NORMALIZE_LITERALS = saved
    return graph


def _refuse_remote_contexts(doc: Any) -> None:
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ("@context", "@import") and (isinstance(value, str) or (isinstance(value, list) and any(isinstance(v, str) for v in value))):
                    raise ValueError(f"the JSON-LD names a remote context ({value!r}); remote contexts are not loaded")
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


@dataclass(slots=True)
class RdfEntity:
    """One top-level entity read from a graph."""

    node: str
    entity: AnyEntity
    issues: list[Issue] = field(default_factory=list)


def top_level_nodes(graph: Any) -> list[Any]:
    """The records of a graph, in the graph's order: the nodes of an entity class marked
    ``cb:Record`` (the writer marks every top-level entity it writes), and any other node of
    an entity class that is no triple's object (a graph written before the mark, or by hand:
    there an entity another record embeds is read within that record, not as one of its own)."""
    typed = list(graph.subject_objects(predicate=_uri(TYPE)))
    marked = {s for s, o in typed if str(o) == RECORD}
    objects = set(graph.objects())
    seen: dict[Any, None] = {}
    for s, o in typed:
        if str(o) in KIND_OF_CLASS and (s in marked or s not in objects):
            seen.setdefault(s, None)
    return list(seen)


def read_graph(graph: Any, base: str | None = None, source: str | None = None) -> Iterator[RdfEntity]:
    """Every top-level entity of the graph, read into the model."""
    index = _Index(graph)
    for node in top_level_nodes(graph):
        reader = _Reader(index, base, source)
        entity = reader.entity(node)
        yield RdfEntity(str(node), entity, reader.issues)


def entity_id(iri: str, base: str | None = None) -> str | None:
    """The id an entity IRI was made from: the IRI minus the base (the default base when none
    is given), or, for an IRI under another base, its last two path segments when they are a
    collection and a key (``Publications/<uuid>``). Minted IRIs (with a ``#``) and skolem
    IRIs of entities written without an id have none."""
    if "#" in iri or GENID in iri:
        return None
    base = base or DEFAULT_BASE
    if iri.startswith(base) and len(iri) > len(base):
        return unquote(iri[len(base):])
    m = _ID.search(iri)
    return unquote(m.group(1)) if m else None


def _uri(value: str) -> Any:
    from rdflib import URIRef

    return URIRef(value)


class _Index:
    """The graph as subject -> predicate -> objects (strings for predicates), built once."""

    def __init__(self, graph: Any) -> None:
        self.props: dict[Any, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for s, p, o in graph:
            self.props[s][str(p)].append(o)


class _Reader:
    def __init__(self, index: _Index, base: str | None, source: str | None) -> None:
        self.index = index
        self.base = base
        self.source = source
        self.issues: list[Issue] = []

    # -- plumbing -----------------------------------------------------------------------

    def issue(self, node: Any, code: str, message: str, path: str | None = None, severity: Severity = Severity.WARNING) -> None:
        self.issues.append(Issue(code=code, severity=severity, message=message,
                                 location=Location(file=self.source, focus_node=str(node), path=path)))

    def node(self, s: Any) -> _Node:
        return _Node(self, s)

    def entity(self, s: Any) -> AnyEntity:
        classes = [str(o) for o in self.index.props[s].get(TYPE, [])]
        kind = next((KIND_OF_CLASS[c] for c in classes if c in KIND_OF_CLASS), None)
        read: dict[str, Callable[[Any], Any]] = {
            "Publication": self.output, "Product": self.output, "Patent": self.output, "Person": self.person,
            "OrgUnit": self.org, "Project": self.project, "Funding": self.funding, "Event": self.event, "Equipment": self.equipment,
        }
        return read[kind or "Publication"](s)  # type: ignore[no-any-return]

    def kind(self, s: Any, allowed: tuple[str, ...]) -> str | None:
        for c in self.index.props[s].get(TYPE, []):
            kind = KIND_OF_CLASS.get(str(c))
            if kind in allowed:
                return kind
        self.issue(s, "rdf.no-class", f"{s} has none of the classes {', '.join(str(CLASSES[k]) for k in allowed)}; not read")
        return None

    def id_of(self, s: Any) -> str | None:
        """The id of an entity node: its bare id (``cb:id``) when it has one, else the id in
        the IRI of the entity it stands for (``cb:entity``, on an embedded copy) or in its own."""
        from rdflib import URIRef

        props = self.index.props.get(s, {})
        if props.get(ID):
            return str(props[ID][0])
        named = props.get(ENTITY)
        if named:
            s = named[0]
        return entity_id(str(s), self.base) if isinstance(s, URIRef) else None

    # -- people and organisations -------------------------------------------------------

    def contributor(self, s: Any) -> Contributor:
        n = self.node(s)
        c = Contributor(display_name=n.string(CB + "DisplayName"))
        n.use(CB + "role")
        person, org = n.one(CB + "Person"), n.one(CB + "OrgUnit")
        if org is not None:
            c.org_unit = self.org(org)
            if person is not None:
                self.issue(s, "rdf.not-read", "a contribution links a person and an organisation; the person is not read", CB + "Person")
        elif person is not None:
            c.person = self.person(person)
        c.affiliations = [self.org(o) for o in n.nodes(CB + "Affiliation")]
        n.done()
        return c

    def person(self, s: Any) -> Person:
        n = self.node(s)
        p = Person(id=self.id_of(s))
        name_node = n.one(CB + "PersonName")
        if name_node is not None:
            nn = self.node(name_node)
            p.name = PersonName(family=nn.string(ATTRIBUTES[("PersonName", "FamilyNames")]),
                                given=nn.string(ATTRIBUTES[("PersonName", "FirstNames")]),
                                other=nn.string(ATTRIBUTES[("PersonName", "OtherNames")]))
            nn.done()
        p.gender = n.string(ATTRIBUTES[("Person", "Gender")])
        p.orcid = n.string(CB + "ORCID")
        p.alternative_orcids = n.strings(CB + "AlternativeORCID")
        p.researcher_id = n.string(CB + "ResearcherID")
        p.alternative_researcher_ids = n.strings(CB + "AlternativeResearcherID")
        p.scopus_author_id = n.string(CB + "ScopusAuthorID")
        p.alternative_scopus_author_ids = n.strings(CB + "AlternativeScopusAuthorID")
        p.isni = n.string(CB + "ISNI")
        p.alternative_isnis = n.strings(CB + "AlternativeISNI")
        p.dai = n.string(CB + "DAI")
        p.alternative_dais = n.strings(CB + "AlternativeDAI")
        p.identifiers = self.identifiers(n)
        p.electronic_addresses = n.strings(CB + "ElectronicAddress")
        p.affiliations = [self.org(o) for o in n.nodes(CB + "Affiliation")]
        n.done()
        return p

    def org(self, s: Any) -> OrgUnit:
        n = self.node(s)
        o = OrgUnit(id=self.id_of(s))
        o.types = self.classifications(n, "Type")
        o.acronym = n.string(ATTRIBUTES[("OrgUnit", "Acronym")])
        names = n.langs(ATTRIBUTES[("OrgUnit", "Name")])
        # as the CERIF reader: the first name, when it is an original, is the entity's name
        if names and names[0].trans is None:
            o.name, o.name_lang = names[0].value, names[0].lang
            names = names[1:]
        o.other_names = names
        o.ror = n.string(CB + "RORID")
        o.alternative_rors = n.strings(CB + "AlternativeRORID")
        o.grid = n.string(CB + "GRID")
        o.alternative_grids = n.strings(CB + "AlternativeGRID")
        o.isni = n.string(CB + "ISNI")
        o.alternative_isnis = n.strings(CB + "AlternativeISNI")
        o.fundref = n.string(CB + "FundRefID")
        o.alternative_fundrefs = n.strings(CB + "AlternativeFundRefID")
        o.identifiers = self.identifiers(n)
        o.electronic_addresses = n.strings(CB + "ElectronicAddress")
        parents = [self.org(x) for x in n.nodes(CB + "PartOf")]
        if parents:
            o.part_of, o.also_part_of = parents[0], parents[1:]
        n.done()
        return o

    # -- shared value nodes -------------------------------------------------------------

    def classifications(self, n: _Node, element: str) -> list[Classification]:
        out: list[Classification] = []
        for x in n.nodes(CB + element):
            c = self.node(x)
            out.append(Classification(scheme=c.string(CB + "scheme") or "", value=c.string(VALUE) or ""))
            c.done()
        return out

    def identifiers(self, n: _Node) -> list[GenericIdentifier]:
        out: list[GenericIdentifier] = []
        for x in n.nodes(CB + "Identifier"):
            c = self.node(x)
            out.append(GenericIdentifier(type=c.string(CB + "type") or "", value=c.string(VALUE) or ""))
            c.done()
        return out

    def mandates(self, n: _Node) -> list[OAMandate]:
        out: list[OAMandate] = []
        for x in n.nodes(CB + "OAMandate"):
            m = self.node(x)
            mandated = m.string(CB + "mandated")
            out.append(OAMandate(mandated=None if mandated is None else mandated.strip() in ("true", "1"),
                                 uri=m.string(CB + "uri"), start=m.string(CB + "startDate"), end=m.string(CB + "endDate")))
            m.done()
        return out

    def dates(self, n: _Node) -> dict[str, DateRange]:
        found: dict[str, DateRange] = {}
        for x in n.nodes(CB + "Dates"):
            d = self.node(x)
            kind = (d.string(CB + "dateType") or "").removeprefix(DATE_TYPE)
            rng = DateRange(start=d.string(CB + "startDate"), end=d.string(CB + "endDate"))
            if kind in DATE_KINDS:
                found[kind] = rng
            else:
                self.issue(x, "rdf.not-read", f"a date of type {kind!r} is none of the profile's date types; not read", CB + "dateType")
            d.done()
        # the profile's order of date kinds, whatever order the graph gave
        return {k: found[k] for k in DATE_KINDS if k in found}

    def access(self, n: _Node) -> tuple[str | None, str | None]:
        return n.string(CB + "Access"), n.string(CB + "accessEndDate")

    # -- projects and fundings ----------------------------------------------------------

    def funding(self, s: Any) -> Funding:
        n = self.node(s)
        f = Funding(id=self.id_of(s))
        f.type = n.string(CB + "Type")
        f.acronym = n.string(ATTRIBUTES[("Funding", "Acronym")])
        f.names = n.langs(ATTRIBUTES[("Funding", "Name")])
        amount = n.string(ATTRIBUTES[("Funding", "Amount")])
        currency = n.string(ATTRIBUTES[("Funding", "Currency")])
        if amount is not None:
            f.amount = Amount(value=amount, currency=currency or "")
        f.grant_doi = n.string(CB + "GrantDOI")
        f.identifiers = self.identifiers(n)
        f.descriptions = n.langs(ATTRIBUTES[("Funding", "Description")])
        f.subjects = self.classifications(n, "Subject")
        f.keywords = n.langs(ATTRIBUTES[("Funding", "Keyword")])
        for x in n.nodes(CB + "Funder"):
            c = self.contributor(x)
            # as the CERIF reader: a plain organisation as the first funder is the short form
            if f.funder is None and not f.other_funders and c.org_unit is not None and c.display_name is None:
                f.funder = c.org_unit
            else:
                f.other_funders.append(c)
        whole = n.one(CB + "PartOf")
        if whole is not None:
            f.part_of = self.funding(whole)
        duration = n.one(CB + "Duration")
        if duration is not None:
            d = self.node(duration)
            f.duration = DateRange(start=d.string(CB + "startDate"), end=d.string(CB + "endDate"))
            d.done()
        f.oa_mandates = self.mandates(n)
        n.done()
        return f

    def project(self, s: Any) -> Project:
        n = self.node(s)
        p = Project(id=self.id_of(s))
        p.types = self.classifications(n, "Type")
        p.acronym = n.string(ATTRIBUTES[("Project", "Acronym")])
        p.titles = n.langs(ATTRIBUTES[("Project", "Title")])
        p.identifiers = self.identifiers(n)
        p.start_date = n.string(ATTRIBUTES[("Project", "StartDate")])
        p.end_date = n.string(ATTRIBUTES[("Project", "EndDate")])
        consortium = {field: [self.contributor(x) for x in n.nodes(CB + prop)] for field, _, prop in CONSORTIUM}
        if any(consortium.values()):
            p.consortium = Consortium(**consortium)
        team = {field: [self.contributor(x) for x in n.nodes(CB + prop)] for field, _, prop in TEAM}
        if any(team.values()):
            p.team = Team(**team)
        for x in n.nodes(CB + "Funded"):
            fn = self.node(x)
            by, as_ = fn.one(CB + "By"), fn.one(CB + "As")
            p.funded.append(Funded(by=self.contributor(by) if by is not None else None,
                                   funding=self.funding(as_) if as_ is not None else None))
            fn.done()
        p.subjects = self.classifications(n, "Subject")
        p.keywords = n.langs(ATTRIBUTES[("Project", "Keyword")])
        p.abstracts = n.langs(ATTRIBUTES[("Project", "Abstract")])
        p.statuses = self.classifications(n, "Status")
        p.uses = [self.equipment(x) for x in n.nodes(CB + "Uses")]
        p.oa_mandates = self.mandates(n)
        n.done()
        return p

    # -- events and equipment -----------------------------------------------------------

    def event(self, s: Any) -> Event:
        n = self.node(s)
        e = Event(id=self.id_of(s))
        e.types = self.classifications(n, "Type")
        e.acronym = n.string(ATTRIBUTES[("Event", "Acronym")])
        e.names = n.langs(ATTRIBUTES[("Event", "Name")])
        e.place = n.string(ATTRIBUTES[("Event", "Place")])
        e.country = n.string(ATTRIBUTES[("Event", "Country")])
        e.start_date = n.string(ATTRIBUTES[("Event", "StartDate")])
        e.end_date = n.string(ATTRIBUTES[("Event", "EndDate")])
        e.descriptions = n.langs(ATTRIBUTES[("Event", "Description")])
        e.subjects = self.classifications(n, "Subject")
        e.keywords = n.langs(ATTRIBUTES[("Event", "Keyword")])
        for element, target in (("Organizer", e.organizers), ("Sponsor", e.sponsors), ("Partner", e.partners)):
            for x in n.nodes(CB + element):
                kind = self.kind(x, ("OrgUnit", "Project"))
                if kind is not None:
                    target.append(self.org(x) if kind == "OrgUnit" else self.project(x))
        n.done()
        return e

    def equipment(self, s: Any) -> Equipment:
        n = self.node(s)
        q = Equipment(id=self.id_of(s))
        q.types = self.classifications(n, "Type")
        q.acronym = n.string(ATTRIBUTES[("Equipment", "Acronym")])
        q.names = n.langs(ATTRIBUTES[("Equipment", "Name")])
        q.identifiers = self.identifiers(n)
        q.descriptions = n.langs(ATTRIBUTES[("Equipment", "Description")])
        q.owners = [self.contributor(x) for x in n.nodes(CB + "Owner")]
        n.done()
        return q

    # -- research outputs ---------------------------------------------------------------

    def medium(self, s: Any) -> Medium:
        n = self.node(s)
        m = Medium()
        m.types = self.classifications(n, "Type")
        m.titles = n.langs(ATTRIBUTES[("Medium", "Title")])
        m.uri = n.string(ATTRIBUTES[("Medium", "URI")])
        m.mime_type = n.string(ATTRIBUTES[("Medium", "MimeType")])
        size = n.string(ATTRIBUTES[("Medium", "Size")])
        if size is not None:
            if size.strip().isdigit():
                m.size = int(size)
            else:
                self.issue(s, "rdf.not-read", f"Size {size!r} is not a whole number; not read", str(ATTRIBUTES[("Medium", "Size")]))
        m.identifiers = self.identifiers(n)
        m.access, m.access_end_date = self.access(n)
        m.licenses = self.classifications(n, "License")
        m.dates = self.dates(n)
        n.done()
        return m

    def output_node(self, s: Any) -> ResearchOutput | None:
        return self.output(s) if self.kind(s, ("Publication", "Product", "Patent")) else None

    def output(self, s: Any) -> ResearchOutput:
        kind = self.kind(s, ("Publication", "Product", "Patent")) or "Publication"
        n = self.node(s)
        o: ResearchOutput = {"Publication": Publication, "Product": Product, "Patent": Patent}[kind](id=self.id_of(s))

        def attr(element: str) -> str:
            return str(ATTRIBUTES.get((kind, element), CB + element))

        o.type = n.string(CB + "Type")
        o.languages = n.strings(CB + "Language")
        o.titles = n.langs(attr("Name" if kind == "Product" else "Title"))
        o.subtitles = n.langs(attr("Subtitle"))
        o.name_abbreviations = n.langs(attr("NameAbbreviation"))
        o.version_info = n.langs(attr("VersionInfo"))
        container = n.one(CB + "PublishedIn")
        if container is not None:
            found = self.output_node(container)
            o.published_in = found if isinstance(found, Publication) else None
        whole = n.one(CB + "PartOf")
        if whole is not None:
            o.part_of = self.output_node(whole)  # type: ignore[assignment]
        if kind == "Publication":
            o.publication_date = n.string(attr("PublicationDate"))
        elif kind == "Patent":
            o.publication_date = n.string(CB + "PublicationDate")
        for element, name in (("Number", "number"), ("Volume", "volume"), ("Issue", "issue"), ("Edition", "edition"),
                              ("StartPage", "start_page"), ("EndPage", "end_page"), ("CountryCode", "country_code"),
                              ("PatentNumber", "patent_number"), ("ARK", "ark"), ("DOI", "doi"), ("Handle", "handle"),
                              ("PMCID", "pmcid"), ("ISI-Number", "isi_number"), ("SCP-Number", "scopus_number"),
                              ("URN", "urn"), ("ZDB-ID", "zdb_id"), ("URL", "url"), ("RegistrationDate", "registration_date"),
                              ("ApprovalDate", "approval_date")):
            setattr(o, name, n.string(attr(element)))
        for element, values, media in (("ISSN", o.issns, o.issn_media), ("ISBN", o.isbns, o.isbn_media)):
            for value, ann in n.values(CB + element):
                values.append(str(value))
                if ann and "medium" in ann:
                    media[str(value)] = str(ann["medium"])
        member = {"Publication": "Author", "Product": "Creator", "Patent": "Inventor"}[kind]
        o.creators = [self.contributor(x) for x in n.nodes(CB + member)]
        o.editors = [self.contributor(x) for x in n.nodes(CB + "Editor")]
        o.publishers = [self.contributor(x) for x in n.nodes(CB + "Publisher")]
        o.holders = [self.contributor(x) for x in n.nodes(CB + "Holder")]
        o.issuers = [self.contributor(x) for x in n.nodes(CB + "Issuer")]
        o.licenses = self.classifications(n, "License")
        o.subjects = self.classifications(n, "Subject")
        o.statuses = self.classifications(n, "Status")
        o.keywords = n.langs(attr("Keyword"))
        o.abstracts = n.langs(attr("Description" if kind == "Product" else "Abstract"))
        for x in n.nodes(CB + "OriginatesFrom"):
            found_kind = self.kind(x, ("Project", "Funding"))
            if found_kind is not None:
                o.originates_from.append(self.funding(x) if found_kind == "Funding" else self.project(x))
        o.presented_at = [self.event(x) for x in n.nodes(CB + "PresentedAt")]
        o.output_from = [self.event(x) for x in n.nodes(CB + "OutputFrom")]
        o.coverage = [self.event(x) for x in n.nodes(CB + "Coverage")]
        o.references = [r for r in (self.output_node(x) for x in n.nodes(CB + "References")) if r is not None]  # type: ignore[misc]
        o.generated_by = [self.equipment(x) for x in n.nodes(CB + "GeneratedBy")]
        o.predecessors = [r for r in (self.output_node(x) for x in n.nodes(CB + "Predecessor")) if isinstance(r, Patent)]
        o.access, o.access_end_date = self.access(n)
        o.dates = self.dates(n)
        o.media = [self.medium(x) for x in n.nodes(CB + "Medium")]
        n.done()
        return o


class _Node:
    """The properties of one node, taken one by one; ``done`` reports those nobody took."""

    __slots__ = ("reader", "s", "props", "used")

    def __init__(self, reader: _Reader, s: Any) -> None:
        self.reader = reader
        self.s = s
        self.props = reader.index.props.get(s, {})
        self.used: set[str] = set(_STRUCTURAL)

    def use(self, p: str) -> list[Any]:
        self.used.add(p)
        return self.props.get(p, [])

    def one(self, p: str) -> Any:
        found = self.use(p)
        if len(found) > 1:
            self.reader.issue(self.s, "rdf.extra-value", f"{len(found)} values of {p} where the profile takes one; the first is read", p)
            found = sorted(found, key=_sort_key)
        return found[0] if found else None

    def string(self, p: str) -> str | None:
        found = self.one(p)
        return None if found is None else str(found)

    def values(self, p: str) -> list[tuple[Any, dict[str, Any] | None]]:
        """The values of a literal- or IRI-valued property in order: its ``cb:sequence`` when
        it has one, then any value the sequence does not list, in lexical order."""
        direct = self.use(p)
        ordered = self.sequence(p)
        if ordered is None:
            return [(v, None) for v in sorted(direct, key=_sort_key)]
        listed = {v for v, _ in ordered}
        return ordered + [(v, None) for v in sorted(direct, key=_sort_key) if v not in listed]

    def strings(self, p: str) -> list[str]:
        return [str(v) for v, _ in self.values(p)]

    def langs(self, p: str) -> list[LangString]:
        out: list[LangString] = []
        for v, ann in self.values(p):
            lang = getattr(v, "language", None) or (str(ann["lang"]) if ann and "lang" in ann else None)
            trans = str(ann["trans"]) if ann and "trans" in ann else None
            out.append(LangString(value=str(v), lang=lang, trans=trans))
        return out

    def nodes(self, p: str) -> list[Any]:
        """The nodes of a property in order: its ``cb:sequence`` when it has one (nodes with an
        id, which several places share, have their place there), else ``cb:ordinal``; then
        any node not placed, in lexical order."""
        found = self.use(p)
        ordered = self.sequence(p)
        if ordered is not None:
            listed = [v for v, _ in ordered]
            placed = set(listed)
            return listed + sorted((x for x in found if x not in placed), key=lambda x: (self._ordinal(x), _sort_key(x)))
        if len(found) < 2:
            return list(found)
        return sorted(found, key=lambda x: (self._ordinal(x), _sort_key(x)))

    def _ordinal(self, x: Any) -> int:
        values = self.reader.index.props.get(x, {}).get(CB + "ordinal", [])
        try:
            return int(str(values[0])) if values else 1 << 30
        except ValueError:
            return 1 << 30

    def sequence(self, p: str) -> list[tuple[Any, dict[str, Any] | None]] | None:
        index = self.reader.index.props
        for seq in self.props.get(CB + "sequence", []):
            sp = index.get(seq, {})
            if [str(x) for x in sp.get(CB + "property", [])] != [p]:
                continue
            members: list[tuple[int, Any]] = []
            for key, objects in sp.items():
                if key.startswith(RDF + "_") and key[len(RDF) + 1:].isdigit():
                    members.extend((int(key[len(RDF) + 1:]), o) for o in objects)
            out: list[tuple[Any, dict[str, Any] | None]] = []
            for _, member in sorted(members, key=lambda m: m[0]):
                mp = index.get(member, {})
                if VALUE in mp:
                    ann = {k[len(CB):]: v[0] for k, v in mp.items() if k.startswith(CB) and v}
                    out.append((mp[VALUE][0], ann or None))
                else:
                    out.append((member, None))
            return out
        return None

    def done(self) -> None:
        for p in self.props:
            if p not in self.used:
                self.reader.issue(self.s, "rdf.not-read", f"{p} is not part of the vocabulary for this node; not read", p)


def _sort_key(term: Any) -> tuple[str, str]:
    return (str(term), getattr(term, "language", None) or "")


# -- files ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class RdfRecord:
    """One entity read from an RDF file, or the reason the file gave none."""

    source: str
    node: str | None = None
    entity: AnyEntity | None = None
    issues: list[Issue] = field(default_factory=list)


def rdf_files(inputs: Iterable[str]) -> Iterator[Path]:
    """The RDF files among the inputs: files as given, folders searched for known extensions."""
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() in FORMATS and p.is_file())
        else:
            yield path


def read_rdf(inputs: Iterable[str], base: str | None = None, stdin_format: str = "turtle") -> Iterator[RdfRecord]:
    """Every top-level entity of every RDF input (files by their extension, folders searched,
    ``-`` standard input in ``stdin_format``); an input that cannot be parsed yields one
    record carrying the error."""
    for path in rdf_files(inputs):
        name = str(path)
        try:
            if name == "-":
                import sys

                name = "<stdin>"
                graph = parse_rdf(sys.stdin.buffer.read(), stdin_format)
            else:
                graph = parse_rdf(path)
        except Exception as exc:  # noqa: BLE001 - any parser failure is this input's problem, reported
            yield RdfRecord(name, issues=[Issue(code="rdf.not-parsed", severity=Severity.ERROR,
                                                message=f"{name}: not readable as RDF: {exc}", location=Location(file=name))])
            continue
        found = False
        for item in read_graph(graph, base, name):
            found = True
            yield RdfRecord(name, item.node, item.entity, item.issues)
        if not found:
            yield RdfRecord(name, issues=[Issue(code="rdf.no-entity", severity=Severity.ERROR,
                                                message=f"{name}: no top-level entity of the crisbridge vocabulary",
                                                location=Location(file=name))])


def rdf_results(inputs: Iterable[str], cerif_writer: Any, base: str | None = None, stdin_format: str = "turtle") -> Iterator[Any]:
    """``RecordResult``s for RDF inputs, as the pipeline gives for XML ones: one per
    top-level entity, with its CERIF element written by ``cerif_writer``. An entity without an
    id (a skolem IRI) gets one from its IRI, as a source record would. The OAI identifier names
    the entity by the rule the CERIF input path uses (``cerif_oai_id``: a bare profile 1.1 id
    ``812348`` under its collection, ``Publications/812348``), so RDF written by the bridge
    converts back to the headers the direct CERIF -> CERIF conversion writes."""
    from crisbridge.mapping.build import entity_id as make_id
    from crisbridge.model import EntityKind
    from crisbridge.pipeline import EntityOutput, RecordResult, cerif_oai_id
    from crisbridge.report import Status

    for item in read_rdf(inputs, base, stdin_format):
        if item.entity is None:
            yield RecordResult(item.source, None, Status.FAILED, issues=item.issues)
            continue
        kind = EntityKind(item.entity.entity)
        issues = list(item.issues)
        if not item.entity.id:
            item.entity.id = make_id(kind, item.node or item.source)
            issues.append(Issue(code="rdf.id-minted", severity=Severity.INFO,
                                message=f"{item.node} has no id in its IRI; it is written as {item.entity.id}",
                                location=Location(file=item.source, focus_node=item.node)))
        element, write_issues = cerif_writer.write(item.entity, record=item.entity.id, file=item.source)
        yield RecordResult(item.source, item.entity.id, Status.CONVERTED,
                           entities=[EntityOutput(cerif_oai_id(kind, item.entity.id), kind, item.entity, element)],
                           issues=issues + write_issues)


def rdf_items(inputs: Iterable[str], cerif_writer: Any, base: str | None = None, render: Any = None,
              stdin_format: str = "turtle") -> Iterator[Any]:
    """The batch items of RDF inputs (what ``crisbridge.batch.run`` gives for XML ones)."""
    from crisbridge.batch import to_item

    stamps: dict[str, str] = {}
    for result in rdf_results(inputs, cerif_writer, base, stdin_format):
        yield to_item(result, stamps, render)


def is_rdf_path(name: str) -> bool:
    """A file named like RDF (``.ttl``, ``.nt``, ``.jsonld``...): ``--from auto`` reads it as RDF."""
    return Path(name).suffix.lower() in FORMATS


__all__ = ["RdfEntity", "RdfRecord", "entity_id", "parse_rdf", "read_graph", "read_rdf", "rdf_files", "rdf_items", "rdf_results", "is_rdf_path", "top_level_nodes"]
