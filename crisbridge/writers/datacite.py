"""Model outputs -> DataCite XML, kernel 4.7: the write functions that
``mappings/out/datacite.yaml`` names. Element order inside a ``creator`` or ``relatedItem``
follows the ``xs:sequence`` of the official ``metadata.xsd``; the resource's own children are an
``xs:all``, in any order.

    >>> element, issues = DataCiteWriter().write(product)
"""

from __future__ import annotations

import re
from typing import Any

from crisbridge.issues import Severity
from crisbridge.model import Classification, Contributor, DateRange, Funding, LangString, Medium, OrgUnit, Person, Project, ResearchOutput
from crisbridge.writers.dc import display_name
from crisbridge.writers.repository import XML_LANG, OutContext, OutRuleSpec, RepositoryWriter, Rule, refuse, writer

SPDX = "https://spdx.org/licenses/"
EMBARGOED = "http://purl.org/coar/access_right/c_f1cf"
# The order identifiers are tried in for the record's own identifier (a DOI first).
PRIMARY = ("doi", "handle", "urn", "ark", "url")
# A whole's identifiers, in the order the first is taken for relatedItemIdentifier.
CONTAINER_IDS = ("doi", "issns", "isbns", "url", "handle")
# The output's own fields a relatedItem carries (the issue and pages it is published in).
ITEM_FIELDS = (("volume", "volume"), ("issue", "issue"), ("number", "number"), ("start_page", "firstPage"), ("end_page", "lastPage"))


def DataCiteWriter() -> RepositoryWriter:  # noqa: N802 - reads as a class at the call site
    """The DataCite writer of ``mappings/out/datacite.yaml``."""
    from crisbridge.writers.repository import shipped_writer

    return shipped_writer("datacite")


def _scheme_uri(ctx: OutContext, scheme: str) -> str | None:
    return ctx.table("scheme_uris").get(scheme)


# -- identifiers ----------------------------------------------------------------------------


def primary_identifier(fields: dict[str, Any]) -> tuple[str, str] | None:
    for name in PRIMARY:
        if fields.get(name):
            return name, fields[name]
    return None


@writer("datacite_identifier")
def _identifier(value: dict[str, Any], rule: Rule, ctx: OutContext) -> Any:
    found = primary_identifier(value)
    if found is None:
        # identifier is required; the entity's own id keeps the record valid and traceable
        ctx.issue(Severity.WARNING, "out.no-identifier", "the output has no DOI, Handle, URN, ARK or URL; its entity id is written as a Local identifier", rule)
        return ctx.el("datacite:identifier", ctx.entity.id or "unknown", {"identifierType": "Local"})
    name, text = found
    return ctx.el("datacite:identifier", text, {"identifierType": rule.table[name]})


def _issn_type(ctx: OutContext, issn: str, media: dict[str, str]) -> str:
    return str(ctx.table("issn_types").get(media.get(issn, ""), "ISSN"))


@writer("datacite_alternate_identifiers")
def _alternate_identifiers(value: dict[str, Any], rule: Rule, ctx: OutContext) -> Any:
    primary = primary_identifier(value)
    out = []
    for name in (*PRIMARY, "pmcid"):
        if value.get(name) and (primary is None or primary[0] != name):
            out.append(ctx.el("datacite:alternateIdentifier", value[name], {"alternateIdentifierType": rule.table[name]}))
    for isbn in value["isbns"]:
        out.append(ctx.el("datacite:alternateIdentifier", isbn, {"alternateIdentifierType": rule.table["isbn"]}))
    for issn in value["issns"]:
        out.append(ctx.el("datacite:alternateIdentifier", issn, {"alternateIdentifierType": _issn_type(ctx, issn, value["issn_media"])}))
    return out


# -- people and organisations ---------------------------------------------------------------


def _org_identifier(org: OrgUnit) -> tuple[str, str] | None:
    for slot in ("ror", "grid", "isni", "fundref"):
        if getattr(org, slot):
            return slot, getattr(org, slot)
    return None


