"""Where the official XSDs come from: a folder the user names, or the user cache that
``crisbridge schemas fetch`` fills.

A schema folder is laid out like the official ``schemas/`` folder of the OpenAIRE Guidelines
for CRIS Managers: ``openaire-cerif-profile.xsd`` with ``includes/`` and ``vocabularies/``
beside it, and ``cached/`` holding the schemas it imports by absolute URL (``xml.xsd``) and the
OAI-PMH envelope schemas (``OAI-PMH.xsd``, ``oai-identifier.xsd``). ``catalog.xml`` (OASIS XML
catalog) maps the schema's published URLs to the local file; the validator uses it to answer
"which namespace does the schema at this URL declare" (CHECKS 2j) without the network.

The cache holds one such folder per profile version: ``<cache>/schemas/1.2/``,
``<cache>/schemas/1.1/``. The cache root is ``$CRISBRIDGE_CACHE_DIR``, else
``$XDG_CACHE_HOME/crisbridge``, else ``~/.cache/crisbridge``.

Fetching: ``{base}{version}/openaire-cerif-profile.xsd``, then every ``xs:include`` and
``xs:import`` it reaches, relative locations against the URL of the schema naming them. A
location outside the version folder (``http://www.w3.org/2001/xml.xsd``) is stored in
``cached/`` and looked for first in ``{base}{version}/cached/`` (the layout of the guidelines'
repository, and of any mirror of it); only when fetching from the official site (no ``--url``)
is it then taken from its own address. With ``--url`` nothing outside the mirror is contacted.
Downloaded schemas are parsed with the hardened settings of DESIGN 7 (no DTD, no entities).
"""

from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from crisbridge.errors import ConfigurationError
from crisbridge.validation.xsd import XSD_NAME, _LocalResolver

OFFICIAL_BASE_URL = "https://www.openaire.eu/schema/cris/"
VERSIONS = ("1.2", "1.1")
PROFILE_NAMESPACES = {"1.2": "https://www.openaire.eu/cerif-profile/1.2/", "1.1": "https://www.openaire.eu/cerif-profile/1.1/"}
VERSION_OF_NAMESPACE = {ns: v for v, ns in PROFILE_NAMESPACES.items()}
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
# The envelope schemas, stored in cached/ and fetched from their own address when no mirror has them.
ENVELOPE_SCHEMAS = {
    "OAI-PMH.xsd": "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
    "oai-identifier.xsd": "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd",
}
CATALOG_NS = "urn:oasis:names:tc:entity:xmlns:xml:catalog"
XS = "{http://www.w3.org/2001/XMLSchema}"
MAX_SCHEMA_BYTES = 8 * 1024 * 1024
TIMEOUT_SECONDS = 30


