"""Checks across the records of one CRIS: the euroCRIS validator's checks 5a and 5b
(``validator/CHECKS.md``) and the OAI identifier rules of the OpenAIRE Guidelines for CRIS
Managers ("OAI identifiers": ``oai:{CRIS_identifier}:{Type}s/{internal id}``).

- OAI identifiers are unique (``cross.duplicate-identifier``, an error: a harvester keeps one
  of the two records). They are of the form ``oai:{host}:{Type}s/{id}`` for the entity the
  record holds, with the same value in the entity's ``@id`` (profile 1.2 writes
  ``@id="Publications/1"``, 1.1 the bare ``@id="1"``; both name ``oai:{host}:Publications/1``),
  and one host: the Identify response's ``repositoryIdentifier`` when there is one. A header
  that breaks the form is an envelope slip, a warning about the file (DESIGN 3): references
  are resolved by the entities' ids, which the payload carries. The official 1.2 equipment
  sample has such headers (``oai:cris.example.org:82394874`` for ``Equipments/82394874``).
- Every ``@id`` of an embedded entity resolves to a top-level record of the same kind (5a).
- An embedded copy holds nothing the top-level record does not (5b; the guidelines: "the
  neighbouring object XML shall never contain more information or different information from
  what is expressed in the main record"). A single-valued property with another value is a
  ``cross.conflict``; a value the record lacks is ``cross.embedded-extra``. Both are errors,
  as in the euroCRIS validator, which compares the same way: element by element, attributes
  included, each embedded element matching some element of the record.

Records are added one at a time; each keeps only a compact tree of its entity, so a harvest
is checked without holding its documents. ``finish`` returns the issues per record.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from crisbridge.issues import Issue, Location, Severity
from crisbridge.mapping.registry import profile
from crisbridge.model import EntityKind
from crisbridge.readers.cerif import entity_path, is_entity, local_name, text_of
from crisbridge.words import with_article

OAI_IDENTIFIER = re.compile(r"oai:(?P<host>[^:\s]+):(?P<rest>\S+)")
# Containers whose children are all members of one repeatable list.
CONTAINERS = {"Authors", "Editors", "Publishers", "Creators", "Inventors", "Holders", "Consortium", "Team", "FileLocations"}


class Node(NamedTuple):
    """An element as the comparison sees it: tag with its attributes, trimmed text, children."""

    name: str
    tag: str
    value: str
    children: tuple[Node, ...]


def node(el: Any) -> Node:
    children = tuple(node(c) for c in el if isinstance(c.tag, str))
    attrs = "".join(f'[@{k}="{v}"]' for k, v in sorted(el.attrib.items()))
    return Node(el.tag + attrs, el.tag, "" if children else text_of(el), children)


def collection(kind: str) -> str:
    return EntityKind(kind).collection


def entity_key(kind: str, entity_id: str) -> str:
    """``Publications/1`` for ``@id`` ``Publications/1`` (1.2) and ``1`` (1.1) alike."""
    prefix = collection(kind) + "/"
    return entity_id if entity_id.startswith(prefix) else prefix + entity_id


@dataclass(slots=True)
class _Top:
    ref: Hashable
    file: str
    oai_identifier: str | None
    kind: str
    key: str
    tree: Node


@dataclass(slots=True)
class _Embedded:
    ref: Hashable
    file: str
    oai_identifier: str | None
    kind: str
    key: str
    xpath: str
    tree: Node


@dataclass
class CrossRecordChecker:
    """The records of one CRIS in one profile version."""

    version: str
    tops: dict[str, _Top] = field(default_factory=dict)
    embedded: list[_Embedded] = field(default_factory=list)
    identifiers: dict[str, Hashable] = field(default_factory=dict)
    hosts: list[tuple[Hashable, str, str, str]] = field(default_factory=list)  # ref, file, identifier, host
    issues: dict[Hashable, list[Issue]] = field(default_factory=dict)
    notes: list[Issue] = field(default_factory=list)

    def __post_init__(self) -> None:
        layout = profile(self.version).tables["elements"]
        self._repeatable = {entity: {n.rstrip("*") for n in names if n.endswith("*")} for entity, names in layout.items()}

    # -- adding records -----------------------------------------------------------------

    def add(self, ref: Hashable, file: str, oai_identifier: str | None, entity: Any) -> None:
        """A top-level record: its OAI identifier (None for a bare entity file) and entity element."""
        kind = local_name(entity)
        entity_id = entity.get("id")
        where = Location(file=file, record=oai_identifier or entity_id, xpath=entity_path(entity), line=entity.sourceline)
        if oai_identifier is not None:
            self._identifier(ref, file, oai_identifier, kind, entity_id, where)
        if not entity_id:
            self._add(ref, Issue(code="cross.missing-id", severity=Severity.ERROR, location=where,
                                 message=f"the {kind} has no id attribute; the guidelines make it mandatory, and no other record can point at it"))
        else:
            key = entity_key(kind, entity_id)
            if key in self.tops and oai_identifier is None:
                self._add(ref, Issue(code="cross.duplicate-identifier", severity=Severity.ERROR, location=where,
                                     message=f"{key} is also the id of {with_article(kind)} in {self.tops[key].file}; ids are unique"))
            self.tops.setdefault(key, _Top(ref, file, oai_identifier, kind, key, node(entity)))
        for el in entity.iter():
            if el is entity or not isinstance(el.tag, str) or not is_entity(el) or not el.get("id"):
                continue
            inner = local_name(el)
            self.embedded.append(_Embedded(ref, file, oai_identifier or entity_id, inner, entity_key(inner, el.get("id")), entity_path(el), node(el)))

    def add_deleted(self, ref: Hashable, file: str, oai_identifier: str) -> None:
        """A deleted header: its identifier still counts for uniqueness."""
        if oai_identifier in self.identifiers:
            self._add(ref, Issue(code="cross.duplicate-identifier", severity=Severity.ERROR,
                                 location=Location(file=file, record=oai_identifier),
                                 message=f"the OAI identifier {oai_identifier} is used by an earlier record too; identifiers are unique (CHECKS 5)"))
        self.identifiers.setdefault(oai_identifier, ref)

    def _identifier(self, ref: Hashable, file: str, identifier: str, kind: str, entity_id: str | None, where: Location) -> None:
        if identifier in self.identifiers:
            self._add(ref, Issue(code="cross.duplicate-identifier", severity=Severity.ERROR, location=where,
                                 message=f"the OAI identifier {identifier} is used by an earlier record too; identifiers are unique (CHECKS 5)"))
        self.identifiers.setdefault(identifier, ref)
        match = OAI_IDENTIFIER.fullmatch(identifier)
        expected_rest = entity_key(kind, entity_id) if entity_id else f"{collection(kind)}/{{id}}"
        if match is None or not match["rest"].startswith(collection(kind) + "/"):
            self.notes.append(Issue(code="cross.identifier-form", severity=Severity.WARNING, location=where,
                                    message=f"{file}: the OAI identifier {identifier} is not of the form oai:{{host}}:{expected_rest} "
                                            f"the guidelines give for {with_article(kind)} (an envelope slip: references use the id)"))
            return
        self.hosts.append((ref, file, identifier, match["host"]))
        if entity_id and match["rest"] != expected_rest:
            self.notes.append(Issue(code="cross.identifier-mismatch", severity=Severity.WARNING, location=where,
                                    message=f"{file}: the OAI identifier {identifier} and the {kind}'s id {entity_id!r} name different "
                                            f"records (expected oai:{match['host']}:{expected_rest}; an envelope slip: references use the id)"))

    # -- the checks across records ------------------------------------------------------

    def finish(self, repository_identifier: str | None = None) -> tuple[dict[Hashable, list[Issue]], list[Issue]]:
        """Issues per record, and notes about the files (envelope slips) and the set as a whole."""
        notes = self.notes
        self._hosts(repository_identifier)
        present = {t.kind for t in self.tops.values()}
        unchecked: Counter[str] = Counter()
        for emb in self.embedded:
            top = self.tops.get(emb.key)
            where = Location(file=emb.file, record=emb.oai_identifier, xpath=emb.xpath)
            if top is None or top.kind != emb.kind:
                if emb.kind not in present:
                    unchecked[emb.kind] += 1
                    continue
                self._add(emb.ref, Issue(code="cross.unresolved-reference", severity=Severity.ERROR, location=where,
                                         message=f"the embedded {emb.kind} {emb.key} is not a record of this CRIS: no top-level {emb.kind} has that id (CHECKS 5a)"))
                continue
            difference = self._difference(emb.tree, top.tree, emb.kind, emb.xpath)
            if difference is not None:
                code, path, ours, theirs = difference
                record = top.oai_identifier or top.key
                if code == "cross.conflict":
                    message = (f"the copy of {emb.key} embedded here gives {_label(path)} {_show(ours)}, "
                               f"the record {record} gives {_show(theirs)}; embedded copies never contradict the record (CHECKS 5b)")
                else:
                    message = (f"the copy of {emb.key} embedded here has {_label(path)} {_show(ours)}, which the record {record} does not; "
                               "an embedded copy may hold less than the record, never more (CHECKS 5b)")
                self._add(emb.ref, Issue(code=code, severity=Severity.ERROR, message=message,
                                         location=Location(file=emb.file, record=emb.oai_identifier, xpath=path, value=ours.value or None)))
        for kind, count in sorted(unchecked.items()):
            notes.append(Issue(code="cross.reference-not-checked", severity=Severity.INFO,
                               message=f"{count} embedded {kind} references not resolved: the input holds no {kind} records (profile {self.version})",
                               location=Location()))
        return self.issues, notes

    def _hosts(self, repository_identifier: str | None) -> None:
        if not self.hosts:
            return
        expected = repository_identifier or Counter(h for _, _, _, h in self.hosts).most_common(1)[0][0]
        source = "the Identify response's repositoryIdentifier" if repository_identifier else "the host most records use"
        for ref, file, identifier, host in self.hosts:
            if host != expected:
                self.notes.append(Issue(code="cross.identifier-host", severity=Severity.WARNING, location=Location(file=file, record=identifier),
                                        message=f"{file}: the OAI identifier {identifier} names host {host!r}, not {expected!r} ({source}; "
                                                "an envelope slip)"))

    def _difference(self, ours: Node, theirs: Node, entity: str, path: str) -> tuple[str, str, Node, Node] | None:
        """The first thing the embedded tree holds that the record's does not, or None."""
        for child in ours.children:
            if any(_subset(child, c) for c in theirs.children if c.name == child.name):
                continue
            child_path = f"{path}/{_local(child.tag)}"
            same_tag = [c for c in theirs.children if c.tag == child.tag]
            if not same_tag or self._is_repeatable(entity, ours, child):
                return "cross.embedded-extra", child_path, child, child
            other = same_tag[0]
            if other.name == child.name and child.children:
                inner = _local(child.tag) if is_entity_name(child.tag) else entity
                return self._difference(child, other, inner, child_path)
            return "cross.conflict", child_path, child, other
        if ours.value != theirs.value:
            return "cross.conflict", path, ours, theirs
        return None

    def _is_repeatable(self, entity: str, parent: Node, child: Node) -> bool:
        parent_name = _local(parent.tag)
        if parent_name in CONTAINERS:
            return True
        if parent_name == entity:
            return _local(child.tag) in self._repeatable.get(entity, set())
        return False

    def _add(self, ref: Hashable, issue: Issue) -> None:
        self.issues.setdefault(ref, []).append(issue)


def _subset(a: Node, b: Node) -> bool:
    if a.name != b.name or a.value != b.value:
        return False
    return all(any(_subset(c, d) for d in b.children if d.name == c.name) for c in a.children)


def _local(tag: str) -> str:
    return tag[tag.index("}") + 1 :] if tag.startswith("{") else tag


def is_entity_name(tag: str) -> bool:
    return _local(tag) in {k.value for k in EntityKind}


def _label(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _show(n: Node) -> str:
    if n.value:
        return repr(n.value)
    attrs = n.name[len(n.tag):]
    return attrs or "(an element with other content)"


__all__ = ["CrossRecordChecker", "entity_key", "node"]