def _affiliation(org: OrgUnit, parent: Any, ctx: OutContext, rule: Rule) -> None:
    """``affiliation`` takes one identifier: ROR first. Its name is required; an organisation
    known only by its identifier is named by it."""
    found = _org_identifier(org)
    attrs: dict[str, str | None] = {}
    if found is not None:
        scheme = ctx.table("organisation_schemes")[found[0]]
        attrs = {"affiliationIdentifier": found[1], "affiliationIdentifierScheme": scheme, "schemeURI": _scheme_uri(ctx, scheme)}
    elif org.identifiers:
        ident = org.identifiers[0]
        attrs = _other_scheme("affiliationIdentifier", ident.type, ident.value)
    name = org.name or (found[1] if found else None) or (org.identifiers[0].value if org.identifiers else None)
    if not name:
        return
    others = sum(1 for s in ("ror", "grid", "isni", "fundref") if getattr(org, s)) + len(org.identifiers) - 1
    if others > 0:
        ctx.issue(Severity.INFO, "out.no-place", f"affiliation {name}: DataCite takes one identifier per affiliation; {others} more not written", rule, name)
    ctx.el("datacite:affiliation", name, attrs, parent=parent)


def _other_scheme(attribute: str, type_: str, value: str) -> dict[str, str | None]:
    """A generic identifier: its type is a scheme URI (the source mapping keeps schemeURI as the
    type) or a scheme name."""
    scheme_attr = attribute.replace("Identifier", "IdentifierScheme") if attribute != "nameIdentifier" else "nameIdentifierScheme"
    if type_.startswith(("http://", "https://")):
        return {attribute: value, scheme_attr: "Other", "schemeURI": type_}
    return {attribute: value, scheme_attr: type_ or "Other"}


def _name_identifiers(person: Person, parent: Any, ctx: OutContext) -> None:
    schemes = ctx.table("person_schemes")
    for orcid in [person.orcid, *person.alternative_orcids]:
        if orcid:
            ctx.el("datacite:nameIdentifier", orcid, {"nameIdentifierScheme": schemes["orcid"], "schemeURI": _scheme_uri(ctx, "ORCID")}, parent=parent)
    for isni in [person.isni, *person.alternative_isnis]:
        if isni:
            ctx.el("datacite:nameIdentifier", isni, {"nameIdentifierScheme": schemes["isni"], "schemeURI": _scheme_uri(ctx, "ISNI")}, parent=parent)
    for scheme, values in (("ResearcherID", [person.researcher_id, *person.alternative_researcher_ids]),
                           ("Scopus Author ID", [person.scopus_author_id, *person.alternative_scopus_author_ids])):
        for v in values:
            if v:
                ctx.el("datacite:nameIdentifier", v, {"nameIdentifierScheme": scheme}, parent=parent)
    for ident in person.identifiers:
        attrs = _other_scheme("nameIdentifier", ident.type, ident.value)
        ctx.el("datacite:nameIdentifier", attrs.pop("nameIdentifier"), attrs, parent=parent)


def _person_or_org(c: Contributor, element: str, name_element: str, rule: Rule, ctx: OutContext, extra: dict[str, str] | None = None,
                   identifiers: bool = True) -> Any:
    """A ``creator`` or ``contributor``: name, nameType, given and family names, identifiers
    (ORCID, ISNI; ROR for an organisation) and affiliations, in the XSD's sequence."""
    name = display_name(c)
    if not name:
        raise refuse("out.nameless", "a creator or contributor without a name is not written")
    el = ctx.el(element, None, dict(extra or {}))
    if c.org_unit is not None:
        org = c.org_unit
        ctx.el(name_element, name, {"nameType": "Organizational", XML_LANG: org.name_lang}, parent=el)
        if identifiers:
            schemes = ctx.table("organisation_schemes")
            for slot in ("ror", "grid", "isni", "fundref"):
                if getattr(org, slot):
                    scheme = schemes[slot]
                    ctx.el("datacite:nameIdentifier", getattr(org, slot), {"nameIdentifierScheme": scheme, "schemeURI": _scheme_uri(ctx, scheme)}, parent=el)
            for ident in org.identifiers:
                attrs = _other_scheme("nameIdentifier", ident.type, ident.value)
                ctx.el("datacite:nameIdentifier", attrs.pop("nameIdentifier"), attrs, parent=el)
        return el
    person = c.person or Person()
    ctx.el(name_element, name, {"nameType": "Personal"}, parent=el)
    if person.name is not None:
        if person.name.given:
            ctx.el("datacite:givenName", person.name.given, parent=el)
        if person.name.family:
            ctx.el("datacite:familyName", person.name.family, parent=el)
    if identifiers:
        _name_identifiers(person, el, ctx)
        for org in c.affiliations:
            _affiliation(org, el, ctx, rule)
    return el