def cache_root() -> Path:
    explicit = os.environ.get("CRISBRIDGE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "crisbridge"


def cache_dir() -> Path:
    """Where ``schemas fetch`` puts the schemas: one folder per profile version."""
    return cache_root() / "schemas"


def official_url(version: str) -> str:
    return f"{OFFICIAL_BASE_URL}{version}/{XSD_NAME}"


# -- finding schema folders ---------------------------------------------------------------


def target_namespace(xsd: Path) -> str | None:
    try:
        root = etree.parse(str(xsd), _hardened()).getroot()
    except (OSError, etree.XMLSyntaxError):
        return None
    return root.get("targetNamespace")


def schema_dirs(xsd_dirs: list[Path] | None = None) -> dict[str, Path]:
    """Profile version -> schema folder. With ``xsd_dirs``: each folder is a schema folder
    itself, or holds schema folders below it (``reference/openaire-cris`` holds ``v1.2.0/schemas``
    and ``v1.1.1/schemas``); a folder with none is a configuration error. Without: the cache,
    which may be empty."""
    found: dict[str, Path] = {}
    if xsd_dirs:
        for folder in xsd_dirs:
            if not folder.is_dir():
                raise ConfigurationError(f"--xsd-dir {folder}: no such folder")
            candidates = [folder / XSD_NAME] if (folder / XSD_NAME).is_file() else sorted(folder.glob(f"*/{XSD_NAME}")) + sorted(folder.glob(f"*/*/{XSD_NAME}"))
            versions = {VERSION_OF_NAMESPACE.get(target_namespace(c) or ""): c.parent for c in candidates}
            versions.pop(None, None)
            if not versions:
                raise ConfigurationError(f"--xsd-dir {folder}: no {XSD_NAME} of profile 1.2 or 1.1 in it or in a folder below it")
            for version, path in versions.items():
                found.setdefault(str(version), path)
        return found
    for version in VERSIONS:
        candidate = cache_dir() / version
        if (candidate / XSD_NAME).is_file():
            found[version] = candidate
    return found


def local_schema(url: str, dirs: dict[str, Path]) -> Path | None:
    """The local copy of the schema published at ``url``, by the folders' ``catalog.xml``."""
    for folder in dirs.values():
        catalog = folder / "catalog.xml"
        if not catalog.is_file():
            continue
        try:
            root = etree.parse(str(catalog), _hardened()).getroot()
        except etree.XMLSyntaxError:
            continue
        for entry in root.iter(f"{{{CATALOG_NS}}}system"):
            if entry.get("systemId") == url and entry.get("uri"):
                local = (folder / str(entry.get("uri"))).resolve()
                if local.is_file():
                    return local
    return None


@lru_cache(maxsize=8)
def envelope_schema(schema_dir: Path) -> etree.XMLSchema | None:
    """OAI-PMH + oai-identifier + the profile in one schema, so that a whole response validates
    with its payloads (OAI-PMH's ``metadata`` and ``description`` take their content strictly).
    None when the folder's ``cached/`` lacks the OAI-PMH schemas."""
    folder = schema_dir.resolve()
    oai, ident, profile = folder / "cached" / "OAI-PMH.xsd", folder / "cached" / "oai-identifier.xsd", folder / XSD_NAME
    if not (oai.is_file() and ident.is_file() and profile.is_file()):
        return None
    wrapper = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        f'<xs:import namespace="{OAI_NS}" schemaLocation="{oai.as_uri()}"/>'
        f'<xs:import namespace="{OAI_IDENTIFIER_NS}" schemaLocation="{ident.as_uri()}"/>'
        f'<xs:import namespace="{target_namespace(profile)}" schemaLocation="{profile.as_uri()}"/>'
        "</xs:schema>"
    )
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalResolver(folder / "cached"))
    try:
        return etree.XMLSchema(etree.fromstring(wrapper.encode("utf-8"), parser, base_url=(folder / "envelope.xsd").as_uri()))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        raise ConfigurationError(f"{folder}: the OAI-PMH and profile schemas cannot be compiled together: {exc}") from None


def _hardened() -> etree.XMLParser:
    return etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False)


# -- fetching -----------------------------------------------------------------------------


@dataclass
class FetchedVersion:
    version: str
    folder: Path
    files: list[str] = field(default_factory=list)
    problem: str | None = None


@dataclass
class FetchResult:
    versions: list[FetchedVersion] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(v.problem is None for v in self.versions)


