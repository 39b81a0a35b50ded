"""SHACL over a batch of records as one graph, each result handed back to its record.

References between records resolve only in a graph that holds both (``shapes/references.ttl``):
``<Funding id="Fundings/612352"/>`` embedded in a publication is, in RDF, a copy that names the
node of the funding record (``cb:entity``, ``docs/rdf-vocabulary.md`` 3), described there by that
record's triples. So the records
of one CRIS are written as RDF into one graph and validated in one call, which also pays the
engine's cost per call once.

Each result goes to the record whose entity it is about, by its focus node: an IRI the writer
mints for embedded content is the entity's IRI, ``#`` and a path (``{entity}#Authors/2``), so
the entity is the part before ``#``; a blank node belongs to the record whose triples hold it.
A result about no record of the batch (the node of an embedded entity whose record is not
there) is a note, located in the file of a record that refers to it.

A large batch is validated in shares of at most ``SHARE_RECORDS`` records (the engines' time
per record grows with the graph: pyshacl-turbo takes 1.2 ms of CPU a converted record in shares
of 500 records, 1.55 ms in shares of 2,000, 1.65 ms in one graph of 10,000), in ``workers``
processes. A share holds its records together with the entities they refer to: everything the
graph says about those entities (their records' triples, and the class copies state for them),
so that every shape sees what it would see in the whole graph, one reference deep; each keeps
the results about its own records. (A shape that followed references two entities deep would see less; none does.
``tests/test_validate.py`` checks that shares give what the whole graph gives.)

A bare reference to a kind of entity of which the batch holds no record at all (a folder with
the publications of a CRIS and not its fundings) cannot be resolved here: like the cross-record
checks (``cross.reference-not-checked``), it is counted in an info note,
``shacl.reference-not-checked``, rather than reported as ``shacl.unresolved-reference``.

    >>> batch = ShaclBatch()
    >>> batch.add(0, entity, file="a.xml", record="oai:x:Publications/1")   # any model entity
    >>> per_record, notes = batch.finish()                                   # {0: [Issue, ...]}, [...]
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import BNode as RdfBNode

from crisbridge.issues import Issue, Location, Severity
from crisbridge.validation.shacl import ShaclResult, ShaclValidator, default_validator
from crisbridge.writers.rdf import IRI, A, BNode, RdfWriter, Triple

UNRESOLVED = "shacl.unresolved-reference"
SHARE_RECORDS = 500


@dataclass(frozen=True, slots=True)
class _Owner:
    ref: Hashable
    file: str | None
    record: str | None


class ShaclBatch:
    """The RDF of many records, validated as one graph by ``finish`` (in ``workers`` processes)."""

    def __init__(self, validator: ShaclValidator | None = None, writer: RdfWriter | None = None, workers: int = 1,
                 share_records: int | None = None) -> None:
        self.validator = validator or default_validator()
        self.writer = writer or RdfWriter()
        self.workers = workers
        self.share_records = share_records or SHARE_RECORDS
        self._about: dict[str, list[Triple]] = {}  # entity IRI -> every triple about it or what is minted below it
        self._records: list[tuple[_Owner, str, set[str]]] = []  # each record: owner, entity IRI, entities it refers to
        self._owners: dict[str, list[_Owner]] = {}  # entity IRI -> the records that are that entity
        self._blank: dict[str, _Owner] = {}  # blank node label -> the record whose triples hold it
        self._referrers: dict[str, _Owner] = {}  # IRI of an entity referred to -> the first record referring to it
        self._classes: dict[str, set[str]] = {}  # entity IRI -> its classes, for every entity node with an id
        self._top_classes: set[str] = set()  # the classes of the batch's records

    def add(self, ref: Hashable, entity: Any, file: str | None = None, record: str | None = None) -> None:
        """A record's entity (a model entity), written as RDF; ``ref`` names the record in ``finish``.
        What the RDF writer cannot carry is the writer's loss, not the record's fault: not reported."""
        triples, _ = self.writer.triples(entity, record=record, file=file)
        self.add_triples(ref, triples, file, record)

    def add_triples(self, ref: Hashable, triples: list[Triple], file: str | None = None, record: str | None = None) -> None:
        """A record's triples, as ``RdfWriter.triples`` writes them: the entity's type comes first."""
        if not triples:
            return
        owner = _Owner(ref, file, record)
        top = triples[0][0]
        self._owners.setdefault(top, []).append(owner)
        self._top_classes.add(str(triples[0][2]))
        blank, referrers, classes, about = self._blank, self._referrers, self._classes, self._about
        parent = {o: s for s, _, o in triples if isinstance(o, BNode)}  # a blank node hangs off its subject
        entity_of: dict[str, str] = {}
        refers: set[str] = set()
        for triple in triples:
            s, p, o = triple
            entity = entity_of.get(s)
            if entity is None:
                node, seen = s, 0
                while isinstance(node, BNode) and seen < len(parent):
                    node, seen = parent.get(node, top), seen + 1
                entity = entity_of[s] = node.split("#", 1)[0]
            about.setdefault(entity, []).append(triple)
            if isinstance(s, BNode):
                blank.setdefault(s, owner)
            elif p == A and "#" not in s:
                classes.setdefault(s, set()).add(str(o))
            if isinstance(o, IRI) and p != A and "#" not in o and o != top:
                referrers.setdefault(o, owner)
                refers.add(o)
            if entity != top:  # what the record says about another entity (an embedded copy)
                refers.add(entity)
        self._records.append((owner, top, refers))

    def finish(self) -> tuple[dict[Hashable, list[Issue]], list[Issue]]:
        """Validate the batch: issues per record, and notes about what belongs to no record."""
        per_record: dict[Hashable, list[Issue]] = {}
        notes: list[Issue] = []
        if not self._records:
            return per_record, notes
        unchecked: Counter[str] = Counter()
        for index, (share, results) in enumerate(self._validate()):
            for result in results:
                owners = [o for o in self._owners_of(result.focus_node) if id(o) in share]
                if not owners:
                    referrer = self._referrers.get(str(result.focus_node))
                    if self._owners_of(result.focus_node) or (id(referrer) not in share if referrer else index > 0):
                        continue  # another share's
                    if not (result.code == UNRESOLVED and self._not_checked(result, unchecked)):
                        notes.append(result.issue(file=referrer.file if referrer else None))
                    continue
                if result.code == UNRESOLVED and self._not_checked(result, unchecked):
                    continue
                for owner in owners:
                    per_record.setdefault(owner.ref, []).append(result.issue(file=owner.file, record=owner.record))
        for cls, count in sorted(unchecked.items()):
            notes.append(Issue(code="shacl.reference-not-checked", severity=Severity.INFO, location=Location(),
                               message=f"{count} references to {_local(cls)} nodes not resolved: the input holds no "
                                       f"{_local(cls)} records"))
        return per_record, notes

    def _validate(self) -> list[tuple[set[int], list[ShaclResult]]]:
        """(the owners of a share of the records, as ids; the results of validating it)."""
        records, self._records = self._records, []
        about, self._about = self._about, {}
        count = -(-len(records) // self.share_records)  # as many shares as needed, a multiple of the workers
        count = -(-count // self.workers) * self.workers if count > 1 or self.workers > 1 else 1
        size = -(-len(records) // count)
        shares = [records[i:i + size] for i in range(0, len(records), size)]
        if len(shares) == 1:  # the whole graph
            return [({id(o) for o, _, _ in records}, self.validator.results_of(t for ts in about.values() for t in ts))]
        triples = []
        for share in shares:
            needed = {top for _, top, _ in share}.union(*(refers for _, _, refers in share))
            triples.append([t for entity in needed for t in about.get(entity, ())])
        results = _in_processes(self.validator, triples, self.workers)
        return [({id(o) for o, _, _ in share}, found) for share, found in zip(shares, results, strict=True)]

    def _owners_of(self, focus: Any) -> list[_Owner]:
        if isinstance(focus, RdfBNode):
            owner = self._blank.get(str(focus))
            return [owner] if owner is not None else []
        return self._owners.get(str(focus).split("#", 1)[0], [])

    def _not_checked(self, result: ShaclResult, unchecked: Counter[str]) -> bool:
        """A reference to a node none of whose classes any record of the batch has: counted."""
        value = None if result.value is None else str(result.value)
        classes = self._classes.get(value, set()) if value is not None else set()
        if value is None or "#" in value or classes & self._top_classes:
            return False
        for cls in sorted(classes) or ["an entity"]:
            unchecked[cls] += 1
        return True


def _local(cls: str) -> str:
    return cls.rsplit("#", 1)[-1]


# -- worker processes ---------------------------------------------------------------------------

_SHARES: list[list[Triple]] = []  # set before the workers fork, read by them: nothing is pickled on the way in
_VALIDATOR: ShaclValidator | None = None


def _init_worker(directory: Path, engine: str) -> None:
    global _VALIDATOR
    _VALIDATOR = ShaclValidator(directory, engine)


def _validate_share(index: int) -> list[ShaclResult]:
    assert _VALIDATOR is not None
    return _VALIDATOR.results_of(_SHARES[index])


def _in_processes(validator: ShaclValidator, shares: list[list[Triple]], workers: int) -> list[list[ShaclResult]]:
    """The shares validated by ``workers`` processes (forked, so the shares are not copied);
    with one worker, or where processes cannot be forked, one after the other here."""
    global _SHARES
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [validator.results_of(share) for share in shares]
    _SHARES = shares
    gc.freeze()  # the workers' collector leaves the parent's objects alone, so their pages stay shared
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_init_worker, initargs=(validator.directory, validator.engine)) as pool:
            return pool.map(_validate_share, range(len(shares)), chunksize=1)
    finally:
        gc.unfreeze()
        _SHARES = []


__all__ = ["ShaclBatch"]