@writer("datacite_creator")
def _creator(value: Contributor, rule: Rule, ctx: OutContext) -> Any:
    return _person_or_org(value, "datacite:creator", "datacite:creatorName", rule, ctx)


@writer("datacite_contributor")
def _contributor(value: Contributor, rule: Rule, ctx: OutContext) -> Any:
    return _person_or_org(value, "datacite:contributor", "datacite:contributorName", rule, ctx, {"contributorType": rule.options["type"]})


@writer("datacite_publisher")
def _publisher(value: Contributor, rule: Rule, ctx: OutContext) -> Any:
    """DataCite has one publisher, with one identifier (kernel 4.5+)."""
    if value is not ctx.entity.publishers[0]:
        raise refuse("out.extra-value", f"DataCite takes one publisher; {display_name(value)} is not written", display_name(value))
    org = value.org_unit
    found = _org_identifier(org) if org is not None else None
    # the name is required; a publisher known only by its identifier is ":unav" (unavailable)
    name = display_name(value) or (":unav" if found is not None else None)
    if not name:
        raise refuse("out.nameless", "a publisher without a name is not written")
    attrs: dict[str, str | None] = {}
    if found is not None:
        scheme = ctx.table("organisation_schemes")[found[0]]
        attrs = {"publisherIdentifier": found[1], "publisherIdentifierScheme": scheme, "schemeURI": _scheme_uri(ctx, scheme)}
    if org is not None and org.name_lang:
        attrs[XML_LANG] = org.name_lang
    return ctx.el("datacite:publisher", name, attrs)


# -- titles, types, subjects ----------------------------------------------------------------


@writer("datacite_subtitle")
def _subtitle(value: LangString, rule: Rule, ctx: OutContext) -> Any:
    return ctx.el("datacite:title", value.value, {"titleType": "Subtitle", XML_LANG: value.lang})


def general_type(coar: str | None, table: dict[str, Any], ctx: OutContext) -> str | None:
    """The resourceTypeGeneral of a COAR type, or of its nearest broader type that has one."""
    broader = ctx.shared("coar_broader")
    current = coar
    seen: set[str] = set()
    while current and current not in seen:
        seen.add(current)
        if current in table:
            return str(table[current])
        current = broader.get(current.lower())
    return None


@writer("datacite_resource_type")
def _resource_type(value: str, rule: Rule, ctx: OutContext) -> Any:
    general = general_type(value, rule.table, ctx) or rule.options["fallback"][ctx.kind]
    label = ctx.shared("coar_labels").get(value.lower())
    return ctx.el("datacite:resourceType", label, {"resourceTypeGeneral": general})


@writer("datacite_subject")
def _subject(value: Classification, rule: Rule, ctx: OutContext) -> Any:
    """A classification code as ``info:eu-repo/classification/ddc/330`` (which the source
    mapping reads); a subject of another scheme with its scheme and value URIs."""
    prefix = rule.table.get(value.scheme)
    if prefix is not None:
        return ctx.el("datacite:subject", f"{prefix}{value.value}")
    return ctx.el("datacite:subject", value.value, {"schemeURI": value.scheme, "valueURI": value.value})


# -- dates, language, version ---------------------------------------------------------------


