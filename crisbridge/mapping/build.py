"""From a mapped draft to a model entity: the entity kind, the type, ids and the rules the
profile puts across fields (embargo end dates, container types)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from pydantic import ValidationError

from crisbridge.issues import Severity
from crisbridge.mapping.context import Context
from crisbridge.mapping.engine import CompiledMapping
from crisbridge.model import OUTPUT_CLASSES, EntityKind, ResearchOutput
from crisbridge.mapping.spec import ProfileSpec

EMBARGOED = "http://purl.org/coar/access_right/c_f1cf"
# uuid5 namespace for crisbridge ids: the same source identifier gives the same id on every run
ID_NAMESPACE = uuid.UUID("6f0c3d51-2f5e-5b7a-9a53-0c4b1b6e2a10")
_ID_NAMESPACE_BYTES = ID_NAMESPACE.bytes
_KIND_TABLES = (
    (EntityKind.PATENT, "patent_types"),
    (EntityKind.PUBLICATION, "publication_types"),
    (EntityKind.PRODUCT, "product_types"),
)


def entity_id(kind: EntityKind, source_key: str) -> str:
    return f"{kind.collection}/{_uuid5(source_key)}"


def _uuid5(name: str) -> str:
    """``str(uuid.uuid5(ID_NAMESPACE, name))`` (RFC 4122 section 4.3) without building the
    UUID object, which costs more than the hash on a per-record path."""
    digest = bytearray(hashlib.sha1(_ID_NAMESPACE_BYTES + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def kind_of(coar_type: str, profile: ProfileSpec, broader: dict[str, Any]) -> tuple[EntityKind, str] | None:
    """The entity a COAR type belongs to in this profile version, walking up to broader
    concepts when the type itself is not in the profile's lists."""
    seen: set[str] = set()
    current: str | None = coar_type
    while current and current not in seen:
        seen.add(current)
        key = current.lower()
        for kind, table in _KIND_TABLES:
            if key in profile.tables.get(table, {}):
                return kind, current
        current = broader.get(key)
    return None


def build_output(
    ctx: Context,
    mapping: CompiledMapping,
    profile: ProfileSpec,
    source_key: str,
) -> ResearchOutput | None:
    draft = ctx.draft
    if not draft.get("titles"):
        ctx.issue(Severity.ERROR, "map.no-title", "the record has no title; the profile needs one to name the output")
        return None
    coar = draft.pop("type", None)
    if coar is None:
        coar = mapping.spec.default_type
        ctx.issue(Severity.WARNING, "map.no-type", f"no resource type could be mapped; using {coar}")
    broader = mapping.tables.get("coar_broader", {})
    found = kind_of(coar, profile, broader) if coar else None
    if found is None:
        fallback = profile.tables["fallback_types"]["Product"]
        ctx.issue(Severity.WARNING, "map.type-outside-profile", f"type {coar} is in none of the profile's type lists; written as {fallback}", value=coar)
        kind, final_type = EntityKind.PRODUCT, fallback
    else:
        kind, final_type = found
        if final_type != coar:
            ctx.issue(Severity.INFO, "map.type-generalised", f"type {coar} is not in the profile's lists; written as its broader type {final_type}", value=coar)
    draft["type"] = final_type
    _embargo(ctx, draft)
    containers = mapping.tables.get("container_types", {})
    for field in ("published_in", "part_of"):
        container = draft.get(field)
        if container is None:
            continue
        container.setdefault("entity", "Publication" if field == "published_in" or kind is not EntityKind.PRODUCT else "Product")
        if "type" not in container:
            if container["entity"] == "Product":
                container["type"] = profile.tables["fallback_types"]["Product"]
            else:
                container["type"] = containers.get(final_type.lower(), containers["default"])
    draft["id"] = entity_id(kind, source_key)
    try:
        return OUTPUT_CLASSES[kind].model_validate(draft)
    except ValidationError as exc:  # a transform produced a shape the model refuses: a bug
        ctx.issue(Severity.ERROR, "map.internal", f"the mapped record does not fit the model: {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}")
        return None


def _embargo(ctx: Context, draft: dict[str, Any]) -> None:
    """Profile rule: ``Access`` c_f1cf (embargoed) carries ``@endDate``; other access values
    carry none (OpenAIRE Guidelines for CRIS Managers, Publication Access)."""
    end = draft.get("access_end_date")
    access = draft.get("access")
    if end and access is None:
        draft["access"] = EMBARGOED
        ctx.issue(Severity.INFO, "map.embargo-implied", f"an embargo end date ({end}) with no access right: written as embargoed access")
    elif end and access != EMBARGOED:
        del draft["access_end_date"]
        ctx.issue(Severity.INFO, "map.end-date-dropped", f"access {access} carries no end date in the profile; {end} is not written", value=end)
    elif access == EMBARGOED and not end:
        ctx.issue(Severity.WARNING, "map.embargo-without-end", "embargoed access without an end date (the profile's rules expect one)")
