"""The mapping file format: a YAML document checked by a pydantic schema.

A mapping says, for one source format, which source elements (XPath relative to the record
root) become which model fields, through which named transform, with which vocabulary
tables. Shared tables (COAR types, access rights, licences, languages) live in
``mappings/vocabularies.yaml``; a format's file adds its own. A user's override file names
the mapping it ``extends`` and adds table rows or rules; a rule with the ``name`` of a shipped
rule replaces it.

Errors name the file and the line: the YAML is composed node by node so every value keeps
the line it came from.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from crisbridge.errors import MappingError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# A part of a matched element: ``element/@attribute``, ``element/text()``, ``element/child``,
# or ``*/@attribute`` for the matched element whatever its name (the keys of ``no_place``).
PART_KEY = r"^(?:\*|[A-Za-z_][\w.-]*)/(?:@[A-Za-z_][\w.-]*|text\(\)|[A-Za-z_][\w.-]*)$"


class PartSpec(_Strict):
    """A part of what a rule matches that the rule does not read, named by its ``no_place`` key
    (which gives the reason, written once), with the conditions under which it is left out."""

    part: str = Field(pattern=PART_KEY, description="A no_place key: element/@attribute, element/text(), element/child or */@attribute.")
    when: str | None = Field(None, description="XPath 1.0 test on the element holding the part: left out only when true.")
    unless: str | None = Field(None, description="XPath 1.0 test on the element holding the part: read when true.")
    _line: int | None = PrivateAttr(None)  # set by the loader, see PlacedRule

    @property
    def line(self) -> int | None:
        return self._line


class PlacedRule(_Strict):
    """A rule that knows where it was written: its file, its first line and the line of each
    key below it, set by the loader (reader and writer mappings alike), so that an error names
    the key at fault. Private, so that neither a mapping file nor the printed JSON Schema can
    set them, and an override's rule keeps its own file when merged into the shipped mapping
    (errors must name the file the user wrote)."""

    _line: int | None = PrivateAttr(None)
    _file: str | None = PrivateAttr(None)
    # the line of each key and item below the rule, by its path (("options", "rewrite", 0, "pattern"))
    _key_lines: dict[tuple[Any, ...], int] = PrivateAttr(default_factory=dict)

    @property
    def line(self) -> int | None:
        return self._line

    @line.setter
    def line(self, value: int | None) -> None:
        self._line = value

    @property
    def file(self) -> str | None:
        return self._file

    @file.setter
    def file(self, value: str | None) -> None:
        self._file = value

    def line_of(self, *key: Any) -> int | None:
        """The line of a key of the rule (``line_of("options", "patterns", 1)``), or of the
        nearest key above it the loader saw; the rule's first line when none."""
        for cut in range(len(key), 0, -1):
            if key[:cut] in self._key_lines:
                return self._key_lines[key[:cut]]
        return self._line


def place_rules(spec: Any, lines: dict[tuple[Any, ...], int], path: Path) -> None:
    """Tell each rule of a loaded spec its file, its line and its keys' lines."""
    below: dict[Any, dict[tuple[Any, ...], int]] = {}
    for where, line in lines.items():
        if len(where) > 2 and where[0] == "rules":
            below.setdefault(where[1], {})[where[2:]] = line
    for i, rule in enumerate(spec.rules):
        rule.line = lines.get(("rules", i))
        rule._key_lines = below.get(i, {})
        rule.file = str(path)


class RuleSpec(PlacedRule):
    name: str | None = Field(None, description="Stable rule name; an override rule with the same name replaces it.")
    match: str = Field(description="XPath relative to the record root, with the file's namespace prefixes.")
    to: list[str] = Field(description="Model field(s) the rule writes.")
    transform: str = Field("text", description="Name of a registered transform.")
    table: str | None = Field(None, description="Vocabulary table the transform looks values up in.")
    when: str | None = Field(None, description="Regular expression the value must match for the rule to apply.")
    options: dict[str, Any] = Field(default_factory=dict, description="Extra settings for the transform.")
    note: str | None = Field(None, description="Why the rule exists; cite the guideline.")
    leaves_out: list[PartSpec] = Field(
        default_factory=list,
        description="Parts of the matched element the rule does not read (no_place keys, optionally with when/unless):"
        " each present one is reported per record as map.part-not-mapped with its no_place reason.",
    )
    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("leaves_out", mode="before")
    @classmethod
    def _bare_keys(cls, value: Any) -> Any:
        # a part read in no case is written as its bare key
        return [{"part": v} if isinstance(v, str) else v for v in value] if isinstance(value, list) else value


