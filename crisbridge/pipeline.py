"""Conversion of source records into CERIF entities: the library's main entry points.

    >>> from crisbridge import Converter
    >>> result = Converter().convert_one(Path("record.xml"))
    >>> result.status, result.entities[0].id, result.xml

A ``Converter`` holds the compiled mappings and the writer; it is cheap to call per record
and safe to reuse. ``convert`` streams results for many inputs.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from crisbridge.issues import Issue, Location, Severity
from crisbridge.mapping import registry
from crisbridge.mapping.build import build_output, entity_id
from crisbridge.mapping.context import Context
from crisbridge.model import (
    EntityKind,
    Equipment,
    Event,
    Funding,
    OrgUnit,
    Person,
    Project,
    ResearchOutput,
)
from crisbridge.readers import SourceRecord, read_inputs, read_records
from crisbridge.report import RecordReport, Status
from crisbridge.writers.cerif import CerifWriter

# The writer's own bytes, parsed back when a caller asks for the element: no size limit (the
# text was built, not received), nothing to resolve.
_OWN_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class EntityOutput:
    """One top-level entity written from a record: its XML as bytes (``xml``) and as an lxml
    element (``element``). The CERIF writer gives bytes, which is all the command line needs;
    the element is parsed from them the first time it is asked for. Once it has been, ``xml``
    serialises the element, so a change made to it shows in both."""

    __slots__ = ("_element", "_xml", "entity", "id", "kind")

    def __init__(self, id: str, kind: EntityKind, entity: ResearchOutput | Person | OrgUnit | Project | Funding | Event | Equipment, element: Any = None, xml: bytes | None = None) -> None:
        if element is None and xml is None:
            raise ValueError("an EntityOutput needs its element or its XML")
        self.id = id
        self.kind = kind
        self.entity = entity
        self._element = element
        self._xml = xml

    @property
    def element(self) -> Any:
        """The entity as an lxml element (in the profile namespace, for CERIF)."""
        if self._element is None:
            self._element = etree.fromstring(self._xml, _OWN_XML)
        return self._element

    @property
    def xml(self) -> bytes:
        """The entity's XML, UTF-8, without an XML declaration."""
        if self._element is not None:
            data: bytes = etree.tostring(self._element, encoding="utf-8")
            return data
        assert self._xml is not None
        return self._xml

    def __repr__(self) -> str:
        return f"EntityOutput(id={self.id!r}, kind={self.kind!r})"


@dataclass(slots=True)
class RecordResult:
    """What became of one source record."""

    source: str
    source_id: str | None
    status: Status
    oai_identifier: str | None = None
    datestamp: str | None = None
    entities: list[EntityOutput] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    deleted_ids: list[str] = field(default_factory=list)

    @property
    def xml(self) -> bytes:
        """The CERIF XML of the record's first entity (empty when none was written)."""
        return self.entities[0].xml if self.entities else b""

    def report(self) -> RecordReport:
        return RecordReport(
            source=self.source,
            source_id=self.source_id,
            status=self.status,
            entities=[e.id for e in self.entities] or list(self.deleted_ids),
            issues=list(self.issues),
        )


