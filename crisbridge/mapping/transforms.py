"""Named transforms: small functions from one source element to model values.

A transform gets the element, the compiled rule (its table and options) and the record's
context, and returns:
- ``None`` when the value is not one it handles (another rule may; if none does, the value is
  reported as not mapped);
- a value for the rule's single target field;
- a dict ``{field: value}`` when it fills several of the rule's ``to`` fields;
- ``HANDLED`` when it dealt with the value by reporting it (an identifier failing its check).

Which element goes where, and every vocabulary, is the mapping file's business; a
transform only knows how to read one kind of element.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from crisbridge.errors import RegistryError
from crisbridge.issues import Severity
from crisbridge.mapping import dates, identifiers, names
from crisbridge.mapping.context import Context
from crisbridge.mapping.context import text_of as _text_of

if TYPE_CHECKING:
    from crisbridge.mapping.engine import Rule

HANDLED = object()
# Patterns compiled once (re's own cache costs a lookup per call on the hot path).
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
_EMBARGO_END = re.compile(r"^info:eu-repo/date/embargoEnd/(.+)$")
_URL_SCHEME = re.compile(r"^https?://(www\.)?")
_HTTP_URL = re.compile(r"^https?://\S+$")
# the shape of an SPDX short identifier (SPDX 2.3, Annex A: letters, digits, "." and "-"; "+"
# for "or later"); "CC0 1.0" is not one
_SPDX_ID = re.compile(r"^[A-Za-z0-9.+-]+$")
_ISSN_ONLY = re.compile(r"^(?:e?issn:?\s*)?\d{4}-?\d{3}[\dXx]$", re.I)
_GRANT_AGREEMENT = re.compile(r"^info:eu-repo/grantAgreement/([^/]*)/([^/]*)/([^/]*)(?:/([^/]*))?(?:/([^/]*))?(?:/([^/]*))?")
_MIME_TYPE = re.compile(r"[a-z]+/[\w.+-]+")
_BYTES = re.compile(r"(\d+)\s*(?:b|bytes?)?")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SPDX_SCHEME = "https://spdx.org/licenses"

Transform = Callable[[Any, "Rule", Context], Any]
TRANSFORMS: dict[str, Transform] = {}
# Transforms that fill several fields return a dict {field: value}; the rule lists the fields.
PATCH_TRANSFORMS: set[Transform] = set()


class TableUse(Enum):
    """How a transform reads the rule's own ``table``."""

    NONE = "none"  # never (it may read shared tables by name: languages, funders...)
    TEXT = "text"  # looks the element's text up (coar_uri: after the attributes its options name)
    OTHER = "other"  # looks up an attribute, or a key made from the value
    OPTIONAL = "optional"  # uses it when given and gives values without one too


class Outcome(Enum):
    """What a transform returns for an element that has text."""

    VARIES = "varies"  # a value, None or HANDLED, depending on the value
    VALUE = "value"  # always a value
    HANDLED = "handled"  # always HANDLED: the later rules of its group never run


@dataclass(frozen=True)
class Facts:
    """What ``crisbridge mappings check`` (mapping/lint.py) knows of a transform without
    running it; declared where the transform is registered, so a new one states them."""

    table: TableUse = TableUse.NONE
    outcome: Outcome = Outcome.VARIES


FACTS: dict[str, Facts] = {}


def transform(
    name: str, *, patch: bool = False, table: TableUse = TableUse.NONE, outcome: Outcome = Outcome.VARIES
) -> Callable[[Transform], Transform]:
    def register(fn: Transform) -> Transform:
        if name in TRANSFORMS:
            raise RegistryError(f"transform {name!r} is registered twice")
        TRANSFORMS[name] = fn
        FACTS[name] = Facts(table, outcome)
        if patch:
            PATCH_TRANSFORMS.add(fn)
        return fn

    return register


def get(name: str) -> Transform:
    try:
        return TRANSFORMS[name]
    except KeyError:
        known = ", ".join(sorted(TRANSFORMS))
        raise RegistryError(f"unknown transform {name!r}; known transforms: {known}") from None


# --- small readers shared by the transforms ---------------------------------------------

# An element's text, white space collapsed (kept in context.py, which reads it once per
# element for a record's rules); the engine and round trips read it as transforms.text_of.
text_of = _text_of


def _ns(el: Any) -> str:
    tag = el.tag
    return tag[: tag.index("}") + 1] if tag[0] == "{" else ""


def _child(el: Any, local: str) -> Any:
    return el.find(_ns(el) + local)


def _children(el: Any, local: str) -> list[Any]:
    found: list[Any] = el.findall(_ns(el) + local)
    return found


def _child_text(el: Any, local: str) -> str:
    c = _child(el, local)
    return text_of(c) if c is not None else ""


