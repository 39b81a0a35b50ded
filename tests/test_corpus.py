"""The whole real-record corpus converts, and every entity written is valid against the
official XSD of its profile version. A record may fail only for a reason that is the
record's own fault, named here; every other record must convert."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from crisbridge.pipeline import Converter, RecordResult
from crisbridge.report import Status
from crisbridge.validation.xsd import errors

# The only acceptable reasons for a record of the corpus to fail: it is not well-formed, it has
# no title, or its root is not one of the formats the bridge reads (OpenAIRE's internal oaf/odf
# envelopes, BASE records, a stray fragment).
ACCEPTED_FAILURES = {"xml.not-well-formed", "xml.empty", "map.no-title", "input.unknown-format"}
READ_FORMATS_ROOTS = ("oai_dc:dc", "resource")


@pytest.fixture(scope="module", params=["1.2", "1.1"])
def corpus(request: pytest.FixtureRequest, reference: Path) -> tuple[str, list[RecordResult]]:
    version = request.param
    results = [r for r in Converter(cerif_version=version).convert([reference / "real-records"]) if isinstance(r, RecordResult)]
    return version, results


def test_every_record_is_accounted_for(corpus: tuple[str, list[RecordResult]]) -> None:
    _, results = corpus
    counts = Counter(r.status for r in results)
    assert len(results) > 1100  # the corpus has about 800 record files and several multi-record responses
    assert counts[Status.CONVERTED] > 1100
    assert counts[Status.DELETED] >= 6  # deleted headers in the DSpace and OJS harvests


def test_failures_are_the_records_own_fault(corpus: tuple[str, list[RecordResult]]) -> None:
    _, results = corpus
    unexpected = []
    for r in results:
        if r.status is not Status.FAILED:
            continue
        codes = {i.code for i in r.issues if i.severity.value == "error"}
        if not codes or not codes <= ACCEPTED_FAILURES:
            unexpected.append((r.source, sorted(codes), [i.message for i in r.issues][:2]))
        for issue in r.issues:
            assert issue.location.file == r.source  # every failure names its file
    assert not unexpected, unexpected


def test_no_title_failures_really_have_no_title(corpus: tuple[str, list[RecordResult]]) -> None:
    from lxml import etree

    _, results = corpus
    for r in results:
        if r.status is Status.FAILED and any(i.code == "map.no-title" for i in r.issues) and r.oai_identifier is None:
            tree = etree.parse(r.source)
            titles = [t for t in tree.iter() if isinstance(t.tag, str) and t.tag.endswith("}title") and (t.text or "").strip()]
            assert not titles, f"{r.source} has a title but failed with map.no-title"


def test_every_entity_is_valid_against_the_official_xsd(corpus: tuple[str, list[RecordResult]], schema_12, schema_11) -> None:  # type: ignore[no-untyped-def]
    version, results = corpus
    schema = schema_12 if version == "1.2" else schema_11
    invalid = {}
    for r in results:
        for entity in r.entities:
            errs = errors(schema, entity.element)
            if errs:
                invalid[f"{r.source} {entity.id}"] = errs[:3]
    assert not invalid, invalid
