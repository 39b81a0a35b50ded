"""Model outputs -> oai_dc (OpenAIRE Literature Guidelines 3): the write functions that
``mappings/out/oai_dc.yaml`` names. Which field becomes which element is the mapping file's
business; each function only knows how to spell one kind of value in Dublin Core.

    >>> element, issues = DcWriter().write(publication)
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from crisbridge.issues import Severity
from crisbridge.model import Classification, Contributor, Funding, Medium, Project
from crisbridge.writers.repository import XML_LANG, OutContext, RepositoryWriter, Rule, leaf, refuse, writer

COAR_TYPES = "http://purl.org/coar/resource_type/"


def DcWriter() -> RepositoryWriter:  # noqa: N802 - reads as a class at the call site
    """The oai_dc writer of ``mappings/out/oai_dc.yaml``."""
    from crisbridge.writers.repository import shipped_writer

    return shipped_writer("oai_dc")


# -- dates --------------------------------------------------------------------------------


@writer("publication_date")
def _publication_date(value: dict[str, Any], rule: Rule, ctx: OutContext) -> Any:
    """The publication date, or a Product's Issued date (where the CERIF profile keeps it)."""
    dates = value["dates"] or {}
    issued = dates.get("Issued")
    date = value["publication_date"] or (issued.start if issued is not None else None)
    others = [k for k in dates if k != "Issued" or (value["publication_date"] and issued is not None and issued.start != value["publication_date"])]
    if others:
        ctx.issue(Severity.INFO, "out.no-place", f"dates {', '.join(others)} not written: DC has one kind of dc:date, read as the publication date", rule)
    return ctx.el(leaf(rule), date) if date else None


# -- people ---------------------------------------------------------------------------------


def display_name(c: Contributor) -> str | None:
    """The name as a citation gives it: "Family, Given" for a person, the name of an organisation."""
    if c.display_name:
        return c.display_name
    if c.org_unit is not None:
        return c.org_unit.name
    name = c.person.name if c.person is not None else None
    if name is None:
        return None
    parts = [p for p in (name.family, name.given) if p]
    return ", ".join(parts) or name.other


@writer("contributor_name")
def _contributor_name(value: Contributor, rule: Rule, ctx: OutContext) -> Any:
    name = display_name(value)
    if not name:
        raise refuse("out.nameless", "a contributor without a name is not written")
    person = value.person
    has_ids = person is not None and any((person.orcid, person.isni, person.identifiers, person.researcher_id, person.scopus_author_id))
    if has_ids or value.affiliations or (value.org_unit is not None and (value.org_unit.ror or value.org_unit.identifiers)):
        ctx.issue(Severity.INFO, "out.no-place", f"{name}: identifiers and affiliations have no place in a DC name", rule, name)
    lang = value.org_unit.name_lang if value.org_unit is not None else None
    return ctx.el(leaf(rule), name, {XML_LANG: lang})


# -- vocabularies ---------------------------------------------------------------------------


@writer("eu_repo_type")
def _eu_repo_type(value: str, rule: Rule, ctx: OutContext) -> Any:
    """The info:eu-repo term of the COAR type or of its nearest broader type with one; when it
    is not the type itself, the COAR URI goes first, where the source mapping reads it."""
    broader = ctx.shared("coar_broader")
    current: str | None = value
    seen: set[str] = set()
    while current and current not in seen:
        seen.add(current)
        term = rule.table.get(current)
        if term is not None:
            break
        current = broader.get(current.lower())
    else:
        term = None
    out = []
    if term is None or current != value:
        if value.startswith(COAR_TYPES):
            out.append(ctx.el(leaf(rule), value))
        term = term or rule.options["fallback"]
    out.append(ctx.el(leaf(rule), term))
    return out


@writer("classification")
def _classification(value: Classification, rule: Rule, ctx: OutContext) -> Any:
    """A classification code as ``info:eu-repo/classification/ddc/330``; a subject of another
    scheme as its URI (DC has no scheme attribute)."""
    prefix = rule.table.get(value.scheme)
    if prefix is not None:
        return ctx.el(leaf(rule), f"{prefix}{value.value}")
    ctx.issue(Severity.INFO, "out.no-place", f"subject {value.value}: DC has no scheme; {value.scheme} is not written", rule, value.scheme)
    return ctx.el(leaf(rule), value.value)


@writer("licence")
def _licence(value: Classification, rule: Rule, ctx: OutContext) -> Any:
    """An SPDX licence as the licence's URL, which the source mapping reads back as the same
    SPDX id; any other licence URI as it is."""
    spdx = value.value.rsplit("/", 1)[-1] if value.value.startswith("https://spdx.org/licenses/") else None
    key = rule.table.get(spdx) if spdx else None
    return ctx.el(leaf(rule), f"https://{key}" if key else value.value)


