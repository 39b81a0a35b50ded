"""Model entities -> OpenAIRE CERIF XML (profile 1.2 or 1.1).

Each entity's children are collected by element name, then emitted in the order the
profile layout file (``mappings/profiles/cerif-<version>.yaml``) gives, which is the order the
XSD sequence requires. A value whose element the version lacks, or a second value for a
single-valued element, is reported (``cerif.no-slot``, ``cerif.extra-value``), never
silently dropped.

The XML is written as text, not as an lxml tree: building one element object per value cost
more than the rest of the writer. The text is what lxml writes for the same tree, byte for
byte: the profile namespace declared once on the entity, ``Type`` and ``Access`` declaring
their own vocabulary namespace, attributes in the order given, an element without content
closed as ``<X/>``, and the characters escaped as libxml2 escapes them (``_text``,
``_attr``). ``write`` parses the text for callers that want the element.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from crisbridge.issues import Issue, Severity
from crisbridge.mapping.build import kind_of
from crisbridge.mapping.registry import profile as load_profile
from crisbridge.mapping.registry import shared_tables
from crisbridge.model import (
    Classification,
    Contributor,
    DateRange,
    EntityKind,
    Equipment,
    Event,
    Funding,
    LangString,
    Medium,
    OAMandate,
    OrgUnit,
    Person,
    Project,
    ResearchOutput,
)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ACCESS_NS = "http://purl.org/coar/access_right"
SPDX = "https://spdx.org/licenses"

# A child of an entity: its XML text, or a function writing it into the output list (a
# child that holds entities, whose issues must come in document order, is written late).
Build = str | Callable[[list[str]], None]

# The codes of what this writer leaves out or narrows: they describe CERIF XML output, so a
# record written in another format (``--to rdf``) sets them aside.
WRITER_CODES = frozenset({"cerif.no-slot", "cerif.extra-value", "cerif.identifier-outside-version", "cerif.type-generalised"})

# Characters XML 1.0 does not allow (section 2.2), found in the UTF-8 bytes: the C0 controls
# but tab, LF and CR (no byte of a multi-byte sequence is below 0x80), and U+FFFE, U+FFFF.
# lxml refuses them with this message.
_C0_NOT_XML = bytes(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")
_NOT_XML_MESSAGE = "All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters"
# The writer's own text, parsed back for ``write``: no size limit, as building had none.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_DATE_NAMES = ("Accepted", "Available", "Copyrighted", "Collected", "Created", "Issued", "Submitted", "Updated", "Valid", "Withdrawn")


def _text(value: str) -> str:
    """Character data as libxml2 serialises it: ``& < >`` and carriage return escaped."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return value


def _attr(value: str) -> str:
    """An attribute value as libxml2 serialises it in double quotes: ``& < > "`` and the
    white-space characters that attribute normalisation would fold escaped."""
    value = _text(value)
    if '"' in value:
        value = value.replace('"', "&quot;")
    if "\n" in value:
        value = value.replace("\n", "&#10;")
    if "\t" in value:
        value = value.replace("\t", "&#9;")
    return value


def _attrs(**attrs: str | None) -> str:
    """`` name="value"`` for each attribute with a value, in the order given."""
    return "".join(f' {k}="{_attr(v)}"' for k, v in attrs.items() if v is not None)


def _leaf(name: str, text: str | None, attrs: str = "") -> str:
    """An element of the profile namespace holding text (``<X/>`` when it holds none)."""
    if text is None:
        return f"<{name}{attrs}/>"
    return f"<{name}{attrs}>{_text(text)}</{name}>"


def _open(out: list[str], tag: str) -> int:
    """Writes a start tag; the mark ``_close`` needs to write ``<X/>`` for no content."""
    out.append(tag)
    return len(out)


def _close(out: list[str], name: str, mark: int) -> None:
    if len(out) == mark:
        out[mark - 1] = out[mark - 1][:-1] + "/>"
    else:
        out.append(f"</{name}>")


