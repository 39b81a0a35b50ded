"""Model entities -> OpenAIRE CERIF XML (profile 1.2 or 1.1).

Each entity's children are collected by element name, then emitted in the order the
profile layout file (``mappings/profiles/cerif-<version>.yaml``) gives, which is the order the
XSD sequence requires. A value whose element the version lacks, or a second value for a
single-valued element, is reported (``cerif.no-slot``, ``cerif.extra-value``), never
silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from crisbridge.issues import Issue, Location, Severity
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

Build = Callable[[Any], None]  # appends one child element to the given parent


class CerifWriter:
    """Writes entities for one profile version; reusable across records and threads."""

    def __init__(self, version: str = "1.2") -> None:
        self.profile = load_profile(version)
        self.version = version
        self.ns = self.profile.namespace
        self._q = "{" + self.ns + "}"
        self.nsmap = {None: self.ns}
        self.layout: dict[str, list[tuple[str, bool]]] = {
            entity: [(n.rstrip("*"), n.endswith("*")) for n in names]
            for entity, names in self.profile.tables["elements"].items()
        }
        self.present = {entity: {n for n, _ in names} for entity, names in self.layout.items()}
        self.type_ns = self.profile.tables["type_vocabularies"]
        self.fallback_ids = self.profile.tables.get("identifier_fallback", {})
        self._broader = shared_tables().get("coar_broader", {})
        self._patterns = {k: re.compile(v) for k, v in self.profile.tables.get("identifier_patterns", {}).items()}
        multilingual = self.profile.tables.get("multilingual", {})
        self._default_lang = multilingual.get("unknown_language") if multilingual.get("lang_required") else None

    # -- public -------------------------------------------------------------------------

    def write(self, entity: ResearchOutput | Person | OrgUnit | Project | Funding | Event | Equipment,
              record: str | None = None, file: str | None = None) -> tuple[etree._Element, list[Issue]]:
        """The entity as a CERIF element, and what could not be written."""
        issues: list[Issue] = []
        sink = _Sink(issues, record, file)
        if isinstance(entity, ResearchOutput):
            return self._output(entity, sink, top=True), issues
        builders: dict[type, Callable[[Any, _Sink], Any]] = {
            Person: self._person, OrgUnit: self._org, Project: self._project,
            Funding: self._funding, Event: self._event, Equipment: self._equipment,
        }
        inner = builders[type(entity)](entity, sink)
        # a top-level entity declares the profile namespace as the default one
        el = etree.Element(inner.tag, dict(inner.attrib), nsmap=self.nsmap)
        el.extend(list(inner))
        return el, issues

    def tostring(self, el: etree._Element) -> bytes:
        return etree.tostring(el, encoding="utf-8")

    # -- plumbing -----------------------------------------------------------------------

    def _el(self, parent: Any, name: str, text: str | None = None, **attrs: str) -> Any:
        el = etree.SubElement(parent, self._q + name, attrs) if parent is not None else etree.Element(self._q + name, attrs, nsmap=self.nsmap)
        if text is not None:
            el.text = text
        return el

    def _emit(self, el: Any, entity: str, parts: dict[str, list[Build]], sink: _Sink) -> None:
        present = self.present[entity]
        for name, builds in parts.items():
            if builds and name not in present:
                sink.add(Severity.INFO, "cerif.no-slot", f"{entity} in profile {self.version} has no {name}; the value is not written", name)
        for name, repeatable in self.layout[entity]:
            builds = parts.get(name)
            if not builds:
                continue
            if not repeatable and len(builds) > 1:
                sink.add(Severity.INFO, "cerif.extra-value", f"{entity} takes one {name}; {len(builds) - 1} more not written", name)
                builds = builds[:1]
            for build in builds:
                build(el)

    def _texts(self, name: str, values: list[str]) -> list[Build]:
        return [lambda p, v=v: self._el(p, name, v) for v in values]

    def _langs(self, name: str, values: list[LangString]) -> list[Build]:
        out: list[Build] = []
        for v in values:
            lang = v.lang or self._default_lang
            attrs = {XML_LANG: lang} if lang else {}
            if v.trans:
                attrs["trans"] = v.trans
            out.append(lambda p, v=v, a=attrs: self._el(p, name, v.value, **a))
        return out

    def _fits(self, name: str, value: str, sink: _Sink) -> bool:
        pattern = self._patterns.get(name)
        if pattern is None or pattern.fullmatch(value):
            return True
        sink.add(Severity.WARNING, "cerif.identifier-outside-version", f"{name} {value} is outside what profile {self.version} accepts; not written", name)
        return False

    def _one(self, name: str, value: str | None) -> list[Build]:
        return [lambda p: self._el(p, name, value)] if value else []

    def _classes(self, name: str, values: list[Classification]) -> list[Build]:
        return [lambda e, c=c: self._el(e, name, c.value, scheme=c.scheme) for c in values]

    def _ids(self, values: list[Any]) -> list[Build]:
        return [lambda e, i=i: self._el(e, "Identifier", i.value, type=i.type) for i in values]

    def _wrapped(self, name: str, children: list[Any], build: Callable[[Any, _Sink], Any], sink: _Sink) -> list[Build]:
        """One ``name`` link element around each child entity (``PresentedAt/Event``...)."""
        return [lambda e, c=c: self._el(e, name).append(build(c, sink)) for c in children]

    def _links(self, name: str, people: list[Contributor], sink: _Sink, affiliations: bool = False) -> list[Build]:
        """Ungrouped links to a person or organisation (``Issuer``, ``Owner``, ``Funder``)."""
        return [lambda e, c=c: self._contributor(self._el(e, name), c, sink, affiliations) for c in people]

    def _mandates(self, mandates: list[OAMandate]) -> list[Build]:
        out: list[Build] = []
        for m in mandates:
            attrs = {k: v for k, v in (("mandated", None if m.mandated is None else str(m.mandated).lower()), ("uri", m.uri),
                                       ("startDate", m.start), ("endDate", m.end)) if v is not None}
            out.append(lambda e, a=attrs: self._el(e, "OAMandate", **a))
        return out

    # -- research outputs ---------------------------------------------------------------

    def _output(self, o: ResearchOutput, sink: _Sink, top: bool = False) -> Any:
        kind = getattr(o, "entity", "Publication")
        attrs = {"id": o.id} if o.id else {}
        el = etree.Element(self._q + kind, attrs, nsmap=self.nsmap) if top else etree.Element(self._q + kind, attrs)
        type_uri = self._type_for(kind, o.type, sink) if o.type else None
        p: dict[str, list[Build]] = {}
        if type_uri:
            p["Type"] = [lambda e: etree.SubElement(e, "{%s}Type" % self.type_ns[kind], nsmap={None: self.type_ns[kind]}).__setattr__("text", type_uri)]
        p["Language"] = self._texts("Language", o.languages)
        title = "Name" if kind == "Product" else "Title"
        p[title] = self._langs(title, o.titles)
        p["Subtitle"] = self._langs("Subtitle", o.subtitles)
        p["NameAbbreviation"] = self._langs("NameAbbreviation", o.name_abbreviations)
        p["VersionInfo"] = self._langs("VersionInfo", o.version_info)
        if o.published_in is not None:
            container = o.published_in
            p["PublishedIn"] = [lambda e: self._el(e, "PublishedIn").append(self._output(container, sink))]
        if o.part_of is not None:
            whole = o.part_of
            p["PartOf"] = [lambda e: self._el(e, "PartOf").append(self._output(whole, sink))]
        date = o.publication_date or (o.dates["Issued"].start if "Issued" in o.dates else None)
        if kind == "Patent" and date and len(date) < 10:
            sink.add(Severity.INFO, "cerif.no-slot", f"a Patent's PublicationDate is a full date; {date} is not written", "PublicationDate")
            date = None
        if kind != "Product":
            p["PublicationDate"] = self._one("PublicationDate", date[:10] if kind == "Patent" and date else date)
        for name, value in (("Number", o.number), ("Volume", o.volume), ("Issue", o.issue), ("Edition", o.edition), ("StartPage", o.start_page), ("EndPage", o.end_page),
                            ("ARK", o.ark), ("DOI", o.doi), ("Handle", o.handle), ("PMCID", o.pmcid), ("ISI-Number", o.isi_number), ("SCP-Number", o.scopus_number),
                            ("URL", o.url), ("URN", o.urn), ("ZDB-ID", o.zdb_id), ("PatentNumber", o.patent_number)):
            p[name] = self._one(name, value)
        p["ISSN"] = [lambda e, v=v: self._el(e, "ISSN", v, **({"medium": o.issn_media[v]} if v in o.issn_media else {})) for v in o.issns]
        p["ISBN"] = [lambda e, v=v: self._el(e, "ISBN", v, **({"medium": o.isbn_media[v]} if v in o.isbn_media else {})) for v in o.isbns]
        for name, value in (("RegistrationDate", o.registration_date), ("ApprovalDate", o.approval_date), ("CountryCode", o.country_code)):
            p[name] = self._one(name, value)
        p["Issuer"] = self._links("Issuer", o.issuers, sink)
        p["Holders"] = self._contributors("Holders", "Holder", o.holders, sink, affiliations=False)
        group, member = {"Publication": ("Authors", "Author"), "Product": ("Creators", "Creator"), "Patent": ("Inventors", "Inventor")}[kind]
        p[group] = self._contributors(group, member, o.creators, sink)
        p["Editors"] = self._contributors("Editors", "Editor", o.editors, sink)
        p["Publishers"] = self._contributors("Publishers", "Publisher", o.publishers, sink, affiliations=False)
        p["License"] = [lambda e, c=c: self._el(e, "License", c.value, scheme=c.scheme) for c in o.licenses]
        p["Subject"] = [lambda e, c=c: self._el(e, "Subject", c.value, scheme=c.scheme) for c in o.subjects]
        p["Keyword"] = self._langs("Keyword", o.keywords)
        p["Description" if kind == "Product" else "Abstract"] = self._langs("Description" if kind == "Product" else "Abstract", o.abstracts)
        p["OriginatesFrom"] = [lambda e, f=f: self._el(e, "OriginatesFrom").append(self._funding(f, sink) if isinstance(f, Funding) else self._project(f, sink)) for f in o.originates_from]
        p["Status"] = self._classes("Status", o.statuses)
        p["PresentedAt"] = self._wrapped("PresentedAt", o.presented_at, self._event, sink)
        p["OutputFrom"] = self._wrapped("OutputFrom", o.output_from, self._event, sink)
        p["Coverage"] = self._wrapped("Coverage", o.coverage, self._event, sink)
        p["References"] = self._wrapped("References", o.references, self._output, sink)
        p["GeneratedBy"] = self._wrapped("GeneratedBy", o.generated_by, self._equipment, sink)
        p["Predecessor"] = self._wrapped("Predecessor", o.predecessors, self._output, sink)
        if o.access:
            access, end = o.access, o.access_end_date
            p["Access"] = [lambda e: self._access(e, access, end)]
        if kind == "Product":
            dates = dict(o.dates)
            if o.publication_date and "Issued" not in dates:
                dates["Issued"] = DateRange(start=o.publication_date)
            elif o.publication_date and dates["Issued"].start != o.publication_date:
                # a Product's publication date is its Dates/Issued, which holds another date
                sink.add(Severity.INFO, "cerif.extra-value", f"Product takes one Issued date in Dates; the publication date {o.publication_date} is not written", "Dates")
            if dates:
                p["Dates"] = [lambda e: self._dates(e, dates)]
        elif o.dates:
            issued = o.dates.get("Issued")
            others = [k for k in o.dates if k != "Issued" or (o.publication_date and issued and o.publication_date != issued.start)]
            if others:
                sink.add(Severity.INFO, "cerif.no-slot", f"{kind} has no Dates; {', '.join(others)} not written", "Dates")
        if o.media:
            media = o.media
            p["FileLocations"] = [lambda e: self._media(e, media, sink)]
        self._emit(el, kind, p, sink)
        return el

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

    def _access(self, parent: Any, access: str, end: str | None) -> None:
        attrs = {"endDate": end} if end and access.endswith("c_f1cf") else {}
        el = etree.SubElement(parent, "{%s}Access" % ACCESS_NS, attrs, nsmap={None: ACCESS_NS})
        el.text = access

    def _dates(self, parent: Any, dates: dict[str, DateRange]) -> None:
        holder = self._el(parent, "Dates")
        for name in ("Accepted", "Available", "Copyrighted", "Collected", "Created", "Issued", "Submitted", "Updated", "Valid", "Withdrawn"):
            rng = dates.get(name)
            if rng is None:
                continue
            attrs = {}
            if rng.start:
                attrs["startDate"] = rng.start
            if rng.end:
                attrs["endDate"] = rng.end
            self._el(holder, name, **attrs)

    def _media(self, parent: Any, media: list[Medium], sink: _Sink) -> None:
        holder = self._el(parent, "FileLocations")
        for m in media:
            el = self._el(holder, "Medium")
            p: dict[str, list[Build]] = {
                "Type": self._classes("Type", m.types),
                "Title": self._langs("Title", m.titles),
                "URI": self._one("URI", m.uri),
                "MimeType": self._one("MimeType", m.mime_type),
                "Size": self._one("Size", None if m.size is None else str(m.size)),
                "Identifier": self._ids(m.identifiers),
                "License": self._classes("License", m.licenses),
            }
            if m.access:
                p["Access"] = [lambda e, m=m: self._access(e, m.access, m.access_end_date)]
            if m.dates:
                p["Dates"] = [lambda e, m=m: self._dates(e, m.dates)]
            self._emit(el, "Medium", p, sink)

    # -- people and organisations -------------------------------------------------------

    def _contributors(self, group: str, member: str, people: list[Contributor], sink: _Sink, affiliations: bool = True) -> list[Build]:
        if not people:
            return []

        def build(parent: Any) -> None:
            holder = self._el(parent, group)
            for c in people:
                self._contributor(self._el(holder, member), c, sink, affiliations)

        return [build]

    def _contributor(self, el: Any, c: Contributor, sink: _Sink, affiliations: bool) -> None:
        if c.display_name:
            self._el(el, "DisplayName", c.display_name)
        if c.org_unit is not None:
            el.append(self._org(c.org_unit, sink))
        else:
            el.append(self._person(c.person or Person(), sink))
            if affiliations:
                for org in c.affiliations:
                    self._el(el, "Affiliation").append(self._org(org, sink))

    def _person(self, person: Person, sink: _Sink) -> Any:
        el = etree.Element(self._q + "Person", {"id": person.id} if person.id else {})
        p: dict[str, list[Build]] = {}
        if person.name and (person.name.family or person.name.given or person.name.other):
            name = person.name

            def person_name(e: Any) -> None:
                holder = self._el(e, "PersonName")
                if name.family:
                    self._el(holder, "FamilyNames", name.family)
                if name.given:
                    self._el(holder, "FirstNames", name.given)
                if name.other:
                    self._el(holder, "OtherNames", name.other)

            p["PersonName"] = [person_name]
        orcids = [o for o in [person.orcid, *person.alternative_orcids] if o and self._fits("ORCID", o, sink)]
        p["ORCID"] = self._one("ORCID", orcids[0] if orcids else None)
        p["AlternativeORCID"] = self._texts("AlternativeORCID", orcids[1:])
        p["Gender"] = self._one("Gender", person.gender)
        p["ResearcherID"] = self._one("ResearcherID", person.researcher_id)
        p["AlternativeResearcherID"] = self._texts("AlternativeResearcherID", person.alternative_researcher_ids)
        p["ScopusAuthorID"] = self._one("ScopusAuthorID", person.scopus_author_id)
        p["AlternativeScopusAuthorID"] = self._texts("AlternativeScopusAuthorID", person.alternative_scopus_author_ids)
        p["ISNI"] = self._one("ISNI", person.isni)
        p["AlternativeISNI"] = self._texts("AlternativeISNI", person.alternative_isnis)
        p["DAI"] = self._one("DAI", person.dai)
        p["AlternativeDAI"] = self._texts("AlternativeDAI", person.alternative_dais)
        p["Identifier"] = [lambda e, i=i: self._el(e, "Identifier", i.value, type=i.type) for i in person.identifiers]
        p["ElectronicAddress"] = self._texts("ElectronicAddress", person.electronic_addresses)
        p["Affiliation"] = [lambda e, o=o: self._el(e, "Affiliation").append(self._org(o, sink)) for o in person.affiliations]
        self._emit(el, "Person", p, sink)
        return el

    def _org(self, org: OrgUnit, sink: _Sink) -> Any:
        el = etree.Element(self._q + "OrgUnit", {"id": org.id} if org.id else {})
        p: dict[str, list[Build]] = {}
        p["Type"] = self._classes("Type", org.types)
        p["Acronym"] = self._one("Acronym", org.acronym)
        names = ([LangString(value=org.name, lang=org.name_lang)] if org.name else []) + org.other_names
        p["Name"] = self._langs("Name", names)
        generic = list(org.identifiers)
        for name, value in (("RORID", org.ror), ("GRID", org.grid), ("ISNI", org.isni), ("FundRefID", org.fundref)):
            if not value:
                continue
            if name in self.present["OrgUnit"]:
                p[name] = self._one(name, value)
            elif name in self.fallback_ids:
                generic.append(_GenericId(self.fallback_ids[name], value))
            else:
                p[name] = self._one(name, value)  # reported as no-slot by _emit
        for name, values in (("RORID", org.alternative_rors), ("GRID", org.alternative_grids), ("ISNI", org.alternative_isnis), ("FundRefID", org.alternative_fundrefs)):
            if values and "Alternative" + name not in self.present["OrgUnit"] and name in self.fallback_ids:
                generic.extend(_GenericId(self.fallback_ids[name], v) for v in values)
            else:
                p["Alternative" + name] = self._texts("Alternative" + name, values)
        p["Identifier"] = [lambda e, i=i: self._el(e, "Identifier", i.value, type=i.type) for i in generic]
        p["ElectronicAddress"] = self._texts("ElectronicAddress", org.electronic_addresses)
        parents = ([org.part_of] if org.part_of is not None else []) + org.also_part_of
        p["PartOf"] = self._wrapped("PartOf", parents, self._org, sink)
        self._emit(el, "OrgUnit", p, sink)
        return el

    def _funding(self, f: Funding, sink: _Sink) -> Any:
        el = etree.Element(self._q + "Funding", {"id": f.id} if f.id else {})
        p: dict[str, list[Build]] = {}
        if f.type:
            ftype = f.type
            ns = self.type_ns["Funding"]
            p["Type"] = [lambda e: etree.SubElement(e, "{%s}Type" % ns, nsmap={None: ns}).__setattr__("text", ftype)]
        p["Acronym"] = self._one("Acronym", f.acronym)
        p["Name"] = self._langs("Name", f.names)
        if f.amount is not None:
            amount = f.amount
            p["Amount"] = [lambda e: self._el(e, "Amount", amount.value, currency=amount.currency)]
        p["Description"] = self._langs("Description", f.descriptions)
        p["Subject"] = self._classes("Subject", f.subjects)
        p["Keyword"] = self._langs("Keyword", f.keywords)
        generic = list(f.identifiers)
        if f.grant_doi:
            if "GrantDOI" in self.present["Funding"]:
                p["GrantDOI"] = self._one("GrantDOI", f.grant_doi)
            else:
                generic.append(_GenericId(self.fallback_ids.get("GrantDOI", "https://w3id.org/cerif/vocab/IdentifierTypes#DOI"), f.grant_doi))
        p["Identifier"] = [lambda e, i=i: self._el(e, "Identifier", i.value, type=i.type) for i in generic]
        if f.funder is not None:
            funder = f.funder
            p["Funder"] = [lambda e: self._el(e, "Funder").append(self._org(funder, sink))]
        p["Funder"] = p.get("Funder", []) + self._links("Funder", f.other_funders, sink)
        if f.part_of is not None:
            whole = f.part_of
            p["PartOf"] = [lambda e: self._el(e, "PartOf").append(self._funding(whole, sink))]
        if f.duration is not None:
            d = f.duration
            p["Duration"] = [lambda e: self._el(e, "Duration", **{k: v for k, v in (("startDate", d.start), ("endDate", d.end)) if v})]
        if f.oa_mandate:
            uri = f.oa_mandate
            p["OAMandate"] = [lambda e: self._el(e, "OAMandate", mandated="true", uri=uri)]
        p["OAMandate"] = p.get("OAMandate", []) + self._mandates(f.oa_mandates)
        self._emit(el, "Funding", p, sink)
        return el

    def _project(self, project: Project, sink: _Sink) -> Any:
        el = etree.Element(self._q + "Project", {"id": project.id} if project.id else {})
        p: dict[str, list[Build]] = {
            "Type": self._classes("Type", project.types),
            "Acronym": self._one("Acronym", project.acronym),
            "Title": self._langs("Title", project.titles),
            "Identifier": [lambda e, i=i: self._el(e, "Identifier", i.value, type=i.type) for i in project.identifiers],
            "StartDate": self._one("StartDate", project.start_date),
            "EndDate": self._one("EndDate", project.end_date),
            "Funded": [lambda e, f=f: self._funded(self._el(e, "Funded"), f, sink) for f in project.funded],
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

            def build_consortium(e: Any) -> None:
                holder = self._el(e, "Consortium")
                for field, element in roles.items():
                    for c in getattr(consortium, field):
                        self._contributor(self._el(holder, element), c, sink, affiliations=False)

            p["Consortium"] = [build_consortium]
        if project.team is not None:
            team = project.team

            def build_team(e: Any) -> None:
                holder = self._el(e, "Team")
                for field, element in (("principal_investigators", "PrincipalInvestigator"), ("contacts", "Contact"), ("members", "Member")):
                    for c in getattr(team, field):
                        self._contributor(self._el(holder, element), c, sink, affiliations=True)

            p["Team"] = [build_team]
        self._emit(el, "Project", p, sink)
        return el

    def _funded(self, el: Any, funded: Any, sink: _Sink) -> None:
        if funded.by is not None:
            self._contributor(self._el(el, "By"), funded.by, sink, affiliations=False)
        if funded.funding is not None:
            self._el(el, "As").append(self._funding(funded.funding, sink))

    def _event(self, event: Event, sink: _Sink) -> Any:
        el = etree.Element(self._q + "Event", {"id": event.id} if event.id else {})
        party: Callable[[Any, _Sink], Any] = lambda x, s: self._org(x, s) if isinstance(x, OrgUnit) else self._project(x, s)  # noqa: E731
        p: dict[str, list[Build]] = {
            "Type": self._classes("Type", event.types),
            "Acronym": self._one("Acronym", event.acronym),
            "Name": self._langs("Name", event.names),
            "Place": self._one("Place", event.place),
            "Country": self._one("Country", event.country),
            "StartDate": self._one("StartDate", event.start_date),
            "EndDate": self._one("EndDate", event.end_date),
            "Description": self._langs("Description", event.descriptions),
            "Subject": self._classes("Subject", event.subjects),
            "Keyword": self._langs("Keyword", event.keywords),
            "Organizer": self._wrapped("Organizer", event.organizers, party, sink),
            "Sponsor": self._wrapped("Sponsor", event.sponsors, party, sink),
            "Partner": self._wrapped("Partner", event.partners, party, sink),
        }
        self._emit(el, "Event", p, sink)
        return el

    def _equipment(self, equipment: Equipment, sink: _Sink) -> Any:
        el = etree.Element(self._q + "Equipment", {"id": equipment.id} if equipment.id else {})
        p: dict[str, list[Build]] = {
            "Type": self._classes("Type", equipment.types),
            "Acronym": self._one("Acronym", equipment.acronym),
            "Name": self._langs("Name", equipment.names),
            "Identifier": self._ids(equipment.identifiers),
            "Description": self._langs("Description", equipment.descriptions),
            "Owner": self._links("Owner", equipment.owners, sink),
        }
        self._emit(el, "Equipment", p, sink)
        return el


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
        self.issues.append(Issue(code=code, severity=severity, message=message, location=Location(file=self.file, record=self.record, path=element)))


def entity_kind(o: ResearchOutput) -> EntityKind:
    return EntityKind(getattr(o, "entity", "Publication"))


__all__ = ["CerifWriter", "entity_kind", "kind_of"]