@writer("language")
def _language(value: str, rule: Rule, ctx: OutContext) -> Any:
    """ISO 639-3 (Guidelines 3, dc:language); a region or script subtag has no place in it."""
    primary, _, rest = value.partition("-")
    code = rule.table.get(primary.lower())
    if code is None:
        return ctx.el(leaf(rule), value)
    if rest:
        ctx.issue(Severity.INFO, "out.no-place", f"language {value}: ISO 639-3 has no region or script; written as {code}", rule, value)
    return ctx.el(leaf(rule), code)


# -- files, sources, grants -----------------------------------------------------------------


@writer("medium")
def _medium(value: Medium, rule: Rule, ctx: OutContext) -> Any:
    """``application/pdf`` or, for a file with a link, ``application/pdf https://...`` (the
    DSpace form); a size in bytes as ``241685 bytes``."""
    out = []
    if value.mime_type:
        uri = quote(value.uri, safe=":/?#[]@!$&'()*+,;=%~") if value.uri else None
        out.append(ctx.el(leaf(rule), f"{value.mime_type} {uri}" if uri else value.mime_type))
    elif value.uri:
        ctx.issue(Severity.INFO, "out.no-place", f"file {value.uri}: a link without a MIME type has no place in dc:format", rule, value.uri)
    if value.size is not None:
        out.append(ctx.el(leaf(rule), f"{value.size} bytes"))
    lost = [name for name in ("titles", "types", "identifiers", "access", "licenses", "dates") if getattr(value, name)]
    if lost:
        ctx.issue(Severity.INFO, "out.no-place", f"a file's {', '.join(lost)} have no place in dc:format", rule)
    return out


@writer("citation")
def _citation(value: dict[str, Any], rule: Rule, ctx: OutContext) -> Any:
    """The journal as OJS cites it, ``Title; Vol. 28 No. 1; 1-18``, and its ISSNs each as a
    ``dc:source`` of its own (OJS writes both). OJS puts the issue's year in parentheses; the
    model does not hold it (the output's publication date may be another year), so it is left out."""
    container = value["published_in"]
    if container is None:
        return None
    out = []
    citation = ""
    if value["volume"]:
        citation += f"; Vol. {value['volume']}"
        if value["issue"]:
            citation += f" No. {value['issue']}"
        if value["start_page"]:
            citation += f"; {value['start_page']}" + (f"-{value['end_page']}" if value["end_page"] else "")
    elif value["issue"] or value["start_page"]:
        ctx.issue(Severity.INFO, "out.no-place", "issue and pages without a volume have no form in the citation dc:source", rule)
    # one citation per title of the journal (OJS writes one per language)
    for title in container.titles:
        out.append(ctx.el(leaf(rule), title.value + citation, {XML_LANG: title.lang}))
    out.extend(ctx.el(leaf(rule), issn) for issn in container.issns)
    others = [n for n in ("isbns", "doi", "url", "handle", "creators", "editors", "publishers") if getattr(container, n)]
    if others:
        ctx.issue(Severity.INFO, "out.no-place", f"the journal's {', '.join(others)} have no place in dc:source", rule)
    return out


def _funder_key(funder_acronym: str | None, fundref: str | None, rule: Rule) -> str | None:
    if funder_acronym:
        return funder_acronym
    key = rule.table.get(fundref.removeprefix("https://doi.org/")) if fundref else None
    return key.upper() if key else None


@writer("grant_agreement")
def _grant_agreement(value: Funding | Project, rule: Rule, ctx: OutContext) -> Any:
    """``info:eu-repo/grantAgreement/FUNDER/PROGRAMME/ID[/JURISDICTION/TITLE/ACRONYM]``."""
    award_type = rule.options["award_identifier_type"]
    if isinstance(value, Project):
        funding, funder = value.main_funding()
        ids = [i.value for i in value.identifiers]
        programme = funding.part_of.acronym if funding is not None and funding.part_of is not None else None
        title = value.titles[0].value if value.titles else None
        acronym = value.acronym
    else:
        funder = value.funder
        ids = [i.value for i in value.identifiers if i.type == award_type] or [i.value for i in value.identifiers]
        programme = value.part_of.acronym if value.part_of is not None else None
        title = value.names[0].value if value.names else None
        acronym = value.acronym
    key = _funder_key(funder.acronym, funder.fundref, rule) if funder is not None else None
    if key is None and funder is not None and funder.name and "/" not in funder.name:
        key = funder.name
    if not ids or key is None:
        what = "an award number" if not ids else "a funder"
        raise refuse("out.no-grant-agreement", f"a funding without {what} has no info:eu-repo/grantAgreement form; not written", title or key)
    parts = [key, programme or "", re.sub("/", "-", ids[0])]
    if title or acronym:
        parts += ["", (title or "").replace("/", "-"), (acronym or "").replace("/", "-")]
    return ctx.el(leaf(rule), "info:eu-repo/grantAgreement/" + "/".join(parts).rstrip("/"))