# The last place publicationYear may come from: the datestamp of the OAI-PMH header the record
# came under (``years_from: [..., header:datestamp]``).
DATESTAMP = "header:datestamp"
# The output's fields that hold one date each; ``dates`` holds the DataCite-typed ones.
DATE_FIELDS = frozenset(name for name in ResearchOutput.model_fields if name.endswith("_date"))
# The dates that are the publication itself when a rule's ``publication_dates`` does not say:
# the publication date, and the Issued date (a Product's publication, the profile having no
# PublicationDate for one). A rule given in an override (docs/mapping-guide.md, "Overriding a
# writer mapping") replaces the shipped rule's options, so it must not start warning about them.
PUBLICATION_DATES = ("publication_date", "dates.Issued")
# How a message names where the year came from.
_SOURCE_NAMES = {
    "publication_date": "the publication date",
    "access_end_date": "the end of the embargo",
    "approval_date": "the date the patent was granted",
    "registration_date": "the date the patent was filed",
}
_YEAR = re.compile(r"\d{4}")


def _check_years_from(rule: OutRuleSpec) -> str | None:
    """``years_from`` names, in order, where the year may come from: a date field of the output
    (``publication_date``), one of its typed dates (``dates.Available``; ``dates.*`` for any
    other), or ``header:datestamp``. Each field it names must be one the rule reads (``from``)."""
    sources = rule.options.get("years_from")
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        return f"options.years_from is the list of places the year may come from, in order (publication_date, dates.Issued, {DATESTAMP}, ...)"
    quiet = rule.options.get("publication_dates", [])
    if not isinstance(quiet, list) or not all(isinstance(s, str) for s in quiet):
        return f"options.publication_dates is a list of the years_from entries that date the publication itself (when absent: {', '.join(PUBLICATION_DATES)})"
    for source in [*sources, *quiet]:  # the default publication_dates need not be read
        if source == DATESTAMP:
            continue
        field = "dates" if source.startswith("dates.") else source
        if field != "dates" and field not in DATE_FIELDS:
            return f"{source!r} is not a date of the model; known: {', '.join(sorted(DATE_FIELDS))}, dates.TYPE, dates.*, {DATESTAMP}"
        if field not in rule.from_:
            return f"the year may come from {source}, which the rule does not read: add {field} to its `from`"
    return None


def publication_year(fields: dict[str, Any], sources: list[str], datestamp: str | None) -> tuple[str, str, str] | None:
    """(year, where it comes from, the date it is the year of): the first of ``sources`` that
    holds a date. ``dates.*`` stands for every typed date that no other source names, in the
    order they were read."""
    dates: dict[str, DateRange] = fields.get("dates") or {}
    named = {s.removeprefix("dates.") for s in sources if s.startswith("dates.")}
    for source in sources:
        if source == DATESTAMP:
            candidates = [(source, datestamp)]
        elif source == "dates.*":
            candidates = [(f"dates.{kind}", rng.start or rng.end) for kind, rng in dates.items() if kind not in named]
        elif source.startswith("dates."):
            rng = dates.get(source.removeprefix("dates."))
            candidates = [(source, (rng.start or rng.end) if rng is not None else None)]
        else:
            candidates = [(source, fields.get(source))]
        for where, date in candidates:
            # a year is the first four digits of a date (the profile's lexical forms start with it)
            if date and _YEAR.match(date):
                return date[:4], where, date
    return None


def _source_name(source: str, kind: str) -> str:
    if source.startswith("dates."):
        return f"the {source.removeprefix('dates.')} date"
    if source == "publication_date" and kind == "Product":
        return "the publication date (a Product's Issued date)"
    return _SOURCE_NAMES.get(source, f"the {source.replace('_', ' ')}")


def _passed_over(source: str, publication_dates: list[str] | tuple[str, ...], rule: Rule, ctx: OutContext) -> str:
    """Why the year is not the publication's, from the record's own dates (whether or not the
    rule reads them): it has no publication date (no date at all), or years_from puts another
    source first, or does not take the publication date."""
    own = {name: getattr(ctx.entity, name, None) for name in (*DATE_FIELDS, "dates")}
    published = publication_year(own, list(publication_dates), None)
    if published is not None:
        _, where, date = published
        if where in rule.options["years_from"]:
            return f"years_from puts {_source_name(source, ctx.kind)} before {_source_name(where, ctx.kind)} {date}"
        return f"years_from does not take {_source_name(where, ctx.kind)} {date}"
    if source != DATESTAMP:
        return "no publication date"
    if publication_year(own, ["dates.*", *sorted(DATE_FIELDS)], None) is None:
        return "the record gives no date"
    return "years_from takes none of the record's dates"