def language_tag(raw: str | None, rule: Rule) -> str | None:
    """ISO 639-2/3 codes and ``en_US`` spellings into BCP 47 (``en``, ``en-US``)."""
    if not raw:
        return None
    # a handful of spellings recur in every record (xml:lang on each value): each is worked
    # out once per rule, whose languages table decides it; the memo is bounded, so a
    # hostile input with endless spellings cannot grow it
    memo = rule.memo
    if raw in memo:
        return memo[raw]  # type: ignore[no-any-return]
    tag = _language_tag(raw, rule)
    if len(memo) < _MEMO_MAX:
        memo[raw] = tag
    return tag


_MEMO_MAX = 1024


def _language_tag(raw: str, rule: Rule) -> str | None:
    text = raw.strip().replace("_", "-")
    if not text:
        return None
    base, _, rest = text.partition("-")
    table = rule.tables.get("languages", {})
    mapped = table.get(base.lower(), base.lower())
    if not _LANGUAGE_CODE.fullmatch(mapped):
        return None
    return f"{mapped}-{rest.upper() if len(rest) == 2 else rest}" if rest else mapped


def lang_string(el: Any, rule: Rule, text: str | None = None) -> dict[str, Any] | None:
    value = text if text is not None else text_of(el)
    if not value:
        return None
    lang = language_tag(el.get(XML_LANG), rule)
    return {"value": value, "lang": lang} if lang else {"value": value}


def report_invalid(ctx: Context, el: Any, exc: identifiers.InvalidIdentifier) -> object:
    ctx.issue(
        Severity.WARNING,
        f"id.invalid-{exc.kind.lower()}",
        f"{exc.kind} {exc.value!r} is not written: {exc.reason}",
        el,
        exc.value,
    )
    return HANDLED


# --- plain values -------------------------------------------------------------------------


@transform("text", outcome=Outcome.VALUE)
def _text(el: Any, rule: Rule, ctx: Context) -> Any:
    return ctx.text(el) or None


@transform("lang_text", outcome=Outcome.VALUE)
def _lang_text(el: Any, rule: Rule, ctx: Context) -> Any:
    return lang_string(el, rule, ctx.text(el))


@transform("lookup", table=TableUse.TEXT)
def _lookup(el: Any, rule: Rule, ctx: Context) -> Any:
    """The value's row in the rule's table (case and surrounding space ignored)."""
    value = ctx.text(el) or el.get(rule.options.get("attribute", ""), "")
    return rule.table.get(value.strip().lower()) if value else None


@transform("lookup_attribute", table=TableUse.OTHER)
def _lookup_attribute(el: Any, rule: Rule, ctx: Context) -> Any:
    """Look up an attribute's value (``resourceTypeGeneral``, ``oaire:resourceType/@uri``)."""
    for attribute in rule.options.get("attributes", []):
        value = el.get(attribute)
        if value:
            hit = rule.table.get(value.strip().lower())
            if hit is not None:
                return hit
    return None


@transform("language")
def _language(el: Any, rule: Rule, ctx: Context) -> Any:
    tag = language_tag(ctx.text(el), rule)
    if tag is None and ctx.text(el):
        ctx.issue(Severity.WARNING, "map.unknown-language", f"language {ctx.text(el)!r} is not an ISO 639 code", el, ctx.text(el))
        return HANDLED
    return tag


@transform("date")
def _date(el: Any, rule: Rule, ctx: Context) -> Any:
    raw = ctx.text(el)
    if not raw or raw.startswith("info:"):
        return None
    try:
        span = dates.normalise(raw, rule.tables.get("month_names", {}))
    except dates.InvalidDate as exc:
        ctx.issue(Severity.WARNING, "map.bad-date", f"date not written: {exc}", el, raw)
        return HANDLED
    return span.start or span.end


@transform("embargo_end")
def _embargo_end(el: Any, rule: Rule, ctx: Context) -> Any:
    """``info:eu-repo/date/embargoEnd/2019-05-31`` (OpenAIRE Literature Guidelines 3, dc:date)."""
    m = _EMBARGO_END.match(ctx.text(el))
    if not m:
        return None
    try:
        span = dates.normalise(m.group(1), rule.tables.get("month_names", {}), date_only=True)
    except dates.InvalidDate as exc:
        ctx.issue(Severity.WARNING, "map.bad-date", f"embargo end not written: {exc}", el, ctx.text(el))
        return HANDLED
    return span.start


