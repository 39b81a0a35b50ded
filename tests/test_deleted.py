"""Deleted source records become deleted headers under the id their entity had."""

from __future__ import annotations

from pathlib import Path

from crisbridge.mapping.build import entity_id
from crisbridge.model import EntityKind
from crisbridge.pipeline import Converter, RecordResult
from crisbridge.report import Status


def test_zenodo_deleted_header_with_metadata_keeps_its_entity_type(reference: Path) -> None:
    # Zenodo sends <header status="deleted"> together with the full metadata (SOURCE.md quirk).
    response = reference / "real-records/zenodo-oaipmh-scythe/responses/2024-01_c61fab3/list_records_00_ListRecords_oai_dc.xml"
    results = [r for r in Converter().convert([response]) if isinstance(r, RecordResult)]
    deleted = [r for r in results if r.status is Status.DELETED]
    assert [r.oai_identifier for r in deleted] == ["oai:zenodo.org:2510668"]
    record = deleted[0]
    # its metadata says info:eu-repo/semantics/article: the type comes from the metadata, not a guess
    assert record.deleted_ids == [entity_id(EntityKind.PUBLICATION, "oai:zenodo.org:2510668")]
    assert not record.entities
    assert [i.message for i in record.issues if i.code == "oai.deleted"] == [
        "deleted in the source; written as a deleted header of the Publication its metadata describes"
    ]


def test_dspace_deleted_header_without_metadata_assumes_publication(reference: Path) -> None:
    response = reference / "real-records/dspace-eur-pyoai/original/fake2"
    deleted = [r for r in Converter().convert([response]) if isinstance(r, RecordResult) and r.status is Status.DELETED]
    assert deleted
    for r in deleted:
        assert r.deleted_ids == [entity_id(EntityKind.PUBLICATION, r.source_id or "")]
        assert any("unknown without metadata" in i.message for i in r.issues)
