"""Batch conversion over many inputs, on one core or several.

Results come back as ``BatchItem``s: the record's report entry and its serialised entities,
which is what the command line writes and what crosses process boundaries (lxml elements do
not pickle). With ``workers > 1`` whole documents are handed to a process pool; results are
yielded in input order, so the output is the same whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from crisbridge.issues import Issue, Location, Severity
from crisbridge.pipeline import Converter, RecordResult
from crisbridge.readers import expand_inputs
from crisbridge.report import RecordReport


@dataclass(slots=True)
class BatchItem:
    report: RecordReport
    datestamp: str
    outputs: list[tuple[str, str, bytes]] = field(default_factory=list)  # (id, entity kind, xml)
    deleted_ids: list[str] = field(default_factory=list)


def _datestamp(value: str | None, fallback: str) -> str:
    """An OAI-PMH datestamp at seconds granularity: a response uses one granularity
    throughout (OAI-PMH 2.0, section 3.3.2), so a day-level source datestamp gets midnight."""
    if value and len(value) >= 10:
        if len(value) >= 19 and value[10] == "T":
            return value[:19] + "Z"
        return value[:10] + "T00:00:00Z"
    return fallback


def _file_stamp(name: str) -> str:
    """The datestamp of a record whose source gives none (a bare record, not an OAI-PMH
    response): when its file last changed, or, read from standard input, when it was
    converted (the stream has no time of its own: the epoch said 1970 for every such record)."""
    if name == "<stdin>":  # as readers.expand_inputs names standard input
        return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        mtime = os.stat(name).st_mtime
    except OSError:
        mtime = 0.0
    return datetime.fromtimestamp(mtime, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# Serialises a record's entities in another format than CERIF XML (``--to rdf``): (id, entity
# kind, bytes) per entity. It may replace the record's issues about the CERIF XML with its own,
# which is why it runs before the report entry is made.
Render = Callable[[RecordResult], list[tuple[str, str, bytes]]]


def to_item(result: RecordResult, stamps: dict[str, str], render: Render | None = None) -> BatchItem:
    stamp = stamps.get(result.source)
    if stamp is None:
        stamp = stamps[result.source] = _file_stamp(result.source)
    if render is not None:
        outputs = render(result)
    else:
        outputs = [(e.id, e.kind.value, e.xml) for e in result.entities]
    return BatchItem(
        report=result.report(),
        datestamp=_datestamp(result.datestamp, stamp),
        outputs=outputs,
        deleted_ids=list(result.deleted_ids),
    )


class RepeatedIds:
    """Entity ids already written in this batch. Ids derive from the source identifier, so a
    record that comes twice (overlapping harvests, a record and its later version, one DOI in
    two files) gives its entity the same id twice, and the later record is told so, with the
    earlier one's place in the report. Into one ListRecords document that is an error, as
    ``validate`` says too (cross.duplicate-identifier): the document holds two records under
    one OAI identifier, which a harvester cannot tell apart, and the run exits 1. Into a folder
    (one file per entity) the later record's file replaces the earlier one's, as a harvester
    applies a later record: the output is sound, and a warning says which record it holds.
    Either way the record stays converted: it was written.

    What is kept per entity is its id's 64-bit hash and the record's number, about 100 bytes,
    not the id and the record's name: those made a batch's memory grow by 250 bytes a record.
    Two different ids of one batch would have to share a 64-bit hash for a wrong report (odds
    below one in ten million at a million records)."""

    def __init__(self, folder: bool = False) -> None:
        self._first: dict[int, int] = {}
        self._records = 0
        self._severity = Severity.WARNING if folder else Severity.ERROR
        self._effect = ("its file in the output folder now holds this record, not that one" if folder
                        else "the output holds two records under one OAI identifier, which a harvester cannot tell apart")

    def check(self, item: BatchItem) -> None:
        self._records += 1
        entry = item.report
        for entity_id in [o[0] for o in item.outputs] + item.deleted_ids:
            earlier = self._first.setdefault(hash(entity_id), self._records)
            if earlier == self._records:
                continue
            entry.issues.append(Issue(
                code="batch.repeated-id", severity=self._severity,
                location=Location(file=entry.source, record=entry.source_id),
                message=f"{entity_id} was already written for record {earlier} of this batch (entry {earlier} of the report, "
                        f"which lists the same entity): both come from the same source identifier, and {self._effect}",
            ))


# -- worker side ------------------------------------------------------------------------

_WORKER: Converter | None = None
_RENDER: Render | None = None


def _init_worker(cerif_version: str, mapping_files: tuple[Path, ...], source_format: str, render: Render | None = None) -> None:
    global _WORKER, _RENDER
    _WORKER = Converter(cerif_version, mapping_files, source_format)
    _RENDER = render


def _work(job: tuple[str, bytes | None]) -> list[BatchItem | Issue]:
    assert _WORKER is not None
    stamps: dict[str, str] = {}
    out: list[BatchItem | Issue] = []
    name, data = job
    # a file that could not be read is read again here, where it becomes a failed record
    results = _WORKER.iter_bytes([(name, data)]) if data is not None else _WORKER.convert([name])
    for r in results:
        out.append(to_item(r, stamps, _RENDER) if isinstance(r, RecordResult) else r)
    return out


def _documents(inputs: Iterable[str]) -> Iterator[tuple[str, bytes | None]]:
    import sys

    for name, path in expand_inputs(inputs):
        if path is None:
            yield name, sys.stdin.buffer.read()
            continue
        try:
            yield name, path.read_bytes()
        except OSError:
            yield name, None


def run(
    converter: Converter,
    inputs: Iterable[str],
    workers: int = 1,
    render: Render | None = None,
) -> Iterator[BatchItem | Issue]:
    """Every record's BatchItem (and file notes as Issues), in input order; ``render``
    serialises the entities instead of CERIF XML (it must pickle for ``workers > 1``)."""
    if workers <= 1:
        stamps: dict[str, str] = {}
        for r in converter.convert(inputs):
            yield to_item(r, stamps, render) if isinstance(r, RecordResult) else r
        return
    ctx = multiprocessing.get_context("spawn" if os.name == "nt" else "fork")
    with ctx.Pool(
        workers,
        initializer=_init_worker,
        initargs=(converter.cerif_version, converter.mapping_files, converter.source_format, render),
    ) as pool:
        for batch in pool.imap(_work, _documents(inputs), chunksize=1):
            yield from batch

