"""SHACL over a batch of records as one graph, each result handed back to its record.

References between records resolve only in a graph that holds both (``shapes/references.ttl``):
``<Funding id="Fundings/612352"/>`` embedded in a publication is, in RDF, the node of the funding
record (``docs/rdf-vocabulary.md`` 3), described there by that record's triples. So the records
of one CRIS are written as RDF into one graph and validated in one call, which also pays the
engine's cost per call once.

Each result goes to the record whose entity it is about, by its focus node: an IRI the writer
mints for embedded content is the entity's IRI, ``#`` and a path (``{entity}#Authors/2``), so
the entity is the part before ``#``; a blank node belongs to the record whose triples hold it.
A result about no record of the batch (the node of an embedded entity whose record is not
there) is a note, located in the file of a record that refers to it.

A bare reference to a kind of entity of which the batch holds no record at all (a folder with
the publications of a CRIS and not its fundings) cannot be resolved here: like the cross-record
checks (``cross.reference-not-checked``), it is counted in an info note,
``shacl.reference-not-checked``, rather than reported as ``shacl.unresolved-reference``.

    >>> batch = ShaclBatch()
    >>> batch.add(0, entity, file="a.xml", record="oai:x:Publications/1")   # any model entity
    >>> per_record, notes = batch.finish()                                   # {0: [Issue, ...]}, [...]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from rdflib import BNode as RdfBNode

from crisbridge.issues import Issue, Location, Severity
from crisbridge.validation.shacl import ShaclResult, ShaclValidator, default_validator
from crisbridge.writers.rdf import A, IRI, BNode, RdfWriter, Triple, to_graph

UNRESOLVED = "shacl.unresolved-reference"


@dataclass(frozen=True, slots=True)
class _Owner:
    ref: Hashable
    file: str | None
    record: str | None


class ShaclBatch:
    """The RDF of many records, validated as one graph by ``finish``."""

    def __init__(self, validator: ShaclValidator | None = None, writer: RdfWriter | None = None) -> None:
        self.validator = validator or default_validator()
        self.writer = writer or RdfWriter()
        self._triples: list[Triple] = []
        self._owners: dict[str, list[_Owner]] = {}  # entity IRI -> the records that are that entity
        self._blank: dict[str, _Owner] = {}  # blank node label -> the record whose triples hold it
        self._referrers: dict[str, _Owner] = {}  # IRI of an entity referred to -> the first record referring to it
        self._classes: dict[str, set[str]] = {}  # entity IRI -> its classes, for every entity node with an id
        self._top_classes: set[str] = set()  # the classes of the batch's records

    def __len__(self) -> int:
        return sum(len(owners) for owners in self._owners.values())

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
        self._top_classes.add(triples[0][2])
        blank, referrers, classes = self._blank, self._referrers, self._classes
        for s, p, o in triples:
            if isinstance(s, BNode):
                blank.setdefault(s, owner)
            elif p == A and "#" not in s:
                classes.setdefault(s, set()).add(o)
            if isinstance(o, IRI) and p != A and "#" not in o and o != top:
                referrers.setdefault(o, owner)
        self._triples.extend(triples)

    def finish(self) -> tuple[dict[Hashable, list[Issue]], list[Issue]]:
        """Validate the batch: issues per record, and notes about what belongs to no record."""
        per_record: dict[Hashable, list[Issue]] = {}
        notes: list[Issue] = []
        if not self._triples:
            return per_record, notes
        graph = to_graph(self._triples)
        self._triples = []
        unchecked: Counter[str] = Counter()
        for result in self.validator.results(graph):
            if result.code == UNRESOLVED and self._not_checked(result, unchecked):
                continue
            owners = self._owners_of(result.focus_node)
            if not owners:
                referrer = self._referrers.get(str(result.focus_node))
                notes.append(result.issue(file=referrer.file if referrer else None))
                continue
            for owner in owners:
                per_record.setdefault(owner.ref, []).append(result.issue(file=owner.file, record=owner.record))
        for cls, count in sorted(unchecked.items()):
            notes.append(Issue(code="shacl.reference-not-checked", severity=Severity.INFO, location=Location(),
                               message=f"{count} references to {_local(cls)} nodes not resolved: the input holds no "
                                       f"{_local(cls)} records"))
        return per_record, notes

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


__all__ = ["ShaclBatch"]
