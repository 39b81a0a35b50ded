"""Protocol checks of the euroCRIS OpenAIRE CRIS validator (``validator/CHECKS.md``) on saved
OAI-PMH responses of a CRIS: Identify (1a-1d), ListMetadataFormats (2a-2k), ListSets (3), and
the envelope of ListRecords responses.

Each failed check is an issue whose code names the check (``protocol.2b``), so a report says
exactly which rule a response breaks. The table of supported OpenAIRE CRIS metadata schemas
(the validator's *TSOACMS*) is the two profile namespaces, 1.1 and 1.2.

Envelope slips of ListRecords responses (a ``request`` whose metadataPrefix is not
``oai_cerif_openaire...``, a set outside the nine, a record in another entity's set) are
warnings about the file, never faults of the entities in it: the official 1.2 samples have
exactly such slips around sound payloads (DESIGN 3).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crisbridge.issues import Issue, Location, Severity
from crisbridge.readers.cerif import is_entity, local_name, profile_version, text_of

OAI = "{http://www.openarchives.org/OAI/2.0/}"
OAI_IDENTIFIER = "{http://www.openarchives.org/OAI/2.0/oai-identifier}"
COMPATIBILITY_NS = "https://www.openaire.eu/cerif-profile/vocab/OpenAIRE_Service_Compatibility"
TSOACMS = {"https://www.openaire.eu/cerif-profile/1.1/": "1.1", "https://www.openaire.eu/cerif-profile/1.2/": "1.2"}
PREFIX_START = "oai_cerif_openaire"
NAMESPACE_START = "https://www.openaire.eu/cerif-profile/"
SCHEMA_LOCATION_START = "https://www.openaire.eu/schema/cris/"
SCHEMA_FILE = "openaire-cerif-profile.xsd"
# The nine sets of the guidelines ("OpenAIRE OAI-PMH Sets") with their names, and the entity each holds.
SETS = {
    "openaire_cris_publications": ("OpenAIRE_CRIS_publications", "Publication"),
    "openaire_cris_products": ("OpenAIRE_CRIS_products", "Product"),
    "openaire_cris_patents": ("OpenAIRE_CRIS_patents", "Patent"),
    "openaire_cris_persons": ("OpenAIRE_CRIS_persons", "Person"),
    "openaire_cris_orgunits": ("OpenAIRE_CRIS_orgunits", "OrgUnit"),
    "openaire_cris_projects": ("OpenAIRE_CRIS_projects", "Project"),
    "openaire_cris_funding": ("OpenAIRE_CRIS_funding", "Funding"),
    "openaire_cris_events": ("OpenAIRE_CRIS_events", "Event"),
    "openaire_cris_equipments": ("OpenAIRE_CRIS_equipments", "Equipment"),
}

SchemaLookup = Callable[[str], str | None]  # schema URL -> the targetNamespace of its local copy


def verb_of(root: Any) -> str | None:
    """``Identify``, ``ListRecords``... for an OAI-PMH response; ``error`` for an error-only one."""
    if root.tag != f"{OAI}OAI-PMH":
        return None
    for child in root:
        if isinstance(child.tag, str) and child.tag.startswith(OAI) and local_name(child) not in ("responseDate", "request"):
            return local_name(child)
    return None


def _issue(code: str, severity: Severity, message: str, file: str, el: Any = None) -> Issue:
    return Issue(code=code, severity=severity, message=message,
                 location=Location(file=file, line=el.sourceline if el is not None else None))


@dataclass
class IdentifyInfo:
    file: str
    repository_identifier: str | None = None
    base_url: str | None = None
    compatibilities: list[str] = field(default_factory=list)  # profile namespaces the Service claims


def check_identify(file: str, root: Any) -> tuple[list[Issue], IdentifyInfo]:
    """CHECKS 1a-1d."""
    issues: list[Issue] = []
    info = IdentifyInfo(file)
    identify = root.find(f"{OAI}Identify")
    services, identifiers = [], []
    for description in identify.findall(f"{OAI}description"):
        for child in description:
            if not isinstance(child.tag, str):
                continue
            if local_name(child) == "Service" and profile_version(child) is not None:
                services.append(child)
            elif child.tag == f"{OAI_IDENTIFIER}oai-identifier":
                identifiers.append(child)
    if len(services) != 1:
        issues.append(_issue("protocol.1a", Severity.ERROR, f"{file}: the Identify response has {len(services)} description elements with a "
                             "Service of a supported OpenAIRE CRIS namespace; exactly one is required (CHECKS 1a)", file, identify))
    if len(identifiers) != 1:
        issues.append(_issue("protocol.1b", Severity.ERROR, f"{file}: the Identify response has {len(identifiers)} description elements with an "
                             "oai-identifier; exactly one is required (CHECKS 1b)", file, identify))
    if identifiers:
        info.repository_identifier = (identifiers[0].findtext(f"{OAI_IDENTIFIER}repositoryIdentifier") or "").strip() or None
    if services:
        service = services[0]
        acronym = next((text_of(c) for c in service if isinstance(c.tag, str) and local_name(c) == "Acronym"), None)
        if identifiers and acronym != info.repository_identifier:
            issues.append(_issue("protocol.1c", Severity.ERROR, f"{file}: Service/Acronym {acronym!r} is not the repositoryIdentifier "
                                 f"{info.repository_identifier!r} of the oai-identifier (CHECKS 1c)", file, service))
        for c in service:
            if isinstance(c.tag, str) and c.tag == f"{{{COMPATIBILITY_NS}}}Compatibility":
                version = text_of(c).rpartition("#")[2]
                info.compatibilities.append(f"{NAMESPACE_START}{version}/")
    info.base_url = (identify.findtext(f"{OAI}baseURL") or "").strip() or None
    requested = (root.findtext(f"{OAI}request") or "").strip() or None
    if info.base_url and requested and info.base_url != requested:
        # the CRIS's base URL is not known offline; the URL the response says it answered is the nearest witness
        issues.append(_issue("protocol.1d", Severity.WARNING, f"{file}: baseURL {info.base_url} is not the URL the response was "
                             f"requested from ({requested}); they are equal for a CRIS that passes CHECKS 1d", file, identify))
    return issues, info


def check_metadata_formats(file: str, root: Any, identify: IdentifyInfo | None, lookup: SchemaLookup) -> list[Issue]:
    """CHECKS 2a-2k."""
    issues: list[Issue] = []
    formats = []
    for mf in root.iter(f"{OAI}metadataFormat"):
        formats.append((mf, (mf.findtext(f"{OAI}metadataPrefix") or "").strip(), (mf.findtext(f"{OAI}schema") or "").strip(),
                        (mf.findtext(f"{OAI}metadataNamespace") or "").strip()))

    def add(code: str, message: str, el: Any, severity: Severity = Severity.ERROR) -> None:
        issues.append(_issue(code, severity, f"{file}: {message} (CHECKS {code.split('.')[1]})", file, el))

    if not any(prefix.startswith(PREFIX_START) for _, prefix, _, _ in formats):
        add("protocol.2a", f"no metadata prefix starts with {PREFIX_START}", root)
    for position, label in ((1, "metadata prefix"), (3, "XML namespace"), (2, "schema location")):
        code = {1: "protocol.2d", 3: "protocol.2e", 2: "protocol.2f"}[position]
        for value, count in Counter(f[position] for f in formats).items():
            if count > 1:
                add(code, f"the {label} {value} is advertised {count} times; they are unique", root)
    for mf, prefix, schema, ns in formats:
        cerif_ns = ns.startswith(NAMESPACE_START)
        if prefix.startswith(PREFIX_START) and not cerif_ns:
            add("protocol.2b", f"metadata prefix {prefix} has namespace {ns}, which does not start with {NAMESPACE_START}", mf)
        if cerif_ns and not prefix.startswith(PREFIX_START):
            add("protocol.2c", f"namespace {ns} is advertised under prefix {prefix}, which does not start with {PREFIX_START}", mf)
        if not cerif_ns:
            continue
        if ns not in TSOACMS:
            add("protocol.2g", f"namespace {ns} is not an OpenAIRE CRIS profile the validator knows ({', '.join(TSOACMS)})", mf)
        if not schema.startswith(SCHEMA_LOCATION_START):
            add("protocol.2h", f"the schema of {ns} is at {schema}, not under {SCHEMA_LOCATION_START}", mf)
        if schema.rsplit("/", 1)[-1] != SCHEMA_FILE:
            add("protocol.2i", f"the schema of {ns} is at {schema}, whose file name is not {SCHEMA_FILE}", mf)
        target = lookup(schema) if schema else None
        if target is None:
            add("protocol.2j", f"the schema at {schema} has no local copy; its targetNamespace is not checked offline", mf, Severity.INFO)
        elif target != ns:
            add("protocol.2j", f"the schema at {schema} declares targetNamespace {target}, not the advertised {ns}", mf)
    if identify is not None:
        advertised = {ns for _, _, _, ns in formats}
        for ns in identify.compatibilities:
            if ns not in advertised:
                add("protocol.2k", f"the Identify response ({identify.file}) claims compatibility with {ns}, which no metadata format advertises", root)
    return issues


def check_sets(file: str, root: Any) -> list[Issue]:
    """CHECKS 3: the nine sets, each once, with its name."""
    issues: list[Issue] = []
    sets = [(s, (s.findtext(f"{OAI}setSpec") or "").strip(), (s.findtext(f"{OAI}setName") or "").strip()) for s in root.iter(f"{OAI}set")]
    specs = Counter(spec for _, spec, _ in sets)
    for spec, (name, _) in SETS.items():
        if spec not in specs:
            issues.append(_issue("protocol.3", Severity.ERROR, f"{file}: set {spec} is missing; the guidelines require all nine sets (CHECKS 3)", file, root))
    for el, spec, name in sets:
        if specs[spec] > 1:
            issues.append(_issue("protocol.3", Severity.ERROR, f"{file}: set {spec} is listed {specs[spec]} times; setSpecs are unique (CHECKS 3)", file, el))
            specs[spec] = 1
        if spec in SETS and name != SETS[spec][0]:
            issues.append(_issue("protocol.3-set-name", Severity.WARNING, f"{file}: set {spec} is named {name!r}, the guidelines name it {SETS[spec][0]!r}", file, el))
    return issues


def _metadata_prefix(version: str) -> str:
    """The metadataPrefix of a profile version, as its profile file names it (and the
    ListRecords writer writes it): ``oai_cerif_openaire_v1_1`` for 1.1."""
    from crisbridge.mapping.registry import profile

    return profile(version).metadata_prefix


def check_envelope(file: str, root: Any) -> list[Issue]:
    """Slips in a ListRecords/GetRecord envelope: warnings about the file (DESIGN 3)."""
    issues: list[Issue] = []
    request = root.find(f"{OAI}request")
    versions = Counter(profile_version(p) for p in _payloads(root))
    payload_version = versions.most_common(1)[0][0] if versions else None
    if request is not None:
        prefix = request.get("metadataPrefix")
        if prefix is not None and not prefix.startswith(PREFIX_START):
            # the example is the prefix of the version the records are in (the profile file's),
            # not always 1.2's: a 1.1 feed is not to be moved to another version's prefix
            example = _metadata_prefix(payload_version or "1.2")
            issues.append(_issue("oai.request-prefix", Severity.WARNING, f"{file}: the request names metadataPrefix {prefix!r}; "
                                 f"OpenAIRE harvests CERIF under a prefix starting with {PREFIX_START} (e.g. {example})", file, request))
        elif prefix is not None and payload_version and prefix.startswith(PREFIX_START + "_v") and prefix != _metadata_prefix(payload_version):
            issues.append(_issue("oai.request-prefix", Severity.WARNING, f"{file}: the request names metadataPrefix {prefix!r} but the "
                                 f"records are CERIF {payload_version}", file, request))
        requested_set = request.get("set")
        if requested_set is not None and requested_set not in SETS:
            issues.append(_issue("oai.unknown-set", Severity.WARNING, f"{file}: the request names set {requested_set!r}, not one of the "
                                 f"nine OpenAIRE CRIS sets", file, request))
    unknown: Counter[str] = Counter()
    mismatched: Counter[tuple[str, str]] = Counter()
    for record in root.iter(f"{OAI}record"):
        payload = next(iter(_payloads(record)), None)
        for spec_el in record.iter(f"{OAI}setSpec"):
            spec = (spec_el.text or "").strip()
            if spec not in SETS:
                unknown[spec] += 1
            elif payload is not None and SETS[spec][1] != local_name(payload):
                mismatched[(spec, local_name(payload))] += 1
    for spec, count in unknown.items():
        issues.append(_issue("oai.unknown-set", Severity.WARNING, f"{file}: {count} records are in set {spec!r}, not one of the nine "
                             "OpenAIRE CRIS sets", file))
    for (spec, kind), count in mismatched.items():
        issues.append(_issue("oai.set-mismatch", Severity.WARNING, f"{file}: {count} {kind} records are in set {spec}, which holds "
                             f"{SETS[spec][1]} records", file))
    return issues


def _payloads(root: Any) -> list[Any]:
    return [el for md in root.iter(f"{OAI}metadata") for el in md if isinstance(el.tag, str) and is_entity(el)]


__all__ = ["IdentifyInfo", "SETS", "check_envelope", "check_identify", "check_metadata_formats", "check_sets", "verb_of"]
