"""Every entity converted from the real-record corpus conforms to the SHACL shapes: no
``sh:Violation``, unless it is a real fault of the source record, named in ``REAL_FAULTS``.

The RDF is written from the model, which does not depend on the CERIF version written, so the
corpus is converted once (profile 1.2).

Some DataCite fixtures share a DOI, hence an entity id, with different content: in one graph they would be one node with, say, two
titles. So each source record is validated on its own: the entities go into batches that hold
no entity id twice (the first record of an id in the first batch, the second in the second,
...), and each batch is one graph. Converted records do not refer to each other (what they
embed is minted below their own IRI), so a batch gives each record what it would get alone, at
the cost of a handful of engine calls rather than one per record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from pathlib import Path

import pytest

from crisbridge.issues import Issue, Severity
from crisbridge.pipeline import Converter, RecordResult
from crisbridge.validation.shacl import ShaclValidator
from crisbridge.validation.shaclbatch import ShaclBatch

pytestmark = pytest.mark.corpus

# (source file, entity id) -> why the record itself is at fault. Empty: no record of the corpus
# breaks a shape. A violation found later is mended in the bridge, or named here with its reason.
REAL_FAULTS: dict[tuple[str, str], str] = {}

# What the shapes warn about in the corpus, and why each is the record's own (and only a warning):
WARNINGS = {
    # oai_dc and DataCite titles without xml:lang (the profile's Title is multilingual)
    ("shacl.datatype", "Publication-Title"),
    ("shacl.datatype", "Product-Name"),
    # licences given as other URLs than SPDX's (Creative Commons deeds, info:eu-repo rights)
    ("shacl.pattern", "License-SPDX"),
    # COAR types that COAR has since deprecated, with a current term to use or outside the
    # profile's lists (a preprint, c_816b, is neither: the profile lists it, COAR names no successor)
    ("shacl.deprecated-term", "DeprecatedType"),
    ("shacl.deprecated-term", "DeprecatedType-c_18co"),
    ("shacl.deprecated-term", "DeprecatedType-c_18cp"),
}


@pytest.fixture(scope="module")
def converted(reference: Path) -> list[RecordResult]:
    return [r for r in Converter().convert([reference / "real-records"]) if isinstance(r, RecordResult)]


def _validate(results: list[RecordResult], validator: ShaclValidator | None = None) -> tuple[dict[Hashable, list[Issue]], list[Issue]]:
    """Each source record's entities validated as if alone (see the module's docstring)."""
    batches: list[tuple[ShaclBatch, set[str]]] = []
    for r in results:
        for e in r.entities:
            batch = next((b for b in batches if e.id not in b[1]), None)
            if batch is None:
                batch = (ShaclBatch(validator), set())
                batches.append(batch)
            batch[1].add(e.id)
            batch[0].add((r.source, e.id), e.entity, r.source, r.source_id)
    per_record: dict[Hashable, list[Issue]] = {}
    notes: list[Issue] = []
    for batch, _ in batches:
        found, more = batch.finish()
        per_record.update(found)
        notes.extend(more)
    return per_record, notes


@pytest.fixture(scope="module")
def validated(converted: list[RecordResult]) -> tuple[dict[Hashable, list[Issue]], list[Issue]]:
    return _validate(converted)


def test_the_corpus_has_entities_sharing_an_id(converted: list[RecordResult]) -> None:
    ids = Counter(e.id for r in converted for e in r.entities)
    assert sum(ids.values()) > 1100
    assert any(n > 1 for n in ids.values())  # why records are validated each on its own


def test_every_entity_conforms(validated: tuple[dict[Hashable, list[Issue]], list[Issue]]) -> None:
    per_record, notes = validated
    assert notes == []  # every result is about a record's own entity
    violations = {key: [f"{i.code} {i.location.focus_node} {i.location.path} {i.location.value}: {i.message}"
                        for i in issues if i.severity is Severity.ERROR]
                  for key, issues in per_record.items()}
    unexpected = {key: found for key, found in violations.items() if found and key not in REAL_FAULTS}
    assert not unexpected, unexpected
    stale = [key for key in REAL_FAULTS if not violations.get(key)]
    assert not stale, f"named as faults but conforming now: {stale}"


def test_warnings_are_the_known_kinds(validated: tuple[dict[Hashable, list[Issue]], list[Issue]]) -> None:
    per_record, _ = validated
    kinds = {(i.code, (i.location.shape or "").rsplit("#", 1)[-1]) for issues in per_record.values() for i in issues
             if i.severity is Severity.WARNING}
    assert kinds <= WARNINGS, kinds - WARNINGS


def test_the_engines_agree_on_the_corpus(converted: list[RecordResult],
                                         validated: tuple[dict[Hashable, list[Issue]], list[Issue]]) -> None:
    """pySHACL gives the same issues as pyshacl-turbo on every record of the corpus."""
    pytest.importorskip("pyshacl_turbo", reason="pyshacl-turbo is not installed")
    engines = {ShaclValidator(engine=name).engine: name for name in ("pyshacl", "pyshacl-turbo")}
    assert set(engines) == {"pyshacl", "pyshacl-turbo"}
    turbo = _validate(converted, ShaclValidator(engine="pyshacl-turbo"))
    reference = _validate(converted, ShaclValidator(engine="pyshacl"))
    assert turbo == reference
    assert sum(map(len, turbo[0].values())) > 1000  # the comparison had results to compare