@writer("datacite_publication_year", check=_check_years_from)
def _publication_year(value: dict[str, Any], rule: Rule, ctx: OutContext) -> Any:
    """The year of the first date the rule's ``years_from`` finds; a year from a date other than
    the ``publication_dates`` is reported, so a reader knows it is a stand-in."""
    if len(rule.spec.from_) == 1:  # a rule reading one field is given that field's value alone
        value = {rule.spec.from_[0]: value}
    found = publication_year(value, rule.options["years_from"], ctx.datestamp)
    if found is None:
        return None  # the required-element check reports it
    year, source, date = found
    publication_dates = rule.options.get("publication_dates", PUBLICATION_DATES)
    if source == DATESTAMP:
        ctx.issue(Severity.WARNING, "out.year-from-datestamp",
                  f"{_passed_over(source, publication_dates, rule, ctx)}: publicationYear {year} is the year of its OAI-PMH header "
                  f"datestamp {date} (the date the source last created or changed the record)", rule, date)
    elif source not in publication_dates:
        ctx.issue(Severity.WARNING, "out.year-from-other-date",
                  f"{_passed_over(source, publication_dates, rule, ctx)}: publicationYear {year} is the year of "
                  f"{_source_name(source, ctx.kind)} {date}", rule, date)
    return ctx.el("datacite:publicationYear", year)


def _range(rng: DateRange) -> str | None:
    if rng.start and rng.end:
        return f"{rng.start}/{rng.end}"  # RKMS-ISO8601, as the kernel documents ranges
    return rng.start or (f"/{rng.end}" if rng.end else None)  # an open range, as mappings/datacite.yaml reads it


@writer("datacite_dates")
def _dates(value: dict[str, Any], rule: Rule, ctx: OutContext) -> Any:
    out = []
    dates: dict[str, DateRange] = dict(value["dates"])
    published = value["publication_date"]
    if published and len(published) > 4 and "Issued" not in dates:
        # mappings/datacite.yaml reads a full Issued date of the publication year back as the day
        dates = {"Issued": DateRange(start=published), **dates}
    end = value["access_end_date"]
    if end and value["access"] == EMBARGOED and "Available" not in dates:
        # OpenAIRE Guidelines for Data Archives: an embargo ends on the Available date
        dates["Available"] = DateRange(start=end)
    elif end and dates.get("Available") and dates["Available"].start != end:
        ctx.issue(Severity.INFO, "out.extra-value", f"the Available date is {dates['Available'].start}; the embargo end {end} is not written", rule, end)
    for kind, rng in dates.items():
        text = _range(rng)
        if text:
            out.append(ctx.el("datacite:date", text, {"dateType": kind}))
    return out


@writer("datacite_language")
def _language(value: str, rule: Rule, ctx: OutContext) -> Any:
    if value != ctx.entity.languages[0]:
        raise refuse("out.extra-value", f"DataCite takes one language; {value} is not written", value)
    return ctx.el("datacite:language", value)


@writer("datacite_version")
def _version(value: LangString, rule: Rule, ctx: OutContext) -> Any:
    if value is not ctx.entity.version_info[0]:
        raise refuse("out.extra-value", f"DataCite takes one version; {value.value} is not written", value.value)
    return ctx.el("datacite:version", value.value)


# -- media, rights, descriptions ------------------------------------------------------------


@writer("datacite_size")
def _size(value: Medium, rule: Rule, ctx: OutContext) -> Any:
    return ctx.el("datacite:size", f"{value.size} bytes") if value.size is not None else None


@writer("datacite_format")
def _format(value: Medium, rule: Rule, ctx: OutContext) -> Any:
    if value.uri:
        ctx.issue(Severity.INFO, "out.no-place", f"file {value.uri}: DataCite has no file links (formats and sizes only)", rule, value.uri)
    return ctx.el("datacite:format", value.mime_type) if value.mime_type else None


@writer("datacite_access")
def _access(value: str, rule: Rule, ctx: OutContext) -> Any:
    uri = rule.table.get(value)
    if uri is None:
        raise refuse("out.no-term", f"access right {value} has no info:eu-repo term; not written", value)
    return ctx.el("datacite:rights", ctx.table("access_words").get(value), {"rightsURI": uri})