@transform("datacite_publication_year")
def _datacite_publication_year(el: Any, rule: Rule, ctx: Context) -> Any:
    """DataCite ``publicationYear``, or the record's date of the type the rule's ``more_precise``
    option names (``Issued``: "the date that the resource is published") when that is one
    date within the same year: a Publication's ``PublicationDate`` keeps the day."""
    year = _date(el, rule, ctx)
    wanted = rule.options.get("more_precise")
    parent = el.getparent()
    if not isinstance(year, str) or not wanted or parent is None:
        return year
    holder = _child(parent, "dates")
    for date_el in _children(holder, "date") if holder is not None else []:
        if date_el.get("dateType") != wanted:
            continue
        try:
            span = dates.normalise(text_of(date_el), rule.tables.get("month_names", {}))
        except dates.InvalidDate:
            continue  # the date rule reports it
        if span.end is None and span.start.startswith(year) and len(span.start) > len(year):
            return span.start
    return year


@transform("datacite_date", table=TableUse.OTHER)
def _datacite_date(el: Any, rule: Rule, ctx: Context) -> Any:
    """A DataCite ``date`` with its ``dateType``, as a Product ``Dates/*`` range (RKMS-ISO8601
    ranges ``start/end`` keep both ends). An ``Issued`` date already taken as the publication
    date is not repeated (the writer puts it in ``PublicationDate`` or ``Dates/Issued``)."""
    kind = rule.table.get((el.get("dateType") or "").lower())
    raw = ctx.text(el)
    if kind is None or not raw:
        return None
    try:
        span = dates.normalise(raw, rule.tables.get("month_names", {}))
    except dates.InvalidDate as exc:
        ctx.issue(Severity.WARNING, "map.bad-date", f"{el.get('dateType')} date not written: {exc}", el, raw)
        return HANDLED
    if kind == "Issued" and span.end is None and span.start == ctx.draft.get("publication_date"):
        return HANDLED
    rng = {"start": span.start} if span.start else {}
    if span.end:
        rng["end"] = span.end
    return {kind: rng}


# --- people and organisations -------------------------------------------------------------


def _person(display: str, rule: Rule, family: str = "", given: str = "") -> dict[str, Any]:
    if not family and not given:
        f, g = names.split(display, rule.tables.get("name_particles", {}))
        family, given = f or "", g or ""
    name = {k: v for k, v in (("family", family), ("given", given)) if v}
    return {"name": name} if name else {}


@transform("person_name", outcome=Outcome.VALUE)
def _person_name(el: Any, rule: Rule, ctx: Context) -> Any:
    """``dc:creator``: a person's display name, split into family and given names."""
    display = ctx.text(el)
    if not display:
        return None
    return {"display_name": display, "person": _person(display, rule)}


def _org(name: str, el: Any | None = None, rule: Rule | None = None) -> dict[str, Any]:
    org: dict[str, Any] = {}
    if name:
        org["name"] = name
        lang = language_tag(el.get(XML_LANG), rule) if el is not None and rule is not None else None
        if lang:
            org["name_lang"] = lang
    return org


def _org_identifier(org: dict[str, Any], scheme: str, value: str, rule: Rule, ctx: Context, el: Any) -> None:
    """Put an organisation identifier in its typed slot (ROR, GRID, ISNI, FundRef); any other
    is a generic identifier typed by its ``schemeURI`` when given (as a person's is), since
    ``Identifier/@type`` is a URI and DataCite's scheme names are often just "Other"."""
    slot = rule.tables.get("organisation_identifier_schemes", {}).get(scheme.strip().lower())
    if slot is None:
        if value:
            org.setdefault("identifiers", []).append({"type": el.get("schemeURI") or scheme or "unknown", "value": value})
        return
    try:
        normalised = identifiers.NORMALISERS[slot](value)
    except identifiers.InvalidIdentifier as exc:
        report_invalid(ctx, el, exc)
        return
    org.setdefault(slot, normalised)


def _affiliations(el: Any, rule: Rule, ctx: Context) -> list[dict[str, Any]]:
    out = []
    for aff in _children(el, "affiliation"):
        org = _org(text_of(aff), aff, rule)
        ident = aff.get("affiliationIdentifier")
        if ident:
            scheme = aff.get("affiliationIdentifierScheme") or ""
            if not scheme and "ror.org" in ident:
                scheme = "ROR"
            _org_identifier(org, scheme, ident, rule, ctx, aff)
        if org:
            out.append(org)
    return out


def _is_organisation(el: Any, display: str, rule: Rule) -> bool:
    name_el = _child(el, "creatorName") if _child(el, "creatorName") is not None else _child(el, "contributorName")
    kind = (name_el.get("nameType") if name_el is not None else None) or ""
    if kind:
        return kind == "Organizational"
    # kernel 2 and 3 have no nameType: decide by the name's shape and the identifiers it carries
    if _child(el, "givenName") is not None or _child(el, "familyName") is not None or "," in display:
        return False
    for nid in _children(el, "nameIdentifier"):
        if (nid.get("nameIdentifierScheme") or "").upper() in ("ROR", "GRID"):
            return True
    words = set(re.findall(r"\w+", display.lower()))
    return bool(words & set(rule.tables.get("organisation_words", {})))