class CerifWriter:
    """Writes entities for one profile version; reusable across records and threads."""

    def __init__(self, version: str = "1.2") -> None:
        self.profile = load_profile(version)
        self.version = version
        self.ns = self.profile.namespace
        self._q = "{" + self.ns + "}"
        self.nsmap = {None: self.ns}
        self._xmlns = f' xmlns="{_attr(self.ns)}"'
        self.layout: dict[str, list[tuple[str, bool]]] = {
            entity: [(n.rstrip("*"), n.endswith("*")) for n in names]
            for entity, names in self.profile.tables["elements"].items()
        }
        self.present = {entity: {n for n, _ in names} for entity, names in self.layout.items()}
        # element name -> its place in the entity's sequence, and the single-valued names
        self._position = {entity: {n: i for i, (n, _) in enumerate(names)} for entity, names in self.layout.items()}
        self._single = {entity: {n for n, repeatable in names if not repeatable} for entity, names in self.layout.items()}
        self.type_ns = self.profile.tables["type_vocabularies"]
        self._type_open = {kind: f'<Type xmlns="{_attr(ns)}">' for kind, ns in self.type_ns.items()}
        self.fallback_ids = self.profile.tables.get("identifier_fallback", {})
        self._broader = shared_tables().get("coar_broader", {})
        self._patterns = {k: re.compile(v) for k, v in self.profile.tables.get("identifier_patterns", {}).items()}
        multilingual = self.profile.tables.get("multilingual", {})
        self._default_lang = multilingual.get("unknown_language") if multilingual.get("lang_required") else None
        self._builders: dict[type, Callable[[Any, _Sink, list[str], bool], None]] = {
            Person: self._person, OrgUnit: self._org, Project: self._project,
            Funding: self._funding, Event: self._event, Equipment: self._equipment,
        }

    # -- public -------------------------------------------------------------------------

    def write(self, entity: ResearchOutput | Person | OrgUnit | Project | Funding | Event | Equipment,
              record: str | None = None, file: str | None = None) -> tuple[etree._Element, list[Issue]]:
        """The entity as a CERIF element, and what could not be written."""
        data, issues = self.write_bytes(entity, record, file)
        return etree.fromstring(data, _PARSER), issues

    def write_bytes(self, entity: ResearchOutput | Person | OrgUnit | Project | Funding | Event | Equipment,
                    record: str | None = None, file: str | None = None) -> tuple[bytes, list[Issue]]:
        """The entity as CERIF XML (UTF-8, no XML declaration: the bytes
        ``etree.tostring(element, encoding="utf-8")`` gives), and what could not be written."""
        issues: list[Issue] = []
        sink = _Sink(issues, record, file)
        out: list[str] = []
        if isinstance(entity, ResearchOutput):
            self._output(entity, sink, out, True)
        else:
            # a top-level entity declares the profile namespace as the default one
            self._builders[type(entity)](entity, sink, out, True)
        data = "".join(out).encode("utf-8")
        # one scan of the bytes (a C loop), where a regular expression over the text cost
        # as much as writing it
        if len(data.translate(None, _C0_NOT_XML)) != len(data) or _NONCHARACTERS[0] in data or _NONCHARACTERS[1] in data:
            raise ValueError(_NOT_XML_MESSAGE)
        return data, issues

    def tostring(self, el: etree._Element) -> bytes:
        data: bytes = etree.tostring(el, encoding="utf-8")
        return data

    # -- plumbing -----------------------------------------------------------------------

    def _start(self, kind: str, id_: str | None, top: bool) -> str:
        head = f"<{kind}{self._xmlns}" if top else f"<{kind}"
        if id_:
            head += f' id="{_attr(id_)}"'
        return head + ">"

    def _emit(self, out: list[str], entity: str, parts: dict[str, list[Build]], sink: _Sink) -> None:
        """Writes the children in the layout's order; ``parts`` holds only names with values."""
        position = self._position[entity]
        placed: list[tuple[int, str, list[Build]]] = []
        for name, builds in parts.items():
            at = position.get(name)
            if at is None:
                sink.add(Severity.INFO, "cerif.no-slot", f"{entity} in profile {self.version} has no {name}; the value is not written", name)
            else:
                placed.append((at, name, builds))
        placed.sort()  # by place in the sequence: places are distinct, builds never compared
        single = self._single[entity]
        for _, name, builds in placed:
            if len(builds) > 1 and name in single:
                sink.add(Severity.INFO, "cerif.extra-value", f"{entity} takes one {name}; {len(builds) - 1} more not written", name)
                builds = builds[:1]
            for build in builds:
                if isinstance(build, str):
                    out.append(build)
                else:
                    build(out)

    @staticmethod
    def _texts(name: str, values: list[str]) -> list[Build]:
        return [_leaf(name, v) for v in values]

    def _langs(self, name: str, values: list[LangString]) -> list[Build]:
        out: list[Build] = []
        default = self._default_lang
        for v in values:
            lang = v.lang or default
            attrs = f' xml:lang="{_attr(lang)}"' if lang else ""
            if v.trans:
                attrs += f' trans="{_attr(v.trans)}"'
            out.append(_leaf(name, v.value, attrs))
        return out

    def _fits(self, name: str, value: str, sink: _Sink) -> bool:
        pattern = self._patterns.get(name)
        if pattern is None or pattern.fullmatch(value):
            return True
        sink.add(Severity.WARNING, "cerif.identifier-outside-version", f"{name} {value} is outside what profile {self.version} accepts; not written", name)
        return False

    @staticmethod
    def _classes(name: str, values: list[Classification]) -> list[Build]:
        return [_leaf(name, c.value, f' scheme="{_attr(c.scheme)}"') for c in values]

    @staticmethod
    def _ids(values: list[Any]) -> list[Build]:
        return [_leaf("Identifier", i.value, f' type="{_attr(i.type)}"') for i in values]

    @staticmethod
    def _wrapped(name: str, children: list[Any], build: Callable[[Any, _Sink, list[str]], Any], sink: _Sink) -> list[Build]:
        """One ``name`` link element around each child entity (``PresentedAt/Event``...)."""

        def one(child: Any) -> Build:
            def write(out: list[str]) -> None:
                out.append(f"<{name}>")
                build(child, sink, out)
                out.append(f"</{name}>")

            return write

        return [one(c) for c in children]

    def _links(self, name: str, people: list[Contributor], sink: _Sink, affiliations: bool = False) -> list[Build]:
        """Ungrouped links to a person or organisation (``Issuer``, ``Owner``, ``Funder``)."""

        def one(c: Contributor) -> Build:
            def write(out: list[str]) -> None:
                out.append(f"<{name}>")
                self._contributor(out, c, sink, affiliations)
                out.append(f"</{name}>")

            return write

        return [one(c) for c in people]

    @staticmethod
    def _mandates(mandates: list[OAMandate]) -> list[Build]:
        return [_leaf("OAMandate", None, _attrs(mandated=None if m.mandated is None else str(m.mandated).lower(), uri=m.uri, startDate=m.start, endDate=m.end))
                for m in mandates]

    # -- research outputs ---------------------------------------------------------------

    def _output(self, o: ResearchOutput, sink: _Sink, out: list[str], top: bool = False) -> None:
        kind = getattr(o, "entity", "Publication")
        type_uri = self._type_for(kind, o.type, sink) if o.type else None
        p: dict[str, list[Build]] = {}
        if type_uri:
            p["Type"] = [f"{self._type_open[kind]}{_text(type_uri)}</Type>"]
        if o.languages:
            p["Language"] = self._texts("Language", o.languages)
        title = "Name" if kind == "Product" else "Title"
        if o.titles:
            p[title] = self._langs(title, o.titles)
        if o.subtitles:
            p["Subtitle"] = self._langs("Subtitle", o.subtitles)
        if o.name_abbreviations:
            p["NameAbbreviation"] = self._langs("NameAbbreviation", o.name_abbreviations)
        if o.version_info:
            p["VersionInfo"] = self._langs("VersionInfo", o.version_info)
        if o.published_in is not None:
            container = o.published_in

            def published_in(out: list[str]) -> None:
                out.append("<PublishedIn>")
                self._output(container, sink, out)
                out.append("</PublishedIn>")

            p["PublishedIn"] = [published_in]
        if o.part_of is not None:
            whole = o.part_of

            def part_of(out: list[str]) -> None:
                out.append("<PartOf>")
                self._output(whole, sink, out)
                out.append("</PartOf>")

            p["PartOf"] = [part_of]
        date = o.publication_date or (o.dates["Issued"].start if "Issued" in o.dates else None)
        if kind == "Patent" and date and len(date) < 10:
            sink.add(Severity.INFO, "cerif.no-slot", f"a Patent's PublicationDate is a full date; {date} is not written", "PublicationDate")
            date = None
        if kind != "Product" and date:
            p["PublicationDate"] = [_leaf("PublicationDate", date[:10] if kind == "Patent" else date)]
        for name, value in (("Number", o.number), ("Volume", o.volume), ("Issue", o.issue), ("Edition", o.edition), ("StartPage", o.start_page), ("EndPage", o.end_page),
                            ("ARK", o.ark), ("DOI", o.doi), ("Handle", o.handle), ("PMCID", o.pmcid), ("ISI-Number", o.isi_number), ("SCP-Number", o.scopus_number),
                            ("URL", o.url), ("URN", o.urn), ("ZDB-ID", o.zdb_id), ("PatentNumber", o.patent_number)):
            if value:
                p[name] = [_leaf(name, value)]
        if o.issns:
            p["ISSN"] = [_leaf("ISSN", v, _attrs(medium=o.issn_media.get(v)) if o.issn_media else "") for v in o.issns]
        if o.isbns:
            p["ISBN"] = [_leaf("ISBN", v, _attrs(medium=o.isbn_media.get(v)) if o.isbn_media else "") for v in o.isbns]
        for name, value in (("RegistrationDate", o.registration_date), ("ApprovalDate", o.approval_date), ("CountryCode", o.country_code)):
            if value:
                p[name] = [_leaf(name, value)]
        if o.issuers:
            p["Issuer"] = self._links("Issuer", o.issuers, sink)
        if o.holders:
            p["Holders"] = self._contributors("Holders", "Holder", o.holders, sink, affiliations=False)
        if o.creators:
            group, member = {"Publication": ("Authors", "Author"), "Product": ("Creators", "Creator"), "Patent": ("Inventors", "Inventor")}[kind]
            p[group] = self._contributors(group, member, o.creators, sink)
        if o.editors:
            p["Editors"] = self._contributors("Editors", "Editor", o.editors, sink)
        if o.publishers:
            p["Publishers"] = self._contributors("Publishers", "Publisher", o.publishers, sink, affiliations=False)
        if o.licenses:
            p["License"] = self._classes("License", o.licenses)
        if o.subjects:
            p["Subject"] = self._classes("Subject", o.subjects)
        if o.keywords:
            p["Keyword"] = self._langs("Keyword", o.keywords)
        if o.abstracts:
            abstract = "Description" if kind == "Product" else "Abstract"
            p[abstract] = self._langs(abstract, o.abstracts)
        if o.originates_from:
            p["OriginatesFrom"] = self._wrapped("OriginatesFrom", o.originates_from, self._funding_or_project, sink)
        if o.statuses:
            p["Status"] = self._classes("Status", o.statuses)
        if o.presented_at:
            p["PresentedAt"] = self._wrapped("PresentedAt", o.presented_at, self._event, sink)
        if o.output_from:
            p["OutputFrom"] = self._wrapped("OutputFrom", o.output_from, self._event, sink)
        if o.coverage:
            p["Coverage"] = self._wrapped("Coverage", o.coverage, self._event, sink)
        if o.references:
            p["References"] = self._wrapped("References", o.references, self._output, sink)
        if o.generated_by:
            p["GeneratedBy"] = self._wrapped("GeneratedBy", o.generated_by, self._equipment, sink)
        if o.predecessors:
            p["Predecessor"] = self._wrapped("Predecessor", o.predecessors, self._output, sink)
        if o.access:
            p["Access"] = [self._access(o.access, o.access_end_date)]
        if kind == "Product":
            dates = o.dates
            if o.publication_date and "Issued" not in dates:
                dates = {**dates, "Issued": DateRange(start=o.publication_date)}
            elif o.publication_date and dates["Issued"].start != o.publication_date:
                # a Product's publication date is its Dates/Issued, which holds another date
                sink.add(Severity.INFO, "cerif.extra-value", f"Product takes one Issued date in Dates; the publication date {o.publication_date} is not written", "Dates")
            if dates:
                p["Dates"] = [self._dates(dates)]
        elif o.dates:
            issued = o.dates.get("Issued")
            others = [k for k in o.dates if k != "Issued" or (o.publication_date and issued and o.publication_date != issued.start)]
            if others:
                sink.add(Severity.INFO, "cerif.no-slot", f"{kind} has no Dates; {', '.join(others)} not written", "Dates")
        if o.media:
            media = o.media
            p["FileLocations"] = [lambda out: self._media(out, media, sink)]
        mark = _open(out, self._start(kind, o.id, top))
        self._emit(out, kind, p, sink)
        _close(out, kind, mark)

    def _funding_or_project(self, f: Funding | Project, sink: _Sink, out: list[str]) -> None:
        if isinstance(f, Funding):
            self._funding(f, sink, out)
        else:
            self._project(f, sink, out)

    def _type_for(self, kind: str, coar: str, sink: _Sink) -> str:
        """The type as this version's list for the entity allows it (1.1 lists fewer types)."""
        table = {"Publication": "publication_types", "Product": "product_types", "Patent": "patent_types"}[kind]
        allowed = self.profile.tables.get(table, {})
        current: str | None = coar
        while current:
            if current.lower() in allowed:
                break
            current = self._broader.get(current.lower())
        result = current or self.profile.tables["fallback_types"][kind]
        if result != coar:
            sink.add(Severity.INFO, "cerif.type-generalised", f"type {coar} is not in profile {self.version}'s {kind} types; written as {result}", "Type")
        return result

    @staticmethod
    def _access(access: str, end: str | None) -> str:
        attrs = _attrs(endDate=end) if end and access.endswith("c_f1cf") else ""
        return f'<Access xmlns="{ACCESS_NS}"{attrs}>{_text(access)}</Access>'

    @staticmethod
    def _dates(dates: dict[str, DateRange]) -> str:
        out = ["<Dates>"]
        for name in _DATE_NAMES:
            rng = dates.get(name)
            if rng is not None:
                out.append(_leaf(name, None, _attrs(startDate=rng.start or None, endDate=rng.end or None)))
        return "".join(out) + "</Dates>" if len(out) > 1 else "<Dates/>"

    def _media(self, out: list[str], media: list[Medium], sink: _Sink) -> None:
        out.append("<FileLocations>")
        for m in media:
            p: dict[str, list[Build]] = {}
            if m.types:
                p["Type"] = self._classes("Type", m.types)
            if m.titles:
                p["Title"] = self._langs("Title", m.titles)
            if m.uri:
                p["URI"] = [_leaf("URI", m.uri)]
            if m.mime_type:
                p["MimeType"] = [_leaf("MimeType", m.mime_type)]
            if m.size is not None and str(m.size):
                p["Size"] = [_leaf("Size", str(m.size))]
            if m.identifiers:
                p["Identifier"] = self._ids(m.identifiers)
            if m.licenses:
                p["License"] = self._classes("License", m.licenses)
            if m.access:
                p["Access"] = [self._access(m.access, m.access_end_date)]
            if m.dates:
                p["Dates"] = [self._dates(m.dates)]
            mark = _open(out, "<Medium>")
            self._emit(out, "Medium", p, sink)
            _close(out, "Medium", mark)
        out.append("</FileLocations>")

    # -- people and organisations -------------------------------------------------------

    def _contributors(self, group: str, member: str, people: list[Contributor], sink: _Sink, affiliations: bool = True) -> list[Build]:
        def build(out: list[str]) -> None:
            out.append(f"<{group}>")
            for c in people:
                out.append(f"<{member}>")
                self._contributor(out, c, sink, affiliations)
                out.append(f"</{member}>")
            out.append(f"</{group}>")

        return [build]

    def _contributor(self, out: list[str], c: Contributor, sink: _Sink, affiliations: bool) -> None:
        if c.display_name:
            out.append(_leaf("DisplayName", c.display_name))
        if c.org_unit is not None:
            self._org(c.org_unit, sink, out)
        else:
            self._person(c.person or _NO_PERSON, sink, out)
            if affiliations:
                for org in c.affiliations:
                    out.append("<Affiliation>")
                    self._org(org, sink, out)
                    out.append("</Affiliation>")

    def _person(self, person: Person, sink: _Sink, out: list[str], top: bool = False) -> None:
        p: dict[str, list[Build]] = {}
        name = person.name
        if name and (name.family or name.given or name.other):
            p["PersonName"] = ["<PersonName>"
                               + (_leaf("FamilyNames", name.family) if name.family else "")
                               + (_leaf("FirstNames", name.given) if name.given else "")
                               + (_leaf("OtherNames", name.other) if name.other else "")
                               + "</PersonName>"]
        if person.orcid or person.alternative_orcids:
            orcids = [o for o in [person.orcid, *person.alternative_orcids] if o and self._fits("ORCID", o, sink)]
            if orcids:
                p["ORCID"] = [_leaf("ORCID", orcids[0])]
            if len(orcids) > 1:
                p["AlternativeORCID"] = self._texts("AlternativeORCID", orcids[1:])
        if person.gender:
            p["Gender"] = [_leaf("Gender", person.gender)]
        if person.researcher_id and self._fits("ResearcherID", person.researcher_id, sink):
            p["ResearcherID"] = [_leaf("ResearcherID", person.researcher_id)]
        if person.alternative_researcher_ids:
            alternatives = [v for v in person.alternative_researcher_ids if self._fits("ResearcherID", v, sink)]
            if alternatives:
                p["AlternativeResearcherID"] = self._texts("AlternativeResearcherID", alternatives)
        if person.scopus_author_id:
            p["ScopusAuthorID"] = [_leaf("ScopusAuthorID", person.scopus_author_id)]
        if person.alternative_scopus_author_ids:
            p["AlternativeScopusAuthorID"] = self._texts("AlternativeScopusAuthorID", person.alternative_scopus_author_ids)
        if person.isni:
            p["ISNI"] = [_leaf("ISNI", person.isni)]
        if person.alternative_isnis:
            p["AlternativeISNI"] = self._texts("AlternativeISNI", person.alternative_isnis)
        if person.dai:
            p["DAI"] = [_leaf("DAI", person.dai)]
        if person.alternative_dais:
            p["AlternativeDAI"] = self._texts("AlternativeDAI", person.alternative_dais)
        if person.identifiers:
            p["Identifier"] = self._ids(person.identifiers)
        if person.electronic_addresses:
            p["ElectronicAddress"] = self._texts("ElectronicAddress", person.electronic_addresses)
        if person.affiliations:
            p["Affiliation"] = self._wrapped("Affiliation", person.affiliations, self._org, sink)
        mark = _open(out, self._start("Person", person.id, top))
        self._emit(out, "Person", p, sink)
        _close(out, "Person", mark)

    def _org(self, org: OrgUnit, sink: _Sink, out: list[str], top: bool = False) -> None:
        p: dict[str, list[Build]] = {}
        if org.types:
            p["Type"] = self._classes("Type", org.types)
        if org.acronym:
            p["Acronym"] = [_leaf("Acronym", org.acronym)]
        if org.name or org.other_names:
            names = ([LangString(value=org.name, lang=org.name_lang)] if org.name else []) + org.other_names
            p["Name"] = self._langs("Name", names)
        present = self.present["OrgUnit"]
        generic: list[Any] = list(org.identifiers)  # and _GenericIds
        for name, value in (("RORID", org.ror), ("GRID", org.grid), ("ISNI", org.isni), ("FundRefID", org.fundref)):
            if not value:
                continue
            if name not in present and name in self.fallback_ids:
                generic.append(_GenericId(self.fallback_ids[name], value))
            else:
                p[name] = [_leaf(name, value)]  # reported as no-slot by _emit when the version lacks it
        for name, values in (("RORID", org.alternative_rors), ("GRID", org.alternative_grids), ("ISNI", org.alternative_isnis), ("FundRefID", org.alternative_fundrefs)):
            if not values:
                continue
            if "Alternative" + name not in present and name in self.fallback_ids:
                generic.extend(_GenericId(self.fallback_ids[name], v) for v in values)
            else:
                p["Alternative" + name] = self._texts("Alternative" + name, values)
        if generic:
            p["Identifier"] = self._ids(generic)
        if org.electronic_addresses:
            p["ElectronicAddress"] = self._texts("ElectronicAddress", org.electronic_addresses)
        if org.part_of is not None or org.also_part_of:
            parents = ([org.part_of] if org.part_of is not None else []) + org.also_part_of
            p["PartOf"] = self._wrapped("PartOf", parents, self._org, sink)
        mark = _open(out, self._start("OrgUnit", org.id, top))
        self._emit(out, "OrgUnit", p, sink)
        _close(out, "OrgUnit", mark)

    def _funding(self, f: Funding, sink: _Sink, out: list[str], top: bool = False) -> None:
        p: dict[str, list[Build]] = {}
        if f.type:
            p["Type"] = [f"{self._type_open['Funding']}{_text(f.type)}</Type>"]
        if f.acronym:
            p["Acronym"] = [_leaf("Acronym", f.acronym)]
        if f.names:
            p["Name"] = self._langs("Name", f.names)
        if f.amount is not None:
            p["Amount"] = [_leaf("Amount", f.amount.value, _attrs(currency=f.amount.currency))]
        if f.descriptions:
            p["Description"] = self._langs("Description", f.descriptions)
        if f.subjects:
            p["Subject"] = self._classes("Subject", f.subjects)
        if f.keywords:
            p["Keyword"] = self._langs("Keyword", f.keywords)
        generic: list[Any] = list(f.identifiers)  # and _GenericIds
        if f.grant_doi:
            if "GrantDOI" in self.present["Funding"]:
                p["GrantDOI"] = [_leaf("GrantDOI", f.grant_doi)]
            else:
                generic.append(_GenericId(self.fallback_ids.get("GrantDOI", "https://w3id.org/cerif/vocab/IdentifierTypes#DOI"), f.grant_doi))
        if generic:
            p["Identifier"] = self._ids(generic)
        funders: list[Build] = []
        if f.funder is not None:
            funders += self._wrapped("Funder", [f.funder], self._org, sink)
        funders += self._links("Funder", f.other_funders, sink)
        if funders:
            p["Funder"] = funders
        if f.part_of is not None:
            p["PartOf"] = self._wrapped("PartOf", [f.part_of], self._funding, sink)
        if f.duration is not None:
            d = f.duration
            p["Duration"] = [_leaf("Duration", None, _attrs(startDate=d.start or None, endDate=d.end or None))]
        mandates: list[Build] = [_leaf("OAMandate", None, _attrs(mandated="true", uri=f.oa_mandate))] if f.oa_mandate else []
        mandates += self._mandates(f.oa_mandates)
        if mandates:
            p["OAMandate"] = mandates
        mark = _open(out, self._start("Funding", f.id, top))
        self._emit(out, "Funding", p, sink)
        _close(out, "Funding", mark)

    def _project(self, project: Project, sink: _Sink, out: list[str], top: bool = False) -> None:
        p: dict[str, list[Build]] = {
            "Type": self._classes("Type", project.types),
            "Acronym": [_leaf("Acronym", project.acronym)] if project.acronym else [],
            "Title": self._langs("Title", project.titles),
            "Identifier": self._ids(project.identifiers),
            "StartDate": [_leaf("StartDate", project.start_date)] if project.start_date else [],
            "EndDate": [_leaf("EndDate", project.end_date)] if project.end_date else [],
            "Funded": [self._funded_build(f, sink) for f in project.funded],
            "Subject": self._classes("Subject", project.subjects),
            "Keyword": self._langs("Keyword", project.keywords),
            "Abstract": self._langs("Abstract", project.abstracts),
            "Status": self._classes("Status", project.statuses),
            "Uses": self._wrapped("Uses", project.uses, self._equipment, sink),
            "OAMandate": self._mandates(project.oa_mandates),
        }
        if project.consortium is not None:
            consortium = project.consortium
            roles = self.profile.tables["consortium_roles"]

            def build_consortium(out: list[str]) -> None:
                mark = _open(out, "<Consortium>")
                for field, element in roles.items():
                    for c in getattr(consortium, field):
                        out.append(f"<{element}>")
                        self._contributor(out, c, sink, affiliations=False)
                        out.append(f"</{element}>")
                _close(out, "Consortium", mark)

            p["Consortium"] = [build_consortium]
        if project.team is not None:
            team = project.team

            def build_team(out: list[str]) -> None:
                mark = _open(out, "<Team>")
                for field, element in (("principal_investigators", "PrincipalInvestigator"), ("contacts", "Contact"), ("members", "Member")):
                    for c in getattr(team, field):
                        out.append(f"<{element}>")
                        self._contributor(out, c, sink, affiliations=True)
                        out.append(f"</{element}>")
                _close(out, "Team", mark)

            p["Team"] = [build_team]
        self._entity(out, "Project", project.id, top, p, sink)

    def _funded_build(self, funded: Any, sink: _Sink) -> Build:
        def write(out: list[str]) -> None:
            mark = _open(out, "<Funded>")
            if funded.by is not None:
                out.append("<By>")
                self._contributor(out, funded.by, sink, affiliations=False)
                out.append("</By>")
            if funded.funding is not None:
                out.append("<As>")
                self._funding(funded.funding, sink, out)
                out.append("</As>")
            _close(out, "Funded", mark)

        return write

    def _event(self, event: Event, sink: _Sink, out: list[str], top: bool = False) -> None:
        p: dict[str, list[Build]] = {
            "Type": self._classes("Type", event.types),
            "Acronym": [_leaf("Acronym", event.acronym)] if event.acronym else [],
            "Name": self._langs("Name", event.names),
            "Place": [_leaf("Place", event.place)] if event.place else [],
            "Country": [_leaf("Country", event.country)] if event.country else [],
            "StartDate": [_leaf("StartDate", event.start_date)] if event.start_date else [],
            "EndDate": [_leaf("EndDate", event.end_date)] if event.end_date else [],
            "Description": self._langs("Description", event.descriptions),
            "Subject": self._classes("Subject", event.subjects),
            "Keyword": self._langs("Keyword", event.keywords),
            "Organizer": self._wrapped("Organizer", event.organizers, self._org_or_project, sink),
            "Sponsor": self._wrapped("Sponsor", event.sponsors, self._org_or_project, sink),
            "Partner": self._wrapped("Partner", event.partners, self._org_or_project, sink),
        }
        self._entity(out, "Event", event.id, top, p, sink)

    def _org_or_project(self, x: OrgUnit | Project, sink: _Sink, out: list[str]) -> None:
        if isinstance(x, OrgUnit):
            self._org(x, sink, out)
        else:
            self._project(x, sink, out)

    def _equipment(self, equipment: Equipment, sink: _Sink, out: list[str], top: bool = False) -> None:
        p: dict[str, list[Build]] = {
            "Type": self._classes("Type", equipment.types),
            "Acronym": [_leaf("Acronym", equipment.acronym)] if equipment.acronym else [],
            "Name": self._langs("Name", equipment.names),
            "Identifier": self._ids(equipment.identifiers),
            "Description": self._langs("Description", equipment.descriptions),
            "Owner": self._links("Owner", equipment.owners, sink),
        }
        self._entity(out, "Equipment", equipment.id, top, p, sink)

    def _entity(self, out: list[str], kind: str, id_: str | None, top: bool, parts: dict[str, list[Build]], sink: _Sink) -> None:
        """An entity whose children were collected with empty lists for absent values."""
        mark = _open(out, self._start(kind, id_, top))
        self._emit(out, kind, {k: v for k, v in parts.items() if v}, sink)
        _close(out, kind, mark)


_NO_PERSON = Person()  # a contributor with neither person nor organisation: an empty Person


class _GenericId:
    __slots__ = ("type", "value")

    def __init__(self, type_: str, value: str) -> None:
        self.type = type_
        self.value = value


class _Sink:
    __slots__ = ("issues", "record", "file")

    def __init__(self, issues: list[Issue], record: str | None, file: str | None) -> None:
        self.issues = issues
        self.record = record
        self.file = file

    def add(self, severity: Severity, code: str, message: str, element: str) -> None:
        # validated as Issue(..., location=Location(...)) would be, from one dict
        location = {"file": self.file, "record": self.record, "path": element}
        self.issues.append(_validate_issue({"code": code, "severity": severity, "message": message, "location": location}))


_validate_issue = Issue.__pydantic_validator__.validate_python


def entity_kind(o: ResearchOutput) -> EntityKind:
    return EntityKind(getattr(o, "entity", "Publication"))


__all__ = ["WRITER_CODES", "CerifWriter", "entity_kind", "kind_of"]