@writer("datacite_licence")
def _licence(value: Classification, rule: Rule, ctx: OutContext) -> Any:
    """An SPDX licence with its identifier and URL (kernel 4.2+ rightsIdentifier); another
    licence by its URI."""
    if not value.value.startswith(SPDX):
        return ctx.el("datacite:rights", None, {"rightsURI": value.value})
    spdx = value.value[len(SPDX):]
    key = rule.table.get(spdx)
    return ctx.el("datacite:rights", spdx, {"rightsURI": f"https://{key}" if key else value.value, "rightsIdentifier": spdx,
                                           "rightsIdentifierScheme": "SPDX", "schemeURI": SPDX})


@writer("datacite_description")
def _description(value: LangString, rule: Rule, ctx: OutContext) -> Any:
    return ctx.el("datacite:description", value.value, {"descriptionType": rule.options["type"], XML_LANG: value.lang})


# -- funding --------------------------------------------------------------------------------


@writer("datacite_funding")
def _funding(value: Funding | Project, rule: Rule, ctx: OutContext) -> Any:
    """``fundingReference``: funder name and identifier, award number, URI and title."""
    award_type = rule.options["award_identifier_type"]
    uri_type = rule.options["award_uri_type"]
    if isinstance(value, Project):
        funding, funder = value.main_funding()
        awards = [i.value for i in value.identifiers]
        award_uri = None
        title = value.titles[0] if value.titles else None
    else:
        funder = value.funder
        awards = [i.value for i in value.identifiers if i.type == award_type]
        uris = [i.value for i in value.identifiers if i.type == uri_type]
        award_uri = f"https://doi.org/{value.grant_doi}" if value.grant_doi else (uris[0] if uris else None)
        title = value.names[0] if value.names else None
        if value.part_of is not None:
            ctx.issue(Severity.INFO, "out.no-place", f"funding programme {value.part_of.acronym or ''}: a fundingReference has no programme", rule, value.part_of.acronym)
    name = (funder.name or funder.acronym) if funder is not None else None
    if not name:
        raise refuse("out.no-funder", "a funding without a funder name has no fundingReference (funderName is required); not written",
                     awards[0] if awards else None)
    el = ctx.el("datacite:fundingReference")
    ctx.el("datacite:funderName", name, parent=el)
    found = _org_identifier(funder) if funder is not None else None
    if found is not None:
        scheme = ctx.table("organisation_schemes")[found[0]]
        ctx.el("datacite:funderIdentifier", found[1], {"funderIdentifierType": scheme, "schemeURI": _scheme_uri(ctx, scheme)}, parent=el)
    elif funder is not None and funder.identifiers:
        # funderIdentifierType is a closed list: any other scheme is "Other", its URI kept
        ident = funder.identifiers[0]
        uri = ident.type if ident.type.startswith(("http://", "https://")) else None
        ctx.el("datacite:funderIdentifier", ident.value, {"funderIdentifierType": "Other", "schemeURI": uri}, parent=el)
    if awards or award_uri:
        ctx.el("datacite:awardNumber", awards[0] if awards else "", {"awardURI": award_uri}, parent=el)
    if title is not None:
        ctx.el("datacite:awardTitle", title.value, {XML_LANG: title.lang}, parent=el)
    return el


# -- the wholes an output is published in or part of ----------------------------------------


def container_identifiers(container: ResearchOutput, table: dict[str, Any], ctx: OutContext) -> list[tuple[str, str]]:
    """(relatedIdentifierType, value) of a whole, in the order the first is its own."""
    out: list[tuple[str, str]] = []
    for field in CONTAINER_IDS:
        value = getattr(container, field)
        for v in value if isinstance(value, list) else [value]:
            if not v:
                continue
            kind = _issn_type(ctx, v, container.issn_media) if field == "issns" else table[{"isbns": "isbn"}.get(field, field)]
            out.append((kind, v))
    return out