_DECLARED_ENCODING = re.compile(r"""^(\ufeff?\s*<\?xml\s[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")


def _utf8_document(text: str) -> bytes:
    """A str is already decoded, so the encoding its XML declaration names no longer describes
    it: it is handed to the parser as UTF-8, and the declaration is made to say so."""
    return _DECLARED_ENCODING.sub(r"\1\2UTF-8\2", text, count=1).encode("utf-8")


def _names_a_file(text: str) -> bool:
    """Whether a str handed to convert_one is a file name rather than XML: it does not start
    with "<" (after whitespace) and an existing file has that name (spaces around it aside)."""
    name = text.strip()
    if name.startswith("<") or "\n" in name or not name or len(name) > 4096:
        return False
    try:
        return Path(name).is_file()
    except (OSError, ValueError):  # a name too long for the system, a NUL byte
        return False


def _refuse_rules_that_cannot_work(mapping_files: tuple[Path, ...]) -> None:
    """Override files are loaded and compiled (a broken one raises, with its file and line), and
    an override whose rule can never give a value (``dc:titel``, a lookup without a table)
    would convert every record as if the rule were absent: refused like a file that does not
    load, with the first such finding (``crisbridge mappings check`` lists them all, and
    the warnings, which do not stop a run)."""
    from crisbridge.errors import MappingError
    from crisbridge.mapping import lint

    first = next(lint.errors(lint.check(mapping_files)), None)
    if first is not None:
        rule = f"rule {first.where.rule!r}" if first.where.rule else "an unnamed rule"
        raise MappingError(first.where.file, first.where.line, f"{rule}: {first.message} [{first.code}]; `crisbridge mappings check` lists every finding")


class Converter:
    """Source records -> CERIF entities, with one compiled mapping per source format."""

    def __init__(
        self,
        cerif_version: str = "1.2",
        mapping_files: Iterable[Path] = (),
        source_format: str = "auto",
    ) -> None:
        self.cerif_version = cerif_version
        self.mapping_files = tuple(Path(p) for p in mapping_files)
        if self.mapping_files:
            # loads and compiles each override (registry.check_overrides), then lints them
            _refuse_rules_that_cannot_work(self.mapping_files)
        self.source_format = source_format
        self.writer = CerifWriter(cerif_version)
        # The entity kind is decided with the current profile's type lists (1.2); the writer
        # narrows the type for an older version.
        self.kind_profile = registry.profile("1.2")

    # -- entry points -------------------------------------------------------------------

    def convert(self, inputs: Iterable[str | Path]) -> Iterator[RecordResult | Issue]:
        """Results for every record of every input (files, folders, ``-``); an ``Issue`` is
        yielded for notes about a file (a resumption token, an OAI-PMH error)."""
        for rec in read_inputs([str(i) for i in inputs], self.source_format):
            yield from self._result_or_notes(rec)

    def convert_one(self, data: bytes | str | Path | Any, source: str = "<record>") -> RecordResult:
        """Convert one record given as bytes, an XML string, a path or an lxml element. Given a
        document of several records (a ListRecords response) it converts the first and says
        so in an ``input.more-records`` warning; ``convert`` gives them all."""
        if isinstance(data, Path):
            source = str(data) if source == "<record>" else source
            try:
                stream: Any = data.open("rb")
            except OSError as exc:
                issue = Issue(code="input.unreadable", severity=Severity.ERROR, message=f"{source}: cannot be read: {exc.strerror}", location=Location(file=source))
                return RecordResult(source, None, Status.FAILED, issues=[issue])
        elif isinstance(data, bytes):
            stream = io.BytesIO(data)
        elif isinstance(data, str):
            if _names_a_file(data):
                issue = Issue(code="xml.not-well-formed", severity=Severity.ERROR, location=Location(file=source),
                              message=f"{source}: the str given is not XML but the name of a file ({data!r}): a str is "
                                      "read as XML text; pass Path(...) for a file")
                return RecordResult(source, None, Status.FAILED, issues=[issue])
            stream = io.BytesIO(_utf8_document(data))
        else:
            from crisbridge.readers import format_of, unwrap

            payload = unwrap(data)
            fmt = format_of(payload) if self.source_format == "auto" else self.source_format
            return self.convert_record(SourceRecord(source=source, position=1, payload=payload, format=fmt))
        try:
            result: RecordResult | None = None
            more = 0
            for rec in read_records(source, stream, self.source_format):
                if rec.format in ("oai-note", "oai-error"):
                    continue
                if result is None:
                    result = self.convert_record(rec)
                else:
                    more += 1  # read to the end, so the warning can say how many were left
        finally:
            stream.close()
        if result is not None:
            if more:
                result.issues.append(Issue(
                    code="input.more-records", severity=Severity.WARNING, location=Location(file=source, record=result.source_id),
                    message=f"{source}: the document holds {more + 1} records; convert_one converted the first only (Converter.convert gives every record)",
                ))
            return result
        return RecordResult(source, None, Status.FAILED, issues=[Issue(code="input.no-record", severity=Severity.ERROR, message=f"{source}: no record found", location=Location(file=source))])

    def iter_bytes(self, records: Iterable[tuple[str, bytes]]) -> Iterator[RecordResult | Issue]:
        """Results for (source name, document bytes) pairs; used by the parallel workers."""
        for name, data in records:
            for rec in read_records(name, io.BytesIO(data), self.source_format):
                yield from self._result_or_notes(rec)

    # -- one record ---------------------------------------------------------------------

    def _result_or_notes(self, rec: SourceRecord) -> Iterator[RecordResult | Issue]:
        if rec.format in ("oai-note", "oai-error"):
            yield from rec.notes
            return
        yield self.convert_record(rec)

    def convert_record(self, rec: SourceRecord) -> RecordResult:
        if rec.problem is not None:
            return RecordResult(rec.source, rec.oai_identifier, Status.FAILED, rec.oai_identifier, rec.datestamp, issues=[rec.problem])
        if rec.deleted:
            return self._deleted(rec)
        if rec.format == "cerif":
            return self._rewrite_cerif(rec)
        if rec.format is None:
            # an element handed to convert_one whose root no reader knows
            tag = rec.payload.tag if rec.payload is not None else None
            issue = Issue(code="input.unknown-format", severity=Severity.ERROR,
                          message=f"{rec.source}: root element {tag} is not a format the bridge reads",
                          location=Location(file=rec.source, record=rec.oai_identifier))
            return RecordResult(rec.source, rec.oai_identifier, Status.FAILED, rec.oai_identifier, rec.datestamp, issues=[issue])
        entity, map_issues, source_id = self.map_record(rec)
        if entity is None:
            return RecordResult(rec.source, source_id, Status.FAILED, rec.oai_identifier, rec.datestamp, issues=map_issues)
        xml, write_issues = self.writer.write_bytes(entity, record=source_id, file=rec.source)
        issues = map_issues + write_issues
        kind = EntityKind(entity.entity)  # type: ignore[attr-defined]
        assert entity.id is not None
        return RecordResult(rec.source, source_id, Status.CONVERTED, rec.oai_identifier, rec.datestamp,
                            entities=[EntityOutput(entity.id, kind, entity, xml=xml)], issues=issues)

    def _rewrite_cerif(self, rec: SourceRecord) -> RecordResult:
        """A CERIF entity (profile 1.1 or 1.2) read into the model and written again in the
        requested version. The entity keeps its id: it is the CRIS's own, and the other
        records' references point at it. What the reader has no place for (``cerif.not-read``)
        and what the target version cannot hold (``cerif.no-slot``, ``cerif.type-generalised``,
        ...) are the record's issues, as for any other source."""
        from crisbridge.readers.cerif import read_entity

        entity, issues = read_entity(rec.payload, rec.source, rec.oai_identifier)
        entity_id = getattr(entity, "id", None) if entity is not None else None
        source_id = rec.oai_identifier or entity_id or f"{rec.source}#{rec.position}"
        if entity is None:
            return RecordResult(rec.source, source_id, Status.FAILED, rec.oai_identifier, rec.datestamp, issues=issues)
        if not entity_id:
            # the profile's guidelines make @id mandatory; the XSD does not
            issues.append(Issue(code="cerif.no-id", severity=Severity.ERROR,
                                message=f"{rec.source}: the {entity.entity} has no @id, which every top-level entity needs; not written",
                                location=Location(file=rec.source, record=source_id, line=rec.payload.sourceline)))
            return RecordResult(rec.source, source_id, Status.FAILED, rec.oai_identifier, rec.datestamp, issues=issues)
        xml, write_issues = self.writer.write_bytes(entity, record=source_id, file=rec.source)
        kind = EntityKind(entity.entity)
        return RecordResult(rec.source, source_id, Status.CONVERTED, rec.oai_identifier, rec.datestamp,
                            entities=[EntityOutput(cerif_oai_id(kind, entity_id), kind, entity, xml=xml)], issues=issues + write_issues)

    def map_record(self, rec: SourceRecord) -> tuple[ResearchOutput | None, list[Issue], str]:
        """A record of a mapped source format (not CERIF) -> its model entity (None when it
        cannot be one), the mapping's issues and the record's source id. Every writer starts
        from here: CERIF, RDF, and the repository formats (``crisbridge.writers.repository``)."""
        mapping = registry.compiled(str(rec.format), self.mapping_files)
        root = rec.payload
        source_id = rec.oai_identifier or mapping.source_id(root) or f"{rec.source}#{rec.position}"
        ctx = Context(rec.source, source_id, root)
        mapping.apply(root, ctx)
        return build_output(ctx, mapping, self.kind_profile, source_id), ctx.issues, source_id

    def _deleted(self, rec: SourceRecord) -> RecordResult:
        """A deleted source record becomes a deleted header, under the id its entity had. When
        the header comes with metadata (Zenodo does this) the metadata says the entity type;
        without it the type is unknown, Publications/ is assumed, and the report says so."""
        key = rec.oai_identifier or f"{rec.source}#{rec.position}"
        cerif = _deleted_cerif_entity(rec)
        if cerif is not None:
            cerif_kind, kept_id = cerif
            issue = Issue(code="oai.deleted", severity=Severity.INFO, location=Location(file=rec.source, record=rec.oai_identifier),
                          message=f"deleted in the source; written as a deleted header of the {cerif_kind.value}, under its own id")
            return RecordResult(rec.source, key, Status.DELETED, rec.oai_identifier, rec.datestamp, issues=[issue], deleted_ids=[kept_id])
        kind = self._kind_of_deleted(rec, key)
        if kind is None:
            kind = EntityKind.PUBLICATION
            message = "deleted in the source; written as a deleted header (its entity type is unknown without metadata: Publications/ assumed)"
        else:
            message = f"deleted in the source; written as a deleted header of the {kind.value} its metadata describes"
        issue = Issue(code="oai.deleted", severity=Severity.INFO, message=message,
                      location=Location(file=rec.source, record=rec.oai_identifier))
        return RecordResult(rec.source, key, Status.DELETED, rec.oai_identifier, rec.datestamp,
                            issues=[issue], deleted_ids=[entity_id(kind, key)])

    def _kind_of_deleted(self, rec: SourceRecord, key: str) -> EntityKind | None:
        if rec.payload is None or rec.format not in registry.SHIPPED:
            return None
        ctx = Context(rec.source, key, rec.payload)
        mapping = registry.compiled(rec.format, self.mapping_files)
        mapping.apply(rec.payload, ctx)
        entity = build_output(ctx, mapping, self.kind_profile, key)
        return EntityKind(entity.entity) if entity is not None else None  # type: ignore[attr-defined]


_COLLECTIONS = {kind.collection: kind for kind in EntityKind}
_CERIF_SETS = {f"openaire_cris_{kind.collection.lower()}": kind for kind in EntityKind} | {"openaire_cris_funding": EntityKind.FUNDING}


def cerif_oai_id(kind: EntityKind, entity_id: str) -> str:
    """What an OAI identifier of the CRIS names a kept CERIF entity by: ``Publications/1`` for
    ``@id="1"`` (profile 1.1's form) and for ``@id="Publications/1"`` (1.2's), as the
    guidelines' "OAI identifiers" section pairs them (``oai:{host}:{Type}s/{id}``)."""
    return entity_id if entity_id.startswith(f"{kind.collection}/") else f"{kind.collection}/{entity_id}"


def _deleted_cerif_entity(rec: SourceRecord) -> tuple[EntityKind, str] | None:
    """The kind and kept id of a deleted header harvested from a CRIS (a set of the profile,
    ``openaire_cris_publications``...): its identifier names the entity, as
    ``oai:{host}:Publications/899999``, and the CRIS's other records may still refer to that
    id. None for headers of other repositories."""
    kinds = [_CERIF_SETS[s] for s in rec.set_specs if s in _CERIF_SETS]
    if not kinds or rec.oai_identifier is None or rec.oai_identifier.count(":") < 2:
        return None
    local = rec.oai_identifier.split(":", 2)[2]
    named = _COLLECTIONS.get(local.split("/", 1)[0]) if "/" in local else None
    kind = named or kinds[0]
    return kind, cerif_oai_id(kind, local)