def fetch(base_url: str | None = None, dest: Path | None = None, versions: tuple[str, ...] = VERSIONS) -> FetchResult:
    """Download the profile schemas of each version into ``dest`` (the cache by default) and
    check that each compiles. A version that cannot be fetched is reported, not raised."""
    mirror = base_url is not None
    base = (base_url or OFFICIAL_BASE_URL).rstrip("/") + "/"
    if urllib.parse.urlsplit(base).scheme not in ("http", "https", "file"):
        raise ConfigurationError(f"--url {base_url}: not an http(s) or file URL")
    dest = dest or cache_dir()
    result = FetchResult()
    for version in versions:
        folder = dest / version
        item = FetchedVersion(version, folder)
        result.versions.append(item)
        staging = dest / f".{version}.partial"
        _clear(staging)
        try:
            _fetch_version(base, version, staging, mirror, item)
            _write_catalog(staging, version, f"{base}{version}/{XSD_NAME}")
            _compile_check(staging)
        except _FetchError as exc:
            item.problem = str(exc)
            _clear(staging)
            continue
        _clear(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(folder)
        envelope_schema.cache_clear()
    return result


class _FetchError(Exception):
    pass


def _fetch_version(base: str, version: str, staging: Path, mirror: bool, item: FetchedVersion) -> None:
    root_url = f"{base}{version}/"
    queue: list[tuple[str, Path]] = [(root_url + XSD_NAME, staging / XSD_NAME)]
    seen: set[str] = set()
    while queue:
        url, target = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        data = _get(url)
        try:
            doc = etree.fromstring(data, _hardened(), base_url=url)
        except etree.XMLSyntaxError as exc:
            raise _FetchError(f"{url}: not an XML schema ({exc})") from None
        if doc.tag != f"{XS}schema":
            raise _FetchError(f"{url}: not an XML schema (root {doc.tag})")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        item.files.append(str(target.relative_to(staging)))
        for ref in doc.iter(f"{XS}include", f"{XS}import", f"{XS}redefine"):
            location = ref.get("schemaLocation")
            if not location:
                continue
            absolute = urllib.parse.urljoin(url, location)
            if absolute.startswith(root_url) and "/../" not in absolute[len(root_url) - 1 :]:
                queue.append((absolute, staging / absolute[len(root_url):]))
            else:
                name = absolute.rsplit("/", 1)[-1]
                _fetch_cached(root_url, name, absolute, staging, mirror, item)
    for name, origin in ENVELOPE_SCHEMAS.items():
        _fetch_cached(root_url, name, origin, staging, mirror, item)


def _fetch_cached(root_url: str, name: str, origin: str, staging: Path, mirror: bool, item: FetchedVersion) -> None:
    target = staging / "cached" / name
    if target.exists():
        return
    sources = [f"{root_url}cached/{name}"] + ([] if mirror else [origin])
    problems = []
    for source in sources:
        try:
            data = _get(source)
        except _FetchError as exc:
            problems.append(str(exc))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        item.files.append(f"cached/{name}")
        return
    raise _FetchError(f"{name} (imported as {origin}) could not be fetched: {'; '.join(problems)}")


def _get(url: str) -> bytes:
    host = urllib.parse.urlsplit(url).hostname or ""
    handlers: list[Any] = []
    if host in ("127.0.0.1", "localhost", "::1"):
        handlers.append(urllib.request.ProxyHandler({}))  # a local mirror is never behind a proxy
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(url, timeout=TIMEOUT_SECONDS) as response:
            data: bytes = response.read(MAX_SCHEMA_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise _FetchError(f"{url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise _FetchError(f"{url}: {reason}") from None
    if len(data) > MAX_SCHEMA_BYTES:
        raise _FetchError(f"{url}: larger than {MAX_SCHEMA_BYTES} bytes; not a schema this bridge expects")
    return data


def _write_catalog(folder: Path, version: str, fetched_from: str) -> None:
    urls = dict.fromkeys([fetched_from, official_url(version)])
    entries = "".join(f'  <system systemId="{u}" uri="./{XSD_NAME}"/>\n' for u in urls)
    (folder / "catalog.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<catalog xmlns="{CATALOG_NS}">\n'
        f'  <public publicId="{PROFILE_NAMESPACES[version]}" uri="./{XSD_NAME}"/>\n{entries}</catalog>\n',
        encoding="utf-8",
    )


def _compile_check(folder: Path) -> None:
    from crisbridge.validation.xsd import profile_schema

    try:
        profile_schema.__wrapped__(folder)
    except ConfigurationError as exc:
        raise _FetchError(str(exc)) from None


def _clear(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)


__all__ = ["cache_dir", "envelope_schema", "fetch", "local_schema", "official_url", "schema_dirs", "target_namespace"]
