"""``crisbridge validate``: CERIF XML (profile 1.2 or 1.1, bare entities or OAI-PMH responses)
checked against the official XSD, across records, against the SHACL shapes, and, for a folder
of saved OAI-PMH responses of a CRIS, against the protocol checks of the euroCRIS validator.
RDF of the bridge's vocabulary (``.ttl``, ``.nt``, ``.jsonld`` files) is checked against the
SHACL shapes: each top-level entity is read into the model (``readers.rdf``) and validated as
the RDF writer writes it, which is the graph read (``docs/rdf-vocabulary.md``: RDF written by
the bridge reads back to the same model).

    >>> report = validate(["harvest/"], xsd_dirs=[Path("schemas/")])
    >>> report.summary.errors, report.exit_code

What is checked, and where each finding goes in the report:

- every record gets one entry (``source``, ``source_id``, ``entities``, ``issues``); its
  ``status`` is ``converted`` when it was read and nothing in it is an error, ``failed`` when
  it is not readable CERIF or carries an error, ``deleted`` for a deleted header, so
  ``records == converted + deleted + failed`` as in a conversion report;
- the XSD (``xsd.invalid``) on each entity, or on the whole response with the OAI-PMH schemas
  when the schema folder has them (CHECKS 0; errors outside any record are ``xsd.envelope``
  notes about the file);
- reading into the model (``cerif.not-read`` for what the model cannot hold);
- the cross-record checks (``cross.*``, see ``crossrecord``) over the records of one CRIS: the
  files inside one folder given on the command line, or all the files given one by one;
- the protocol checks (``protocol.*``, see ``protocol``) when the input holds Identify,
  ListMetadataFormats or ListSets responses, and envelope slips (``oai.*``) as warnings
  about the file;
- the SHACL shapes (``shacl.*``; off with ``shacl=False``, ``--no-shacl``): model -> RDF
  (``writers.rdf``) -> shapes (``validation.shacl``), the records of one CRIS in one profile
  version as one graph (``validation.shaclbatch``), so that an embedded reference
  (``<Funding id="..."/>``) meets the record it names; each result goes to the record its focus
  node belongs to, and a result about no record is a note.

Documents are parsed with the hardened settings of DESIGN 7; one that cannot be parsed fails
alone. A file holding only a relative path is a git symlink checked out as text: it is
followed when its target is there, and reported when not.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from crisbridge import schemas
from crisbridge.errors import ConfigurationError
from crisbridge.issues import Issue, Location, Severity
from crisbridge.readers import _parser_kwargs, expand_inputs
from crisbridge.readers.cerif import entity_path, is_entity, local_name, profile_version, read_entity
from crisbridge.readers.rdf import is_rdf_path, rdf_files, read_rdf
from crisbridge.report import RecordReport, Report, Status
from crisbridge.validation import protocol
from crisbridge.validation.crossrecord import CrossRecordChecker, entity_key
from crisbridge.validation.xsd import profile_schema

OAI = "{http://www.openarchives.org/OAI/2.0/}"
PLACEHOLDER_MAX_BYTES = 1024
RecordCheck = Callable[[Any, str, str | None], list[Issue]]  # entity, file, record -> issues


def validate(inputs: Iterable[str], xsd_dirs: list[Path] | None = None, shacl: bool = True,
             extra_checks: Iterable[RecordCheck] = (), rdf_base: str | None = None, workers: int = 1) -> Report:
    """Validate every input; ``xsd_dirs`` name schema folders (else the user cache is used);
    ``shacl`` runs the SHACL shapes; ``extra_checks`` run on each entity read into the model;
    ``rdf_base`` is the base the IRIs of RDF inputs were written with (default
    ``https://crisbridge.local/``); ``workers`` processes run the SHACL engine. Raises
    ``ConfigurationError`` only for unusable configuration (a folder without schemas, ``shacl``
    in an installation without the shapes or a SHACL engine)."""
    inputs = list(inputs)
    run = _Run(schemas.schema_dirs(xsd_dirs), list(extra_checks), _shacl_batches(rdf_base, workers) if shacl else None)
    for group, name, path in _expand(inputs):
        run.document(group, name, path)
    for group, name in _expand_rdf(inputs):
        run.rdf_document(group, name, rdf_base)
    return run.finish()


def findings_by_entity(report: Report) -> tuple[dict[str, list[Issue]], list[Issue]]:
    """A validation report's findings keyed by the entity they are about (``Publications/1``),
    and those about no entity (the report's notes, and records that were not read)."""
    by_entity: dict[str, list[Issue]] = {}
    notes = list(report.notes)
    for record in report.records:
        if record.entities:
            for entity in record.entities:
                by_entity.setdefault(entity, []).extend(record.issues)
        else:
            notes.extend(record.issues)
    return by_entity, notes


def _group(item: str) -> str:
    return item if item != "-" and Path(item).is_dir() else "<files>"


def _expand(inputs: Iterable[str]) -> Iterator[tuple[str, str, Path | None]]:
    """(CRIS group, file name, path): each folder given is one CRIS, loose files form another.
    Files named like RDF are left to ``_expand_rdf``."""
    for item in inputs:
        for name, path in expand_inputs([item]):
            if path is None or not is_rdf_path(name):
                yield _group(item), name, path


def _expand_rdf(inputs: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(CRIS group, file name) of the RDF files among the inputs and in the folders given."""
    for item in inputs:
        path = Path(item)
        if item != "-" and (path.is_dir() or is_rdf_path(item)):
            for found in rdf_files([item]):
                yield _group(item), str(found)


@dataclass
class _Entry:
    source: str
    source_id: str | None
    deleted: bool = False
    entities: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def report(self) -> RecordReport:
        if self.deleted:
            status = Status.DELETED
        elif not self.entities or any(i.severity is Severity.ERROR for i in self.issues):
            status = Status.FAILED
        else:
            status = Status.CONVERTED
        return RecordReport(source=self.source, source_id=self.source_id, status=status, entities=self.entities, issues=self.issues)


@dataclass
class _Group:
    """The responses of one CRIS."""

    identify: list[tuple[str, Any]] = field(default_factory=list)
    formats: list[tuple[str, Any]] = field(default_factory=list)
    sets: list[tuple[str, Any]] = field(default_factory=list)
    checkers: dict[str, CrossRecordChecker] = field(default_factory=dict)
    shacl: dict[str, Any] = field(default_factory=dict)  # profile version -> ShaclBatch


class _Run:
    def __init__(self, dirs: dict[str, Path], checks: list[RecordCheck], shacl_batch: Callable[[], Any] | None = None) -> None:
        self.dirs = dirs
        self.checks = checks
        self.shacl_batch = shacl_batch
        self.entries: list[_Entry] = []
        self.notes: list[Issue] = []
        self.groups: dict[str, _Group] = {}
        self._unavailable: set[str] = set()

    # -- one document -------------------------------------------------------------------

    def document(self, group_key: str, name: str, path: Path | None) -> None:
        group = self.groups.setdefault(group_key, _Group())
        root = self._load(name, path)
        if root is None:
            return
        verb = protocol.verb_of(root)
        if verb is None:
            if is_entity(root):
                self._bare_entity(group, name, root)
            else:
                self._fail(name, None, "input.not-cerif", f"{name}: root element {root.tag} is neither CERIF XML nor an OAI-PMH response")
            return
        version = self._version_of(root)
        whole, record_errors = self._xsd_document(name, root, version)
        if verb == "Identify":
            group.identify.append((name, root))
        elif verb == "ListMetadataFormats":
            group.formats.append((name, root))
        elif verb == "ListSets":
            group.sets.append((name, root))
        elif verb in ("ListRecords", "GetRecord"):
            self.notes.extend(protocol.check_envelope(name, root))
            self._records(group, name, root, version or _prefix_version(root), whole, record_errors)
        elif verb == "error":
            for err in root.iter(f"{OAI}error"):
                code = err.get("code") or "error"
                self.notes.append(Issue(code="oai.error", severity=Severity.INFO if code == "noRecordsMatch" else Severity.WARNING,
                                        message=f"{name}: the OAI-PMH response holds an error ({code}): {(err.text or '').strip()}",
                                        location=Location(file=name, line=err.sourceline)))
        else:
            self.notes.append(Issue(code="oai.verb-not-checked", severity=Severity.INFO, message=f"{name}: a {verb} response; nothing in it is checked",
                                    location=Location(file=name)))
        resumption = root.find(f"{OAI}{verb}/{OAI}resumptionToken")
        if resumption is not None and (resumption.text or "").strip():
            self.notes.append(Issue(code="oai.resumption-token", severity=Severity.INFO,
                                    message=f"{name}: the response continues under resumption token {resumption.text.strip()!r}; "
                                            "give the following pages too, or references into them stay unresolved",
                                    location=Location(file=name, line=resumption.sourceline)))

    def _load(self, name: str, path: Path | None) -> Any:
        if path is not None and not path.exists():
            self._fail(name, None, "input.missing", f"{name}: no such file or folder")
            return None
        try:
            data = path.read_bytes() if path is not None else _stdin()
        except OSError as exc:
            self._fail(name, None, "input.unreadable", f"{name}: cannot be read: {exc.strerror}")
            return None
        if path is not None and _is_placeholder(data):
            target = path.parent / data.decode("utf-8").strip()
            if target.suffix == ".xml" and target.is_file() and not _is_placeholder(target.read_bytes()[:PLACEHOLDER_MAX_BYTES + 1]):
                self.notes.append(Issue(code="input.link-followed", severity=Severity.INFO, location=Location(file=name),
                                        message=f"{name} is a git symlink checked out as text; its target {target} is read in its place"))
                data = target.read_bytes()
            else:
                self.notes.append(Issue(code="input.link-placeholder", severity=Severity.WARNING, location=Location(file=name),
                                        message=f"{name} is a git symlink checked out as text, pointing at {target}, which is not here; "
                                                "it is not checked"))
                return None
        try:
            root = etree.fromstring(data, etree.XMLParser(**_parser_kwargs()), base_url=name)
        except etree.XMLSyntaxError as exc:
            line = getattr(exc, "lineno", None)
            self._fail(name, None, "xml.not-well-formed", f"{name}: not well-formed XML (line {line}): {getattr(exc, 'msg', exc)}", line)
            return None
        # the same refusals as the streaming reader (crisbridge.readers.read_records)
        docinfo = root.getroottree().docinfo
        dtd = docinfo.internalDTD
        if dtd is not None and any(True for _ in dtd.iterentities()):
            self._fail(name, None, "xml.entity-declared", f"{name}: the document declares XML entities; they are refused for safety (DESIGN 7)", 1)
            return None
        if docinfo.system_url or docinfo.public_id:
            where = docinfo.system_url or docinfo.public_id
            self._fail(name, None, "xml.external-dtd", f"{name}: the document names an external DTD ({where}); it is not loaded and the document is refused for safety (DESIGN 7)", 1)
            return None
        return root

    def _fail(self, name: str, record: str | None, code: str, message: str, line: int | None = None) -> None:
        entry = _Entry(name, record)
        entry.issues.append(Issue(code=code, severity=Severity.ERROR, message=message, location=Location(file=name, record=record, line=line)))
        self.entries.append(entry)

    def rdf_document(self, group_key: str, name: str, rdf_base: str | None) -> None:
        """An RDF file: one entry per top-level entity (or one carrying why there is none)."""
        group = self.groups.setdefault(group_key, _Group())
        for item in read_rdf([name], rdf_base):
            entity = item.entity
            entry = _Entry(item.source, entity.id if entity is not None else None, issues=list(item.issues))
            self.entries.append(entry)
            if entity is None:
                continue
            entry.entities.append(entity_key(entity.entity, entity.id) if entity.id else str(item.node))
            for check in self.checks:
                entry.issues.extend(check(entity, item.source, entity.id))
            if self.shacl_batch is not None:
                if "rdf" not in group.shacl:  # RDF is version-neutral: its own batch
                    group.shacl["rdf"] = self.shacl_batch()
                group.shacl["rdf"].add(len(self.entries) - 1, entity, item.source, entity.id)

    # -- XSD ----------------------------------------------------------------------------

    def _version_of(self, root: Any) -> str | None:
        for el in root.iter():
            version = profile_version(el) if isinstance(el.tag, str) else None
            if version is not None:
                return version
        return None

    def _schema_dir(self, version: str | None, name: str) -> Path | None:
        if version is None:  # an envelope without CERIF content: any profile folder has the OAI-PMH schemas
            return next(iter(sorted(self.dirs.items(), reverse=True)), (None, None))[1]
        folder = self.dirs.get(version)
        if folder is None and version not in self._unavailable:
            self._unavailable.add(version)
            self.notes.append(Issue(code="xsd.unavailable", severity=Severity.WARNING, location=Location(file=name),
                                    message=f"no XSD of profile {version} at hand: give --xsd-dir, or run `crisbridge schemas fetch`; "
                                            f"CERIF {version} records are checked without it"))
        return folder

    def _xsd_document(self, name: str, root: Any, version: str | None) -> tuple[bool, dict[int, list[Issue]]]:
        """Validate a whole response: whether that was possible (else each payload is checked
        alone, if the profile XSD is at hand), and the errors inside records, keyed by the
        record's start line."""
        folder = self._schema_dir(version, name)
        schema = schemas.envelope_schema(folder) if folder is not None else None
        if schema is None:
            return False, {}
        schema.validate(root)
        starts = sorted(r.sourceline for r in root.iter(f"{OAI}record"))
        end = _records_end(root)
        by_record: dict[int, list[Issue]] = {}
        for err in schema.error_log:
            position = bisect.bisect_right(starts, err.line) - 1
            issue_location = Location(file=name, line=err.line)
            if position < 0 or (end is not None and err.line >= end):
                self.notes.append(Issue(code="xsd.envelope", severity=Severity.ERROR, location=issue_location,
                                        message=f"{name}: line {err.line}: {err.message} (CHECKS 0: the response validates against the OAI-PMH and profile schemas)"))
            else:
                by_record.setdefault(starts[position], []).append(Issue(code="xsd.invalid", severity=Severity.ERROR, location=issue_location,
                                                                        message=f"line {err.line}: {err.message}"))
        return True, by_record

    def _xsd_entity(self, entity: Any, version: str | None, name: str, record: str | None) -> list[Issue]:
        folder = self._schema_dir(version, name)
        if folder is None:
            return []
        schema = profile_schema(folder)
        if schema.validate(entity):
            return []
        return [Issue(code="xsd.invalid", severity=Severity.ERROR, message=f"line {e.line}: {e.message}",
                      location=Location(file=name, record=record, line=e.line)) for e in schema.error_log]

    # -- records ------------------------------------------------------------------------

    def _checker(self, group: _Group, version: str) -> CrossRecordChecker:
        if version not in group.checkers:
            group.checkers[version] = CrossRecordChecker(version)
        return group.checkers[version]

    def _bare_entity(self, group: _Group, name: str, root: Any) -> None:
        version = profile_version(root)
        assert version is not None
        entry = _Entry(name, root.get("id"))
        self.entries.append(entry)
        entry.issues.extend(self._xsd_entity(root, version, name, root.get("id")))
        self._entity(group, entry, name, None, root, version)

    def _records(self, group: _Group, name: str, root: Any, doc_version: str | None, whole: bool, record_errors: dict[int, list[Issue]]) -> None:
        for record in root.iter(f"{OAI}record"):
            header = record.find(f"{OAI}header")
            identifier = (header.findtext(f"{OAI}identifier") or "").strip() or None if header is not None else None
            entry = _Entry(name, identifier)
            self.entries.append(entry)
            entry.issues.extend(i.model_copy(update={"location": i.location.model_copy(update={"record": identifier})})
                                for i in record_errors.get(record.sourceline, []))
            metadata = record.find(f"{OAI}metadata")
            payload = next((c for c in metadata if isinstance(c.tag, str)), None) if metadata is not None else None
            if header is not None and header.get("status") == "deleted":
                entry.deleted = True
                if identifier:
                    # a deleted header counts among the identifiers of its metadata format
                    version = (profile_version(payload) if payload is not None else None) or doc_version or "1.2"
                    self._checker(group, version).add_deleted(len(self.entries) - 1, name, identifier)
                continue
            if payload is None:
                entry.issues.append(Issue(code="oai.no-metadata", severity=Severity.ERROR, location=Location(file=name, record=identifier, line=record.sourceline),
                                          message=f"{name}: record {identifier} has no metadata and is not marked deleted"))
                continue
            if not is_entity(payload):
                entry.issues.append(Issue(code="input.not-cerif", severity=Severity.ERROR, location=Location(file=name, record=identifier, line=payload.sourceline),
                                          message=f"{name}: record {identifier} holds {payload.tag}, not a CERIF entity"))
                continue
            version = profile_version(payload)
            assert version is not None
            if not whole:
                entry.issues.extend(self._xsd_entity(payload, version, name, identifier))
            self._entity(group, entry, name, identifier, payload, version)

    def _entity(self, group: _Group, entry: _Entry, name: str, identifier: str | None, payload: Any, version: str) -> None:
        entity_id = payload.get("id")
        entry.entities.append(entity_key(local_name(payload), entity_id) if entity_id else entity_path(payload).lstrip("/"))
        if entry.source_id is None:
            entry.source_id = entity_id
        model, issues = read_entity(payload, name, identifier or entity_id)
        # what the bridge's model cannot carry says nothing about the record's validity
        entry.issues.extend(i.model_copy(update={"severity": Severity.INFO}) if i.code == "cerif.not-read" else i for i in issues)
        self._checker(group, version).add(len(self.entries) - 1, name, identifier, payload)
        if model is not None:
            for check in self.checks:
                entry.issues.extend(check(model, name, identifier or entity_id))
            if self.shacl_batch is not None:
                if version not in group.shacl:
                    group.shacl[version] = self.shacl_batch()
                group.shacl[version].add(len(self.entries) - 1, model, name, identifier or entity_id)

    # -- after the last document --------------------------------------------------------

    def finish(self) -> Report:
        lookup = self._schema_lookup()
        for key, group in self.groups.items():
            repository_identifier = self._protocol(key, group, lookup)
            finished = [checker.finish(repository_identifier) for checker in group.checkers.values()]
            finished += [batch.finish() for batch in group.shacl.values()]
            for per_record, notes in finished:
                self.notes.extend(notes)
                for ref, issues in per_record.items():
                    assert isinstance(ref, int)
                    self.entries[ref].issues.extend(issues)
        report = Report()
        for entry in self.entries:
            report.add(entry.report())
        for note in self.notes:
            report.note(note)
        return report

    def _protocol(self, key: str, group: _Group, lookup: protocol.SchemaLookup) -> str | None:
        """The protocol checks of one CRIS; its repositoryIdentifier when one Identify says it."""
        if not (group.identify or group.formats or group.sets):
            return None
        where = Location(file=key)
        for verb, found in (("Identify", group.identify), ("ListMetadataFormats", group.formats), ("ListSets", group.sets)):
            if not found:
                self.notes.append(Issue(code="protocol.missing-response", severity=Severity.WARNING, location=where,
                                        message=f"{key}: no {verb} response among the saved responses; the checks on it are not run"))
            elif len(found) > 1:
                self.notes.append(Issue(code="protocol.several-responses", severity=Severity.WARNING, location=where,
                                        message=f"{key}: {len(found)} {verb} responses ({', '.join(n for n, _ in found)}); each is checked, "
                                                "but one CRIS answers with one"))
        infos = []
        for name, root in group.identify:
            issues, info = protocol.check_identify(name, root)
            self.notes.extend(issues)
            infos.append(info)
        identify = infos[0] if len(infos) == 1 else None
        for name, root in group.formats:
            self.notes.extend(protocol.check_metadata_formats(name, root, identify, lookup))
        for name, root in group.sets:
            self.notes.extend(protocol.check_sets(name, root))
        return identify.repository_identifier if identify is not None else None

    def _schema_lookup(self) -> protocol.SchemaLookup:
        dirs = dict(self.dirs)

        def lookup(url: str) -> str | None:
            local = schemas.local_schema(url, dirs)
            return schemas.target_namespace(local) if local is not None else None

        return lookup


def _prefix_version(root: Any) -> str | None:
    """``1.1`` for a request with metadataPrefix ``oai_cerif_openaire_v1_1``; else None."""
    request = root.find(f"{OAI}request")
    prefix = request.get("metadataPrefix", "") if request is not None else ""
    match = re.fullmatch(r"oai_cerif_openaire_v(\d+)_(\d+)", prefix)
    return f"{match[1]}.{match[2]}" if match else None


def _records_end(root: Any) -> int | None:
    """The first line after the last record that belongs to the envelope (the resumptionToken),
    or None when nothing follows the records."""
    records = root.findall(f"{OAI}ListRecords/{OAI}record") or root.findall(f"{OAI}GetRecord/{OAI}record")
    following = records[-1].getnext() if records else None
    while following is not None and not isinstance(following.tag, str):
        following = following.getnext()
    return following.sourceline if following is not None else None


def _is_placeholder(data: bytes) -> bool:
    """A short single line of UTF-8 text with no markup: what git writes for a symlink
    checked out where links are off (core.symlinks=false)."""
    stripped = data.strip()
    if not 0 < len(stripped) <= PLACEHOLDER_MAX_BYTES or b"<" in stripped or b"\n" in stripped:
        return False
    try:
        stripped.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _stdin() -> bytes:
    import sys

    return sys.stdin.buffer.read()


def _shacl_batches(rdf_base: str | None = None, workers: int = 1) -> Callable[[], Any]:
    """Makes a ``ShaclBatch`` per CRIS and profile version. The SHACL modules are optional
    parts: without them this is a configuration error, and ``validate`` without ``shacl``
    never imports them. The validator (the shapes, read once) is made here, so a broken
    shape is refused before any input is read."""
    try:
        from crisbridge.validation.shacl import default_validator
        from crisbridge.validation.shaclbatch import ShaclBatch
        from crisbridge.writers.rdf import RdfWriter
    except ImportError as exc:
        raise ConfigurationError(f"SHACL validation needs {exc.name}, which this installation lacks") from None
    validator = default_validator()
    writer = RdfWriter(rdf_base) if rdf_base else RdfWriter()
    return lambda: ShaclBatch(validator, writer, workers)


__all__ = ["RecordCheck", "findings_by_entity", "validate"]