_ROLE_SUFFIX = re.compile(r"\s*\((?:eds?|hrsg|coord)\.?\)\s*$", re.I)


def _contributor(el: Any, rule: Rule, ctx: Context, name_local: str) -> Any:
    name_el = _child(el, name_local)
    display = text_of(name_el) if name_el is not None else ""
    given, family = _child_text(el, "givenName"), _child_text(el, "familyName")
    if not display and (family or given):
        display = f"{family}, {given}".strip(", ")
    if not display:
        ctx.issue(Severity.WARNING, "map.nameless-contributor", "a creator or contributor without a name is not written", el)
        return HANDLED
    affiliations = _affiliations(el, rule, ctx)
    if _is_organisation(el, display, rule):
        org = _org(display, name_el, rule)
        for nid in _children(el, "nameIdentifier"):
            _org_identifier(org, nid.get("nameIdentifierScheme") or "", text_of(nid), rule, ctx, nid)
        result: dict[str, Any] = {"display_name": display, "org_unit": org}
        if affiliations:
            ctx.issue(Severity.INFO, "map.not-mapped", f"affiliations of the organisation {display!r} have no place in the profile", el)
        return result
    # "Kim, Dong Eon (Ed.)": the role is not part of the name (JACoW, kernel 3)
    person = _person(_ROLE_SUFFIX.sub("", display) or display, rule, family, given)
    for nid in _children(el, "nameIdentifier"):
        scheme = (nid.get("nameIdentifierScheme") or "").strip()
        value = text_of(nid)
        slot = rule.tables.get("person_identifier_schemes", {}).get(scheme.lower())
        if slot is None and "orcid.org/" in value:
            slot = "orcid"
        if slot is None:
            if value:
                person.setdefault("identifiers", []).append({"type": nid.get("schemeURI") or scheme or "unknown", "value": value})
            continue
        try:
            normalised = identifiers.NORMALISERS[slot](value)
        except identifiers.InvalidIdentifier as exc:
            report_invalid(ctx, nid, exc)
            continue
        if slot == "orcid" and person.get("orcid") not in (None, normalised):
            person.setdefault("alternative_orcids", []).append(normalised)
        else:
            person[slot] = normalised
    result = {"display_name": display, "person": person}
    if affiliations:
        result["affiliations"] = affiliations
    return result


@transform("datacite_creator")
def _datacite_creator(el: Any, rule: Rule, ctx: Context) -> Any:
    """A DataCite ``creator``: a person (with ORCID, ISNI and affiliations) or, when the name
    is organisational, an OrgUnit: never a Person."""
    return _contributor(el, rule, ctx, "creatorName")


@transform("datacite_contributor")
def _datacite_contributor(el: Any, rule: Rule, ctx: Context) -> Any:
    return _contributor(el, rule, ctx, "contributorName")


@transform("publisher")
def _publisher(el: Any, rule: Rule, ctx: Context) -> Any:
    """A publisher as an OrgUnit; DataCite 4.5 adds ``publisherIdentifier`` (often ROR), which
    names the publisher even when its name is left empty."""
    display = ctx.text(el)
    ident = el.get("publisherIdentifier")
    if not display and not ident:
        return None
    org = _org(display, el, rule)
    if ident:
        _org_identifier(org, el.get("publisherIdentifierScheme") or ("ROR" if "ror.org" in ident else ""), ident, rule, ctx, el)
    if not org:
        return HANDLED  # the identifier was invalid, and reported
    return {"display_name": display, "org_unit": org} if display else {"org_unit": org}


# --- identifiers --------------------------------------------------------------------------

_ID_FIELDS = {"issn": "issns", "isbn": "isbns"}


@transform("identifier", patch=True)
def _identifier(el: Any, rule: Rule, ctx: Context) -> Any:
    """An untyped identifier (``dc:identifier``), recognised by its spelling, after the rule's
    ``rewrite`` options turn local spellings into standard ones."""
    raw = rule.rewrite(ctx.text(el))
    try:
        found = identifiers.recognise(raw)
    except identifiers.InvalidIdentifier as exc:
        return report_invalid(ctx, el, exc)
    if found is None:
        return None
    target = _ID_FIELDS.get(found.kind, found.kind)
    return {target: [found.value] if target.endswith("s") else found.value}


@transform("typed_identifier", patch=True, table=TableUse.OTHER)
def _typed_identifier(el: Any, rule: Rule, ctx: Context) -> Any:
    """A DataCite ``identifier`` or ``alternateIdentifier`` with its type attribute; the
    rule's table says which model field each identifier type goes to."""
    kind = el.get("identifierType") or el.get("alternateIdentifierType") or el.get("relatedIdentifierType") or ""
    slot = rule.table.get(kind.strip().lower())
    raw = ctx.text(el)
    if slot is None or not raw:
        return None
    target = _ID_FIELDS.get(slot, slot)
    try:
        value = identifiers.NORMALISERS[slot](raw)
    except identifiers.InvalidIdentifier as exc:
        return report_invalid(ctx, el, exc)
    return {target: [value] if target.endswith("s") else value}


