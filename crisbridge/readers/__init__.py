"""Reading inputs into source records, streaming.

A document holds one record (an ``oai_dc:dc``, a DataCite ``resource``, an
``oaire:resource``) or an OAI-PMH response with many, deleted headers included. Documents
are read with ``lxml.etree.iterparse`` and each OAI-PMH ``record`` is cleared once used, so
memory stays flat however long the response is. The format of each record is decided by its
root element (``--from auto``).

Parsing is hardened (DESIGN section 7): no DTD loading, no entity expansion, no network,
libxml2's default size limits. A document that declares entities, or that is not
well-formed, fails alone with an issue naming the file.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from crisbridge.issues import Issue, Location, Severity

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_RECORD = f"{{{OAI_NS}}}record"
OAI_ROOT = f"{{{OAI_NS}}}OAI-PMH"
OAI_ERROR = f"{{{OAI_NS}}}error"
OAI_TOKEN = f"{{{OAI_NS}}}resumptionToken"
OAI_HEADER = f"{{{OAI_NS}}}header"
OAI_METADATA = f"{{{OAI_NS}}}metadata"
OAI_IDENTIFIER = f"{{{OAI_NS}}}identifier"
OAI_DATESTAMP = f"{{{OAI_NS}}}datestamp"
OAI_SET_SPEC = f"{{{OAI_NS}}}setSpec"
DATACITE_WRAPPERS = ("http://schema.datacite.org/oai/oai-1.0/", "http://schema.datacite.org/oai/oai-1.1/")
CERIF_NAMESPACES = ("https://www.openaire.eu/cerif-profile/1.2/", "https://www.openaire.eu/cerif-profile/1.1/")

# Root element of a record payload -> source format. Explicit, in one place.
FORMAT_BY_ROOT: dict[str, str] = {
    "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc": "oai_dc",
    "{http://namespace.openaire.eu/schema/oaire/}resource": "oai_openaire",
    "resource": "datacite",  # un-namespaced DataCite (old records and some fixtures)
}
SOURCE_FORMATS = ("oai_dc", "datacite", "oai_openaire", "cerif")


def format_of(root: Any) -> str | None:
    tag = root.tag
    if not isinstance(tag, str):
        return None
    found = FORMAT_BY_ROOT.get(tag)
    if found:
        return found
    if tag.startswith("{http://datacite.org/schema/kernel-") and tag.endswith("}resource"):
        return "datacite"
    ns = tag[1 : tag.index("}")] if tag[0] == "{" else ""
    if ns in DATACITE_WRAPPERS:
        return "datacite"
    if ns in CERIF_NAMESPACES:
        return "cerif"
    return None


def _wrong_format(payload: Any, forced_format: str, source: str, record: str | None) -> Issue | None:
    """An error when ``--from`` names a format and the record's root is clearly another one the
    bridge knows: a Dublin Core record read as DataCite would only fail for want of a title."""
    if forced_format == "auto":
        return None
    found = format_of(payload)
    if found is None or found == forced_format:
        return None
    which = f"record {record}: " if record else ""
    return Issue(code="input.wrong-format", severity=Severity.ERROR,
                 message=f"{source}: {which}--from {forced_format} was given, but the root element {payload.tag} is {found}, not {forced_format}",
                 location=Location(file=source, record=record, line=payload.sourceline))


def unwrap(root: Any) -> Any:
    """The DataCite ``resource`` inside an ``oai_datacite`` wrapper; any other root as is."""
    tag = root.tag
    if isinstance(tag, str) and tag[0] == "{" and tag[1 : tag.index("}")] in DATACITE_WRAPPERS:
        for el in root.iter():
            if isinstance(el.tag, str) and el.tag.endswith("}resource") or el.tag == "resource":
                if el is not root:
                    return el
    return root


@dataclass(slots=True)
class SourceRecord:
    """One record as read: its payload element (or the reason there is none)."""

    source: str
    position: int
    oai_identifier: str | None = None
    datestamp: str | None = None
    set_specs: list[str] = field(default_factory=list)
    deleted: bool = False
    payload: Any = None
    format: str | None = None
    problem: Issue | None = None
    notes: list[Issue] = field(default_factory=list)


def _parser_kwargs() -> dict[str, Any]:
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
    }


def _fail(source: str, position: int, code: str, message: str, line: int | None = None) -> SourceRecord:
    return SourceRecord(
        source=source,
        position=position,
        problem=Issue(code=code, severity=Severity.ERROR, message=message, location=Location(file=source, line=line)),
    )


# The OAI-PMH elements the reader acts on. lxml raises parse events for these only (the tag
# filter runs in C), so the elements inside each record cost nothing on the Python side.
_EVENT_TAGS = (OAI_ROOT, OAI_RECORD, OAI_ERROR, OAI_TOKEN)


def _refused(source: str, root: Any) -> SourceRecord | None:
    """The failed record for a document refused for its DTD (DESIGN 7), or None."""
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        return _fail(source, 1, "xml.entity-declared", f"{source}: the document declares XML entities; they are refused for safety (DESIGN 7)", 1)
    if docinfo.system_url or docinfo.public_id:
        # An external DTD subset is never loaded; a document that needs one to be
        # read as its author meant (defaults, entities) is refused, not half-read.
        where = docinfo.system_url or docinfo.public_id
        return _fail(source, 1, "xml.external-dtd", f"{source}: the document names an external DTD ({where}); it is not loaded and the document is refused for safety (DESIGN 7)", 1)
    return None


def _refused_before_break(source: str, stream: BinaryIO | str, start: int | None) -> SourceRecord | None:
    """For a document that is not well-formed, whether it was to be refused for its DTD on
    reaching its root element, as a document that is not OAI-PMH is refused before anything
    else is said about it. The document is read again from its start up to the root; this
    runs only for broken documents, which is what lets the main loop take events for
    OAI-PMH elements only."""
    if not isinstance(stream, str):
        if start is None:
            return None
        try:
            stream.seek(start)
        except (OSError, ValueError):
            return None
    try:
        for _, el in etree.iterparse(stream, events=("start",), **_parser_kwargs()):
            return _refused(source, el)
    except etree.XMLSyntaxError:
        pass
    return None


def _tell(stream: BinaryIO | str) -> int | None:
    if isinstance(stream, str):
        return None
    try:
        return stream.tell() if stream.seekable() else None
    except (AttributeError, OSError, ValueError):
        return None


def read_records(source: str, stream: BinaryIO | str, forced_format: str = "auto") -> Iterator[SourceRecord]:
    """Every record of one document, in order; a broken document yields a failed record
    after the records that came before the break."""
    position = 0
    start = _tell(stream)
    context = etree.iterparse(stream, events=("start", "end"), tag=_EVENT_TAGS, **_parser_kwargs())
    is_oai = decided = False
    try:
        for event, el in context:
            if not is_oai:
                # An OAI-PMH response's first event is its root's start; any other first
                # event is an OAI-PMH element inside some other document, which is ignored.
                if not decided:
                    decided = True
                    if event == "start" and el.getparent() is None and el.tag == OAI_ROOT:
                        refusal = _refused(source, el)
                        if refusal is not None:
                            yield refusal
                            return
                        is_oai = True
                continue
            if event != "end":
                continue
            tag = el.tag
            if tag == OAI_RECORD:
                position += 1
                yield _oai_record(source, position, el, forced_format)
                el.clear()
                parent = el.getparent()
                while el.getprevious() is not None and parent is not None:
                    del parent[0]
            elif tag == OAI_ERROR:
                position += 1
                code = el.get("code") or "error"
                note = Issue(code="oai.error", severity=Severity.INFO if code == "noRecordsMatch" else Severity.WARNING,
                             message=f"{source}: the OAI-PMH response holds an error ({code}): {(el.text or '').strip()}",
                             location=Location(file=source, line=el.sourceline))
                yield SourceRecord(source=source, position=position, notes=[note], problem=None, payload=None, format="oai-error")
            elif tag == OAI_TOKEN and (el.text or "").strip():
                note = Issue(code="oai.resumption-token", severity=Severity.INFO,
                             message=f"{source}: the response continues under resumption token {el.text.strip()!r}; only the records in this file are read",
                             location=Location(file=source, line=el.sourceline))
                position += 1
                yield SourceRecord(source=source, position=position, notes=[note], format="oai-note")
    except etree.XMLSyntaxError as exc:
        refusal = None if is_oai else _refused_before_break(source, stream, start)
        if refusal is not None:
            yield refusal
            return
        position += 1
        line = exc.lineno if hasattr(exc, "lineno") else None
        yield _fail(source, position, "xml.not-well-formed", f"{source}: not well-formed XML (line {line}): {exc.msg if hasattr(exc, 'msg') else exc}", line)
        return
    if is_oai:
        return
    root = context.root
    if root is None:
        yield _fail(source, 1, "xml.empty", f"{source}: the document is empty")
        return
    refusal = _refused(source, root)
    if refusal is not None:
        yield refusal
        return
    payload = unwrap(root)
    fmt = format_of(payload) if forced_format == "auto" else forced_format
    rec = SourceRecord(source=source, position=1, payload=payload, format=fmt)
    rec.problem = _wrong_format(payload, forced_format, source, None)
    if fmt is None:
        rec.problem = Issue(code="input.unknown-format", severity=Severity.ERROR,
                            message=f"{source}: root element {payload.tag} is not a format the bridge reads ({', '.join(SOURCE_FORMATS)})",
                            location=Location(file=source, line=payload.sourceline))
    yield rec


def _oai_record(source: str, position: int, record: Any, forced_format: str) -> SourceRecord:
    rec = SourceRecord(source=source, position=position)
    # the first header and the first metadata, read by walking the children once
    header = metadata = None
    for child in record:
        tag = child.tag
        if tag == OAI_HEADER:
            if header is None:
                header = child
        elif tag == OAI_METADATA and metadata is None:
            metadata = child
    if header is not None:
        identifier = datestamp = None
        for child in header:
            tag = child.tag
            if tag == OAI_IDENTIFIER:
                if identifier is None:
                    identifier = child.text or ""
            elif tag == OAI_DATESTAMP:
                if datestamp is None:
                    datestamp = child.text or ""
            elif tag == OAI_SET_SPEC:
                rec.set_specs.append((child.text or "").strip())
        rec.oai_identifier = identifier.strip() or None if identifier else None
        rec.datestamp = datestamp.strip() or None if datestamp else None
        rec.deleted = header.get("status") == "deleted"
    payload = None
    if metadata is not None:
        for child in metadata:
            if isinstance(child.tag, str):
                payload = child
                break
    if rec.deleted:
        # Zenodo sends deleted headers with the full metadata: keep it, it tells the entity type
        if payload is not None:
            rec.payload = unwrap(payload)
            rec.format = format_of(rec.payload) if forced_format == "auto" else forced_format
        return rec
    if payload is None:
        rec.problem = Issue(code="oai.no-metadata", severity=Severity.ERROR,
                            message=f"{source}: record {rec.oai_identifier} has no metadata and is not marked deleted",
                            location=Location(file=source, record=rec.oai_identifier, line=record.sourceline))
        return rec
    payload = unwrap(payload)
    rec.payload = payload
    rec.format = format_of(payload) if forced_format == "auto" else forced_format
    rec.problem = _wrong_format(payload, forced_format, source, rec.oai_identifier)
    if rec.format is None:
        rec.problem = Issue(code="input.unknown-format", severity=Severity.ERROR,
                            message=f"{source}: record {rec.oai_identifier}: metadata root {payload.tag} is not a format the bridge reads",
                            location=Location(file=source, record=rec.oai_identifier, line=payload.sourceline))
    return rec


def expand_inputs(inputs: Iterable[str]) -> Iterator[tuple[str, Path | None]]:
    """(name, path) for every input: files as given, every ``*.xml`` below a folder in sorted
    order, and ``-`` for standard input (path None)."""
    for item in inputs:
        if item == "-":
            yield "<stdin>", None
            continue
        path = Path(item)
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*.xml") if p.is_file()):
                yield str(found), found
        else:
            yield str(path), path


def open_input(name: str, path: Path | None) -> BinaryIO:
    if path is None:
        return io.BytesIO(sys.stdin.buffer.read())
    return path.open("rb")


def read_inputs(inputs: Iterable[str], forced_format: str = "auto") -> Iterator[SourceRecord]:
    for name, path in expand_inputs(inputs):
        if path is not None and not path.exists():
            yield _fail(name, 1, "input.missing", f"{name}: no such file or folder")
            continue
        try:
            stream = open_input(name, path)
        except OSError as exc:
            yield _fail(name, 1, "input.unreadable", f"{name}: cannot be read: {exc.strerror}")
            continue
        with stream:
            yield from read_records(name, stream, forced_format)