class MappingSpec(_Strict):
    format: str | None = Field(None, description="Source format this mapping reads (oai_dc, datacite, oai_openaire).")
    extends: str | None = Field(None, description="For override files: the mapping this file adds to.")
    description: str | None = None
    namespaces: dict[str, str] = Field(default_factory=dict)
    root_prefix: str | None = Field(
        None, description="Prefix bound to whatever namespace the record root has (DataCite kernel 2, 3 and 4)."
    )
    default_type: str | None = Field(None, description="COAR type used when no rule finds one.")
    source_id: list[str] = Field(default_factory=list, description="XPaths tried in turn for the record's identifier.")
    no_place: dict[str, str] = Field(
        default_factory=dict,
        description="Source elements the profile has no place for, with the reason (reported, never silent).",
    )
    rules: list[RuleSpec] = Field(default_factory=list)
    tables: dict[str, dict[str, Any]] = Field(default_factory=dict)
    _file: str | None = PrivateAttr(None)  # set by the loader, see RuleSpec
    _table_lines: dict[str, int] = PrivateAttr(default_factory=dict)

    @property
    def file(self) -> str | None:
        return self._file

    def table_line(self, name: str) -> int | None:
        """The line a table starts on in the file it was loaded from."""
        return self._table_lines.get(name)

    @file.setter
    def file(self, value: str | None) -> None:
        self._file = value


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records the line of every mapping key and sequence item."""


def _compose_with_lines(path: str, text: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    lines: dict[tuple[Any, ...], int] = {}
    try:
        node = yaml.compose(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise MappingError(path, line, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if node is None:
        raise MappingError(path, 1, "the file is empty")

    def build(n: yaml.Node, where: tuple[Any, ...]) -> Any:
        # a key's own line, set by its parent, wins over the line its value starts on
        lines.setdefault(where, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in n.value:
                key = _LineLoader(text).construct_object(key_node) if not isinstance(key_node, yaml.ScalarNode) else key_node.value
                if key in out:
                    raise MappingError(path, key_node.start_mark.line + 1, f"key {key!r} appears twice")
                lines[where + (key,)] = key_node.start_mark.line + 1
                out[key] = build(value_node, where + (key,))
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(item, where + (i,)) for i, item in enumerate(n.value)]
        loader = _LineLoader("")
        return loader.construct_object(n, deep=True)

    return build(node, ()), lines


class ProfileSpec(_Strict):
    """A CERIF profile version's layout (``mappings/profiles/cerif-<version>.yaml``)."""

    version: str
    namespace: str
    metadata_prefix: str
    tables: dict[str, dict[str, Any]]


_M = typing.TypeVar("_M", bound=BaseModel)


def _load(path: Path, model: type[_M]) -> tuple[_M, dict[tuple[Any, ...], int]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(name, None, f"cannot be read: {exc.strerror}") from None
    data, lines = _compose_with_lines(name, text)
    if not isinstance(data, dict):
        raise MappingError(name, 1, "a mapping file is a YAML mapping (key: value) at the top")
    try:
        return model.model_validate(data), lines
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        line = None
        for cut in range(len(loc), -1, -1):
            if loc[:cut] in lines:
                line = lines[loc[:cut]]
                break
        where = ".".join(str(p) for p in loc)
        raise MappingError(name, line, f"{where}: {first['msg']}") from None


def load_spec(path: Path) -> MappingSpec:
    spec, lines = _load(path, MappingSpec)
    place_rules(spec, lines, path)
    for i, rule in enumerate(spec.rules):
        for j, part in enumerate(rule.leaves_out):
            part._line = lines.get(("rules", i, "leaves_out", j))
    spec.file = str(path)
    spec._table_lines = {name: line for name in spec.tables if (line := lines.get(("tables", name))) is not None}
    return spec


def load_profile(path: Path) -> ProfileSpec:
    return _load(path, ProfileSpec)[0]


def json_schema() -> dict[str, Any]:
    return MappingSpec.model_json_schema()