# --- subjects, rights, descriptions -------------------------------------------------------


@transform("subject", patch=True)
def _subject(el: Any, rule: Rule, ctx: Context) -> Any:
    """A subject with a scheme and value URI becomes a ``Subject``; a classification code of
    a scheme the table knows (``info:eu-repo/classification/ddc/...``) too; the rest are
    keywords."""
    raw = ctx.text(el)
    if not raw:
        return None
    value_uri = el.get("valueURI") or el.get("valueUri")
    scheme_uri = el.get("schemeURI") or el.get("subjectSchemeURI")
    if value_uri and scheme_uri:
        return {"subjects": [{"scheme": scheme_uri, "value": value_uri}]}
    lower = raw.lower()
    for prefix, scheme in rule.tables.get("classification_prefixes", {}).items():
        if lower.startswith(prefix):
            return {"subjects": [{"scheme": scheme, "value": raw[len(prefix):].strip()}]}
    if raw.startswith("info:"):
        return None
    return {"keywords": [lang_string(el, rule, raw)]}


def table_key(table: dict[str, Any], raw: str) -> str | None:
    """The key a value is found under in a table, as lookups read values: stripped and in lower
    case (table keys are folded so), and a URL also without its scheme, ``www.`` and trailing
    slash (``https://creativecommons.org/licenses/by/4.0/`` is found as
    ``creativecommons.org/licenses/by/4.0``). None when the table has neither."""
    text = raw.strip().lower()
    if not text:
        return None
    if text in table:
        return text
    bare = _URL_SCHEME.sub("", text.rstrip("/"))
    return bare if bare in table else None


@transform("license", table=TableUse.OPTIONAL)
def _license(el: Any, rule: Rule, ctx: Context) -> Any:
    """A licence URL (or a licence name) as ``License``: SPDX where the table knows the
    licence or the record gives its SPDX id (``rightsIdentifierScheme="SPDX"``), the URL
    itself otherwise."""
    candidates = [el.get("rightsURI"), el.get("uri"), el.get("rightsIdentifier"), ctx.text(el)]
    table = rule.table
    for place, raw in enumerate(candidates):
        if not raw:
            continue
        key = table_key(table, raw)
        spdx = table[key] if key is not None else None
        if spdx is None and _URL_SCHEME.sub("", raw.strip().lower()).startswith("spdx.org/licenses/"):
            # the SPDX licence list's own URL names the licence by its SPDX id
            spdx = re.sub(r"\.(html|json)$", "", raw.strip().rstrip("/").rsplit("/", 1)[-1])
        if spdx is None and place == 2 and (el.get("rightsIdentifierScheme") or "").strip().lower() == "spdx" \
                and _SPDX_ID.match(raw.strip()):
            # a rightsIdentifier of scheme SPDX: an SPDX id is the profile's form of a licence
            # (License), whether the table has a row for it (ODbL-1.0 is known there by URL
            # only) or not
            spdx = raw.strip()
        if spdx is not None:
            return {"scheme": SPDX_SCHEME, "value": f"{SPDX_SCHEME}/{spdx}"}
    for raw in candidates[:3] + [ctx.text(el)]:
        if raw and _HTTP_URL.match(raw.strip()) and not raw.startswith("info:"):
            if "purl.org/coar/access_right" in raw:
                return None
            return {"scheme": rule.options.get("url_scheme", "http://purl.org/dc/terms/license"), "value": raw.strip()}
    return None


@transform("access_right", table=TableUse.OTHER)
def _access_right(el: Any, rule: Rule, ctx: Context) -> Any:
    """``info:eu-repo/semantics/openAccess`` or a COAR URI, in the text or ``rightsURI``."""
    for raw in (el.get("rightsURI"), el.get("uri"), ctx.text(el)):
        if raw:
            hit = rule.table.get(raw.strip().lower())
            if hit is not None:
                return hit
    return None


# --- where it was published ---------------------------------------------------------------


@transform("citation", patch=True)
def _citation(el: Any, rule: Rule, ctx: Context) -> Any:
    """A bibliographic citation line (OJS ``Journal; Vol. 28 No. 1 (2021); 1-18``, Zenodo
    ``Journal, 28(1), 1-18, (2021-01-01)``) parsed with the rule's patterns."""
    raw = ctx.text(el)
    for pattern in rule.patterns:
        m = pattern.match(raw)
        if not m:
            continue
        parts = {k: v.strip() for k, v in m.groupdict().items() if v and v.strip()}
        title = parts.pop("title", None)
        out: dict[str, Any] = {k: v for k, v in parts.items() if k in rule.to}
        if title:
            container = {"titles": [lang_string(el, rule, title)]}
            out["published_in"] = container
        return out or None
    return None