def _owns_item_fields(value: dict[str, Any], rule: Rule, ctx: OutContext) -> bool:
    """The output's volume, issue and pages go with the journal it is published in; with the
    whole it is part of only when it is published in none."""
    return rule.options["relation"] == "IsPublishedIn" or ctx.entity.published_in is None


def item_worthy(container: ResearchOutput, value: dict[str, Any], rule: Rule, ctx: OutContext) -> bool:
    """A whole with more than identifiers becomes a relatedItem."""
    if container.titles or container.creators or container.editors or container.publishers or container.publication_date:
        return True
    return _owns_item_fields(value, rule, ctx) and any(value.get(f) for f, _ in ITEM_FIELDS) or bool(value.get("edition"))


@writer("datacite_related_identifiers")
def _related_identifiers(value: dict[str, Any], rule: Rule, ctx: OutContext) -> Any:
    container = value[rule.spec.from_[0]]
    if container is None:
        return None
    ids = container_identifiers(container, rule.table, ctx)
    if item_worthy(container, value, rule, ctx):
        ids = ids[1:]  # the first is the relatedItem's own identifier
    general = general_type(container.type, ctx.table("resource_types_general"), ctx)
    return [ctx.el("datacite:relatedIdentifier", v, {"relatedIdentifierType": kind, "relationType": rule.options["relation"], "resourceTypeGeneral": general})
            for kind, v in ids]


@writer("datacite_related_item")
def _related_item(value: dict[str, Any], rule: Rule, ctx: OutContext) -> Any:
    """``relatedItem`` (kernel 4.4+), children in the XSD's sequence: identifier, creators,
    titles, publicationYear, volume, issue, number, firstPage, lastPage, publisher, edition,
    contributors."""
    container = value[rule.spec.from_[0]]
    if container is None or not item_worthy(container, value, rule, ctx):
        return None
    general = general_type(container.type, ctx.table("resource_types_general"), ctx) or "Text"
    el = ctx.el("datacite:relatedItem", None, {"relationType": rule.options["relation"], "relatedItemType": general})
    ids = container_identifiers(container, rule.table, ctx)
    if ids:
        ctx.el("datacite:relatedItemIdentifier", ids[0][1], {"relatedItemIdentifierType": ids[0][0]}, parent=el)
    if container.creators:
        holder = ctx.el("datacite:creators", parent=el)
        for c in container.creators:
            holder.append(_person_or_org(c, "datacite:creator", "datacite:creatorName", rule, ctx, identifiers=False))
    if container.titles or container.subtitles:
        holder = ctx.el("datacite:titles", parent=el)
        for t in container.titles:
            ctx.el("datacite:title", t.value, {XML_LANG: t.lang}, parent=holder)
        for t in container.subtitles:
            ctx.el("datacite:title", t.value, {"titleType": "Subtitle", XML_LANG: t.lang}, parent=holder)
    if container.publication_date:
        ctx.el("datacite:publicationYear", container.publication_date[:4], parent=el)
    owns = _owns_item_fields(value, rule, ctx)
    for field, element in ITEM_FIELDS:
        if owns and value.get(field):
            ctx.el(f"datacite:{element}", value[field], parent=el)
    if container.publishers and display_name(container.publishers[0]):
        ctx.el("datacite:publisher", display_name(container.publishers[0]), parent=el)
    if owns and value.get("edition"):
        ctx.el("datacite:edition", value["edition"], parent=el)
    if container.editors:
        holder = ctx.el("datacite:contributors", parent=el)
        for c in container.editors:
            holder.append(_person_or_org(c, "datacite:contributor", "datacite:contributorName", rule, ctx, {"contributorType": "Editor"}, identifiers=False))
    return el


@writer("datacite_reference")
def _reference(value: ResearchOutput, rule: Rule, ctx: OutContext) -> Any:
    ids = container_identifiers(value, rule.table, ctx)
    if not ids:
        raise refuse("out.no-identifier", "a reference without an identifier has no relatedIdentifier; not written",
                     value.titles[0].value if value.titles else None)
    general = general_type(value.type, ctx.table("resource_types_general"), ctx)
    return ctx.el("datacite:relatedIdentifier", ids[0][1], {"relatedIdentifierType": ids[0][0], "relationType": "References", "resourceTypeGeneral": general})