@transform("container_issn")
def _container_issn(el: Any, rule: Rule, ctx: Context) -> Any:
    """An ISSN given for the journal (``dc:source`` holding only an ISSN, DataCite
    ``relatedIdentifier`` of type ISSN with IsPublishedIn/IsPartOf)."""
    raw = ctx.text(el)
    if not _ISSN_ONLY.match(raw):
        return None
    try:
        return {"issns": [identifiers.issn(raw)]}
    except identifiers.InvalidIdentifier as exc:
        return report_invalid(ctx, el, exc)


def _other_container(ctx: Context, field: str, container: dict[str, Any], el: Any) -> bool:
    """True (and reported) when the draft's ``published_in`` or ``part_of`` already names a
    different whole: the profile has one PublishedIn and one PartOf, and merging a second
    whole's identifiers or type into the first would describe neither."""
    current = ctx.draft.get(field) or {}
    old_titles = {t["value"] for t in current.get("titles", [])}
    new_titles = {t["value"] for t in container.get("titles", [])}
    if old_titles and new_titles and not old_titles & new_titles:
        # two relatedItems with different titles are two wholes, whatever else they share
        container = {"title": container["titles"][0]["value"]}
        current = {"title": sorted(old_titles)[0]}
    for key, value in container.items():
        old = current.get(key)
        if isinstance(value, str) and old is not None and old != value:
            ctx.issue(
                Severity.INFO,
                "map.extra-value",
                f"{field} already holds a whole with {key} {old!r}; this one ({key} {value!r}) is not written (the profile allows one)",
                el,
                value,
            )
            return True
    return False


def _related_type(general: str | None, rule: Rule) -> str | None:
    """A related work's ``resourceTypeGeneral`` (or ``relatedItemType``) as a COAR type."""
    return rule.tables.get("datacite_resource_types", {}).get(general.strip().lower()) if general else None


@transform("related_container", table=TableUse.OTHER)
def _related_container(el: Any, rule: Rule, ctx: Context) -> Any:
    """A DataCite ``relatedIdentifier`` naming the journal or the whole this is part of, with
    the whole's type when ``resourceTypeGeneral`` gives it (a treatment IsPartOf a
    JournalArticle is part of an article, not of a journal)."""
    kind = (el.get("relatedIdentifierType") or "").lower()
    slot = rule.table.get(kind)
    raw = ctx.text(el)
    if slot is None or not raw:
        return None
    try:
        value = identifiers.NORMALISERS[slot](raw)
    except identifiers.InvalidIdentifier as exc:
        return report_invalid(ctx, el, exc)
    field = _ID_FIELDS.get(slot, slot)
    container: dict[str, Any] = {field: [value] if field.endswith("s") else value}
    medium = rule.options.get("issn_media", {}).get(el.get("relatedIdentifierType") or "")
    if medium and field == "issns":
        container["issn_media"] = {value: medium}  # EISSN: the ISSN of the online edition
    ctype = _related_type(el.get("resourceTypeGeneral"), rule) or _isbn_container_type(container, rule, ctx)
    if ctype:
        container["type"] = ctype
    if _other_container(ctx, rule.to[0], container, el):
        return HANDLED
    return container


def _isbn_container_type(container: dict[str, Any], rule: Rule, ctx: Context) -> str | None:
    """A whole named only by its ISBN is a book (the rule's ``isbn_container_type``), unless
    the output's own type already says what holds it (a conference paper: proceedings); the
    journal the container type otherwise defaults to has no ISBN."""
    book = rule.options.get("isbn_container_type")
    own = str(ctx.draft.get("type") or "").lower()
    if not book or "isbns" not in container or own in rule.tables.get("container_types", {}):
        return None
    return str(book)


@transform("related_item", patch=True)
def _related_item(el: Any, rule: Rule, ctx: Context) -> Any:
    """A DataCite 4.4+ ``relatedItem`` (IsPublishedIn, IsPartOf): the whole's titles,
    identifier, type, year, creators, editors and publisher, and this output's volume, issue,
    number, edition and pages. Contributors other than editors are reported."""
    container: dict[str, Any] = {}
    holder = _child(el, "titles")
    for t in _children(holder, "title") if holder is not None else []:
        title = lang_string(t, rule)
        if title:
            container.setdefault("subtitles" if t.get("titleType") == "Subtitle" else "titles", []).append(title)
    ident = _child(el, "relatedItemIdentifier")
    if ident is not None and text_of(ident):
        kind = ident.get("relatedItemIdentifierType") or ""
        slot = rule.tables.get("container_identifier_types", {}).get(kind.lower())
        if slot is None:
            ctx.issue(Severity.INFO, "map.not-mapped", f"relatedItemIdentifier of type {kind!r} not mapped: the profile has no element for it", ident, text_of(ident))
        else:
            try:
                value = identifiers.NORMALISERS[slot](text_of(ident))
                field = _ID_FIELDS.get(slot, slot)
                container[field] = [value] if field.endswith("s") else value
            except identifiers.InvalidIdentifier as exc:
                report_invalid(ctx, ident, exc)
    ctype = _related_type(el.get("relatedItemType"), rule)
    if ctype:
        container["type"] = ctype
    year = _child_text(el, "publicationYear")
    if year:
        container["publication_date"] = year
    # the whole's own people: its authors, its editors (a book's editors) and its publisher
    holder = _child(el, "creators")
    for creator in _children(holder, "creator") if holder is not None else []:
        found = _contributor(creator, rule, ctx, "creatorName")
        if found is not HANDLED:
            container.setdefault("creators", []).append(found)
    holder = _child(el, "contributors")
    for contributor in _children(holder, "contributor") if holder is not None else []:
        if contributor.get("contributorType") != "Editor":
            ctx.issue(Severity.INFO, "map.known-loss", "not mapped: the profile has a place for editors only, not for other contributor roles", contributor, text_of(contributor) or None)
            continue
        found = _contributor(contributor, rule, ctx, "contributorName")
        if found is not HANDLED:
            container.setdefault("editors", []).append(found)
    publisher = _child(el, "publisher")
    if publisher is not None and text_of(publisher):
        container["publishers"] = [_publisher(publisher, rule, ctx)]
    if _other_container(ctx, rule.to[0], container, el):
        return HANDLED
    out: dict[str, Any] = {rule.to[0]: container} if container else {}
    for local, field in (("volume", "volume"), ("issue", "issue"), ("number", "number"), ("edition", "edition"), ("firstPage", "start_page"), ("lastPage", "end_page")):
        value = _child_text(el, local)
        if value and field in rule.to:
            out[field] = value
    return out or None


# --- funding ------------------------------------------------------------------------------


def _funder(name: str, ident: str, scheme: str, rule: Rule, ctx: Context, el: Any) -> dict[str, Any]:
    org: dict[str, Any] = {"name": name} if name else {}
    if ident:
        if not scheme and "10.13039" in ident:
            scheme = "Crossref Funder ID"
        _org_identifier(org, scheme, ident, rule, ctx, el)
    return org


@transform("grant_agreement")
def _grant_agreement(el: Any, rule: Rule, ctx: Context) -> Any:
    """``info:eu-repo/grantAgreement/FUNDER/PROGRAMME/ID[/JURISDICTION/TITLE/ACRONYM]``
    (OpenAIRE Literature Guidelines, Project Identifier) as a Funding with its funder."""
    m = _GRANT_AGREEMENT.match(ctx.text(el))
    if not m:
        return None
    funder_key, programme, award, _jurisdiction, title, acronym = m.groups()
    known = rule.tables.get("funders", {}).get((funder_key or "").lower(), {})
    funding: dict[str, Any] = {"entity": "Funding", "type": rule.options.get("funding_type")}
    if award:
        funding["identifiers"] = [{"type": rule.options["award_identifier_type"], "value": award}]
    if title:
        funding["names"] = [{"value": title}]
    if acronym:
        funding["acronym"] = acronym
    funder = _funder(known.get("name", funder_key or ""), known.get("fundref", ""), "Crossref Funder ID", rule, ctx, el)
    if funder_key and "name" in known:
        funder["acronym"] = funder_key
    if funder:
        funding["funder"] = funder
    if programme:
        funding["part_of"] = {"entity": "Funding", "type": rule.options.get("programme_type"), "acronym": programme}
    return funding


@transform("datacite_funding")
def _datacite_funding(el: Any, rule: Rule, ctx: Context) -> Any:
    """A DataCite ``fundingReference`` (or OpenAIRE ``oaire:fundingReference``): funder name
    and identifier, award number (with awardURI) and award title."""
    name = _child_text(el, "funderName")
    fid_el = _child(el, "funderIdentifier")
    funder = _funder(
        name,
        text_of(fid_el) if fid_el is not None else "",
        (fid_el.get("funderIdentifierType") or "") if fid_el is not None else "",
        rule,
        ctx,
        fid_el if fid_el is not None else el,
    )
    funding: dict[str, Any] = {"entity": "Funding", "type": rule.options.get("funding_type")}
    award_el = _child(el, "awardNumber")
    if award_el is not None and text_of(award_el):
        funding["identifiers"] = [{"type": rule.options["award_identifier_type"], "value": text_of(award_el)}]
        uri = award_el.get("awardURI") or ""
        if uri:
            try:
                found = identifiers.recognise(uri)
            except identifiers.InvalidIdentifier:
                found = None
            if found is not None and found.kind == "doi":
                funding["grant_doi"] = found.value
            else:
                funding["identifiers"].append({"type": rule.options["award_uri_type"], "value": uri})
    award_title = _child(el, "awardTitle")
    if award_title is not None and text_of(award_title):
        funding["names"] = [lang_string(award_title, rule)]
    if funder:
        funding["funder"] = funder
    if len(funding) <= 2:
        return None
    return funding


# --- versions, sizes, formats -------------------------------------------------------------


def _medium_holds_other(ctx: Context, key: str, value: Any, el: Any) -> bool:
    """True (and reported) when the record's medium already has a different ``key``: formats
    and sizes fill one ``Medium``, and a second value would otherwise vanish in the merge."""
    media = ctx.draft.get("media") or [{}]
    old = media[0].get(key)
    if old is None or old == value:
        return False
    ctx.issue(Severity.INFO, "map.extra-value", f"the medium already has {key} {old!r}; {value!r} is not written (one medium per record)", el, str(value))
    return True


@transform("mime_type")
def _mime_type(el: Any, rule: Rule, ctx: Context) -> Any:
    raw = ctx.text(el) or el.get("mimeType") or ""
    if not _MIME_TYPE.fullmatch(raw.strip().lower()):
        return None
    if _medium_holds_other(ctx, "mime_type", raw.strip().lower(), el):
        return HANDLED
    return {"mime_type": raw.strip().lower()}


_FILE_LINK = re.compile(r"^([a-z]+/[\w.+-]+)\s+(https?://\S.*)$")


@transform("file_link")
def _file_link(el: Any, rule: Rule, ctx: Context) -> Any:
    """A file as DSpace writes it in ``dc:format``: its MIME type and its link
    (``application/pdf https://host/retrieve/2316/CLD003.pdf``). Spaces in the link (file
    names) are percent-encoded: ``Medium/URI`` is an xs:anyURI."""
    m = _FILE_LINK.match(ctx.text(el))
    if not m:
        return None
    return {"mime_type": m.group(1).lower(), "uri": quote(m.group(2).strip(), safe=_URI_SAFE)}


# RFC 3986 reserved and unreserved characters, and "%" so an encoded link stays as it is
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"


@transform("byte_size")
def _byte_size(el: Any, rule: Rule, ctx: Context) -> Any:
    """Only sizes in bytes fit ``Medium/Size`` (a non-negative integer); "12 pages" does not."""
    m = _BYTES.fullmatch(ctx.text(el).lower())
    if m and _medium_holds_other(ctx, "size", int(m.group(1)), el):
        return HANDLED
    return {"size": int(m.group(1))} if m else None


@transform("known_loss", outcome=Outcome.HANDLED)
def _known_loss(el: Any, rule: Rule, ctx: Context) -> Any:
    """A value the profile has no slot for, by design: reported as a known loss with the
    reason the mapping gives (COAR version types, for example)."""
    value = ctx.text(el)
    ctx.issue(Severity.INFO, "map.known-loss", f"not mapped: {rule.options.get('reason', 'no place in the profile')}", el, value or None)
    return HANDLED


@transform("coar_uri", table=TableUse.TEXT)
def _coar_uri(el: Any, rule: Rule, ctx: Context) -> Any:
    """A COAR concept URI given as such (in the text or the rule's attributes), accepted when
    the rule's table knows the concept."""
    for raw in [el.get(a) for a in rule.options.get("attributes", [])] + [ctx.text(el)]:
        if raw and raw.strip().lower() in rule.table:
            return raw.strip()
    return None


@transform("embargo_date")
def _embargo_date(el: Any, rule: Rule, ctx: Context) -> Any:
    """An embargo's end as xs:date (``datacite:date[@dateType='Available']`` in OpenAIRE v4);
    kept only when the access right turns out to be embargoed."""
    try:
        return dates.normalise(ctx.text(el), rule.tables.get("month_names", {}), date_only=True).start or None
    except dates.InvalidDate:
        return None


@transform("container_title", outcome=Outcome.VALUE)
def _container_title(el: Any, rule: Rule, ctx: Context) -> Any:
    title = lang_string(el, rule, ctx.text(el))
    return {"titles": [title]} if title else None


@transform("medium")
def _medium(el: Any, rule: Rule, ctx: Context) -> Any:
    """A file link (``oaire:file``) with its MIME type."""
    uri = ctx.text(el)
    medium: dict[str, Any] = {}
    if uri and _HTTP_URL.match(uri):
        medium["uri"] = uri
    mime = (el.get("mimeType") or "").strip().lower()
    if _MIME_TYPE.fullmatch(mime):
        medium["mime_type"] = mime
    return medium or None
