"""Model outputs -> the repository formats (oai_dc, DataCite kernel 4), driven by mapping files.

A writer mapping (``mappings/out/<format>.yaml``) says which model field becomes which element,
through which named write function. Its vocabularies are the source mappings' tables read
backwards (``reverse:``): ``info:eu-repo/semantics/article -> COAR c_6501`` is written once, in
``vocabularies/common.yaml``, and serves both directions. Where a forward table maps several keys
to one value, ``prefer`` names the key written back; a reverse table that stays ambiguous is
refused when the file is loaded, with the file and line, rather than picking a key by accident.

A user's override file (``--mapping FILE`` with ``extends: out/datacite``) adds table rows and
rules, or replaces a rule by its name, as an override of a source mapping does.

Nothing is dropped silently: a model field with a value and no rule is reported
(``out.no-rule``), a field the format has no place for is reported with the reason the mapping
file gives (``out.no-place``), and a value a write function cannot express is reported by it.

    >>> writer = RepositoryWriter("datacite")
    >>> element, issues = writer.write(publication, record="oai:x:1")
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree
from pydantic import Field, PrivateAttr, field_validator

from crisbridge.errors import MappingError, RegistryError, UnknownFormatError
from crisbridge.issues import Issue, Location, Severity
from crisbridge.mapping import registry
from crisbridge.mapping.spec import PlacedRule, _load, _Strict, load_spec, place_rules
from crisbridge.model import LangString, ResearchOutput, display
from crisbridge.words import with_article

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OUT_DIR = "out"
# Writer mappings shipped, one per target format, in one explicit table (STYLE: registries).
SHIPPED_OUT: dict[str, str] = {"oai_dc": "out/oai_dc.yaml", "datacite": "out/datacite.yaml"}
# Fields every output has that are not metadata of the work (the entity's own id and kind).
_NOT_METADATA = frozenset({"id", "entity"})


# -- the mapping file ----------------------------------------------------------------------


class ReverseSpec(_Strict):
    table: str | None = Field(None, description="A table of the shared vocabularies or of the source mapping, read backwards.")
    rule: str | None = Field(None, description="Or: the source mapping rule whose `option` (a mapping) is read backwards.")
    option: str | None = Field(None, description="With `rule`: the name of the option.")
    keys: str | None = Field(None, description="Regular expression: only rows whose key matches are read backwards.")
    value: str | None = Field(None, description="For rows whose value is a mapping: the item the table is read backwards by.")
    prefer: dict[str, str] = Field(
        default_factory=dict, description="Value -> the key written back, where several keys share that value."
    )


class OutRuleSpec(PlacedRule):
    name: str = Field(description="Stable rule name; round-trip reports name the rule that wrote a value.")
    from_: list[str] = Field(alias="from", description="Model field(s) the rule reads.")
    to: str = Field(description="Element path the values become, with the file's prefixes (datacite:creators/datacite:creator).")
    write: str = Field("text", description="Name of a registered write function.")
    table: str | None = Field(None, description="A reverse table (see `reverse`) or a table of this file.")
    options: dict[str, Any] = Field(default_factory=dict, description="Extra settings for the write function.")
    note: str | None = Field(None, description="Why the rule exists; cite the guideline.")

    @field_validator("from_", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @property
    def where(self) -> str:
        name = Path(self._file).name if self._file else "?"
        return f"{name}:{self._line}" if self._line else name


class OutSpec(_Strict):
    format: str
    description: str | None = None
    reads_back_with: str = Field(description="The source mapping that reads this format (round trips read the output with it).")
    root: str = Field(description="The record's root element, prefixed.")
    namespaces: dict[str, str]
    default_namespace: str | None = Field(None, description="Prefix written as the default namespace (no prefix) in the output.")
    schema_location: str | None = None
    reverse: dict[str, ReverseSpec] = Field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = Field(default_factory=dict)
    no_place: dict[str, str] = Field(
        default_factory=dict, description="Model fields the format has no place for, with the reason (reported, never silent)."
    )
    required: dict[str, str | None] = Field(
        default_factory=dict,
        description="Elements the format's schema requires -> the placeholder written when no rule wrote one (none: the record fails).",
    )
    rules: list[OutRuleSpec]
    _file: str | None = PrivateAttr(None)
    _lines: dict[tuple[Any, ...], int] = PrivateAttr(default_factory=dict)

    @property
    def file(self) -> str | None:
        return self._file

    def line_of(self, *where: Any) -> int | None:
        return self._lines.get(where)


class OutOverrideSpec(_Strict):
    """A user's override of a writer mapping (``--mapping FILE``), as a source mapping's
    override works: its tables add or replace rows of the writer's tables (reverse tables
    included), its rules are added, and a rule with the ``name`` of one of the writer's replaces
    it in place."""

    extends: str = Field(description="The writer mapping this file adds to, as `mappings list` names it (out/datacite, out/oai_dc).")
    description: str | None = None
    namespaces: dict[str, str] = Field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Table -> rows added to it, or replacing its rows.")
    no_place: dict[str, str] = Field(default_factory=dict)
    rules: list[OutRuleSpec] = Field(default_factory=list)
    _file: str | None = PrivateAttr(None)
    _lines: dict[tuple[Any, ...], int] = PrivateAttr(default_factory=dict)

    @property
    def file(self) -> str | None:
        return self._file

    @property
    def target(self) -> str:
        """The format of the writer mapping it extends (``datacite``)."""
        return self.extends.removeprefix(registry.WRITER_PREFIX)

    def line_of(self, *where: Any) -> int | None:
        return self._lines.get(where)


def out_path(name: str) -> Path:
    try:
        return registry.mappings_dir() / SHIPPED_OUT[name]
    except KeyError:
        raise UnknownFormatError(f"no writer for format {name!r}; known: {', '.join(sorted(SHIPPED_OUT))}") from None


def is_writer_mapping(path: Path) -> bool:
    """True for a file that reads like a writer mapping (it names ``reads_back_with``) or an
    override of one (``extends: out/datacite``)."""
    try:
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return False  # the mapping loader reports it, with the file and line
    return (isinstance(data, dict) and "reads_back_with" in data) or registry.extends_a_writer(path)


def _placed(spec: Any, lines: dict[Any, int], path: Path) -> Any:
    """The loaded spec and each of its rules told the file and lines they came from."""
    spec._file = str(path)
    spec._lines = lines
    place_rules(spec, lines, path)
    return spec


def load_out_spec(path: Path) -> OutSpec:
    spec: OutSpec = _placed(*_load(path, OutSpec), path)
    return spec


def load_out_override(path: Path) -> OutOverrideSpec:
    spec: OutOverrideSpec = _placed(*_load(path, OutOverrideSpec), path)
    lines = spec._lines
    if spec.target not in SHIPPED_OUT:
        raise MappingError(str(path), lines.get(("extends",)), f"extends unknown mapping {spec.extends!r}; known: {', '.join(registry.known_mappings())}")
    bad = sorted(set(spec.no_place) - set(ResearchOutput.model_fields))
    if bad:
        raise MappingError(str(path), lines.get(("no_place",)), f"no_place names unknown model field(s) {bad}")
    return spec


def merge_out(base: OutSpec, override: OutOverrideSpec) -> OutSpec:
    """The writer mapping with an override's rules, namespaces and no_place entries applied (its
    tables are applied by the writer, after the reverse tables are built)."""
    rules = list(base.rules)
    index = {r.name: i for i, r in enumerate(rules)}
    for rule in override.rules:
        if rule.name in index:
            rules[index[rule.name]] = rule
        else:
            index[rule.name] = len(rules)
            rules.append(rule)
    return base.model_copy(update={
        "rules": rules,
        "namespaces": {**base.namespaces, **override.namespaces},
        "no_place": {**base.no_place, **override.no_place},
    })


@lru_cache(maxsize=None)
def raw_tables(source_mapping: str) -> dict[str, dict[str, Any]]:
    """The shared vocabularies and the source mapping's own tables, keys spelt as written (the
    compiled tables fold keys to lower case, which would write ``bachelorthesis``)."""
    tables: dict[str, dict[str, Any]] = {}
    for rel in registry.VOCABULARIES:
        for name, rows in load_spec(registry.mappings_dir() / rel).tables.items():
            tables.setdefault(name, {}).update(rows)
    for name, rows in registry.shipped_spec(source_mapping).tables.items():
        tables.setdefault(name, {}).update(rows)
    return tables


def reverse_table(spec: OutSpec, name: str, rev: ReverseSpec) -> dict[str, str]:
    """value -> key for the rows of ``rev.table`` whose key matches ``rev.keys``; refused when a
    value keeps several keys and ``prefer`` does not say which is written back."""
    line = spec.line_of("reverse", name)
    where = spec.file or spec.format
    tables = raw_tables(spec.reads_back_with)
    if rev.rule is not None:
        # a vocabulary the source mapping keeps in a rule's options (EISSN -> the online medium)
        rules = {r.name: r for r in registry.shipped_spec(spec.reads_back_with).rules}
        rows = rules[rev.rule].options.get(rev.option or "") if rev.rule in rules else None
        if not isinstance(rows, dict):
            raise MappingError(where, line, f"reverse table {name!r}: {spec.reads_back_with} has no rule {rev.rule!r} with a mapping option {rev.option!r}")
        tables = {**tables, f"{rev.rule}.{rev.option}": rows}
        rev = rev.model_copy(update={"table": f"{rev.rule}.{rev.option}"})
    if rev.table is None or rev.table not in tables:
        raise MappingError(where, line, f"reverse table {name!r}: unknown table {rev.table!r}; known: {', '.join(sorted(tables))}")
    try:
        wanted = re.compile(rev.keys) if rev.keys else None
    except re.error as exc:
        raise MappingError(where, line, f"reverse table {name!r}: bad regular expression: {exc}") from None
    candidates: dict[str, list[str]] = {}
    for key, value in tables[rev.table].items():
        key = str(key)
        if wanted is not None and not wanted.search(key):
            continue
        if isinstance(value, dict):
            if rev.value is None or rev.value not in value:
                continue
            value = value[rev.value]
        candidates.setdefault(str(value), []).append(key)
    out: dict[str, str] = {}
    folded = {str(k).lower() for k in tables[rev.table]}
    for value, key in rev.prefer.items():
        # a preferred key must read back to the same value, or the two directions disagree
        if key.lower() not in folded:
            raise MappingError(where, line, f"reverse table {name!r}: preferred key {key!r} is not a key of {rev.table}")
        out[value] = key
    ambiguous = sorted(v for v, keys in candidates.items() if len(keys) > 1 and v not in out)
    if ambiguous:
        shown = "; ".join(f"{v}: {', '.join(candidates[v])}" for v in ambiguous[:5])
        raise MappingError(where, line, f"reverse table {name!r}: several keys of {rev.table} share a value, and `prefer` does not say which to write back ({shown})")
    for value, keys in candidates.items():
        out.setdefault(value, keys[0])
    return out


# -- write functions ------------------------------------------------------------------------

WriteFn = Callable[[Any, "Rule", "OutContext"], Any]
# Checks a rule's options when the mapping file is loaded: what is wrong with them, or None.
OptionCheck = Callable[[OutRuleSpec], str | None]
WRITERS: dict[str, WriteFn] = {}
OPTION_CHECKS: dict[str, OptionCheck] = {}


def writer(name: str, check: OptionCheck | None = None) -> Callable[[WriteFn], WriteFn]:
    """Register a write function: ``fn(value, rule, ctx)`` returns the element(s) for one value
    of the rule's field (one item of a list field), or None when it wrote nothing (it reports
    why). ``check(rule)``, when given, vets the options of every rule that names the function
    as its file is loaded, so a bad option is refused with the file and line before any record
    is written, not met halfway through a batch."""

    def register(fn: WriteFn) -> WriteFn:
        if name in WRITERS:
            raise RegistryError(f"write function {name!r} is registered twice")
        WRITERS[name] = fn
        if check is not None:
            OPTION_CHECKS[name] = check
        return fn

    return register


def get_writer(name: str) -> WriteFn:
    _load_plugins()
    try:
        return WRITERS[name]
    except KeyError:
        raise RegistryError(f"unknown write function {name!r}; known: {', '.join(sorted(WRITERS))}") from None


def _load_plugins() -> None:
    # the format modules register their write functions on import
    from crisbridge.writers import datacite, dc  # noqa: F401


@dataclass
class Rule:
    spec: OutRuleSpec
    fn: WriteFn
    table: dict[str, Any]
    leaf: str  # Clark name of the element the rule writes
    wrappers: list[str]  # Clark names of the wrappers above it, outermost first

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def options(self) -> dict[str, Any]:
        return self.spec.options


@dataclass
class OutContext:
    """Per-record state while writing: the entity, issues, and which rule wrote which element."""

    writer: RepositoryWriter
    entity: ResearchOutput
    record: str | None
    file: str | None
    # The datestamp of the OAI-PMH header the record came under; None for a bare record.
    datestamp: str | None = None
    issues: list[Issue] = field(default_factory=list)
    written_by: dict[Any, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return str(getattr(self.entity, "entity", "Publication"))

    def q(self, prefixed: str) -> str:
        return self.writer.clark(prefixed)

    def el(self, prefixed: str, text: str | None = None, attrs: dict[str, str | None] | None = None, parent: Any = None) -> Any:
        """A new element (under ``parent`` when given); attributes whose value is None are left out."""
        clean = {self.q(k) if ":" in k and not k.startswith("{") else k: v for k, v in (attrs or {}).items() if v is not None}
        el = etree.SubElement(parent, self.q(prefixed), clean) if parent is not None else etree.Element(self.q(prefixed), clean)
        if text is not None:
            el.text = text
        return el

    def issue(self, severity: Severity, code: str, message: str, rule: Rule | None = None, value: str | None = None) -> None:
        path = f"{rule.name} ({rule.spec.where})" if rule is not None else None
        self.issues.append(Issue(code=code, severity=severity, message=message,
                                 location=Location(file=self.file, record=self.record, path=path, value=value)))

    def table(self, name: str) -> dict[str, Any]:
        return self.writer.tables[name]

    def shared(self, name: str) -> dict[str, Any]:
        """A forward table, keys folded to lower case (as the source mappings look them up)."""
        return registry.shared_tables().get(name, {})


class RepositoryWriter:
    """Writes research outputs in one repository format; reusable across records."""

    def __init__(self, name: str, path: Path | None = None, overrides: Sequence[OutOverrideSpec] = ()) -> None:
        self.spec = load_out_spec(path or out_path(name))
        for override in overrides:
            self.spec = merge_out(self.spec, override)
        self.name = self.spec.format
        self.ns = dict(self.spec.namespaces)
        where = self.spec.file or self.name
        self.tables: dict[str, dict[str, Any]] = {k: dict(v) for k, v in self.spec.tables.items()}
        for tname, rev in self.spec.reverse.items():
            if tname in self.tables:
                raise MappingError(where, self.spec.line_of("reverse", tname), f"table {tname!r} is both a reverse table and a table of this file")
            self.tables[tname] = reverse_table(self.spec, tname, rev)
        shipped_tables = set(self.tables)
        for override in overrides:
            for tname, rows in override.tables.items():
                self.tables.setdefault(tname, {}).update(rows)
        self.root = self.clark(self.spec.root)
        self.rules = [self._compile(r) for r in self.spec.rules]
        read_by_rules = {r.table for r in self.spec.rules if r.table}
        for override in overrides:
            for tname in override.tables:
                # a table no rule reads is a misspelling: its rows would never be written
                if tname not in shipped_tables and tname not in read_by_rules:
                    raise MappingError(override.file or where, override.line_of("tables", tname),
                                       f"table {tname!r} is read by no rule and extends no table of {self.spec.file} (misspelt?); "
                                       f"known tables: {', '.join(sorted(shipped_tables | read_by_rules))}")
        self.covered = {f for r in self.spec.rules for f in r.from_} | set(self.spec.no_place)
        fields = set(ResearchOutput.model_fields)
        for r in self.spec.rules:
            bad = [f for f in r.from_ if f not in fields]
            if bad:
                raise MappingError(r.file or where, r.line_of("from"), f"unknown model field(s) {bad}")
        bad_places = sorted(set(self.spec.no_place) - fields)
        if bad_places:
            raise MappingError(where, self.spec.line_of("no_place"), f"no_place names unknown model field(s) {bad_places}")
        default = self.spec.default_namespace
        self.nsmap = {(None if p == default else p): uri for p, uri in self.ns.items()}
        if self.spec.schema_location:
            self.nsmap.setdefault("xsi", XSI)

    def clark(self, prefixed: str) -> str:
        if prefixed.startswith("{"):
            return prefixed
        prefix, _, local = prefixed.rpartition(":")
        if not prefix:
            return local
        if prefix == "xml":
            return f"{{http://www.w3.org/XML/1998/namespace}}{local}"
        try:
            return f"{{{self.ns[prefix]}}}{local}"
        except KeyError:
            raise MappingError(self.spec.file or self.name, None, f"namespace prefix {prefix!r} is not declared") from None

    def _compile(self, rule: OutRuleSpec) -> Rule:
        try:
            fn = get_writer(rule.write)
        except RegistryError as exc:
            raise MappingError(rule.file or self.name, rule.line_of("write"), str(exc)) from None
        check = OPTION_CHECKS.get(rule.write)
        problem = check(rule) if check is not None else None
        if problem:
            raise MappingError(rule.file or self.name, rule.line_of("options"), f"rule {rule.name!r}: {problem}")
        table: dict[str, Any] = {}
        if rule.table is not None:
            if rule.table not in self.tables:
                raise MappingError(rule.file or self.name, rule.line_of("table"), f"unknown table {rule.table!r}; known: {', '.join(sorted(self.tables))}")
            table = self.tables[rule.table]
        steps = rule.to.split("/")
        try:
            tags = [self.clark(step) for step in steps]
        except MappingError as exc:
            raise MappingError(rule.file or self.name, rule.line_of("to"), exc.reason) from None
        return Rule(rule, fn, table, tags[-1], tags[:-1])

    # -- writing ------------------------------------------------------------------------

    def write(self, entity: Any, record: str | None = None, file: str | None = None, datestamp: str | None = None) -> tuple[Any, list[Issue]]:
        """The record's root element, and what could not be written (an element of None, with
        an error, when the entity is not a research output). ``datestamp`` is the OAI-PMH header's,
        when the record came in a response: the last date a rule may fall back on."""
        element, ctx = self.write_traced(entity, record, file, datestamp)
        return element, ctx.issues

    def write_traced(self, entity: Any, record: str | None = None, file: str | None = None,
                     datestamp: str | None = None) -> tuple[Any, OutContext]:
        """As ``write``, with the context that says which rule wrote each element."""
        if not isinstance(entity, ResearchOutput):
            kind = getattr(entity, "entity", type(entity).__name__)
            ctx = OutContext(self, ResearchOutput(), record, file)
            ctx.issue(Severity.ERROR, "out.not-an-output",
                      f"{with_article(str(kind))} is not a research output: {self.name} records are written for Publications, Products "
                      "and Patents only (the outputs that refer to it carry what the format has a place for)")
            return None, ctx
        ctx = OutContext(self, entity, record, file, datestamp)
        root = etree.Element(self.root, nsmap=self.nsmap)  # type: ignore[arg-type]
        if self.spec.schema_location:
            root.set(f"{{{XSI}}}schemaLocation", self.spec.schema_location)
        wrappers: dict[tuple[str, ...], Any] = {}
        for rule in self.rules:
            for value in self._values(entity, rule):
                try:
                    produced = rule.fn(value, rule, ctx)
                except _Refused as refused:
                    ctx.issue(refused.severity, refused.code, refused.message, rule, refused.value)
                    continue
                for el in _elements(produced):
                    self._place(root, rule, el, wrappers)
                    ctx.written_by[el] = rule.name
        for path, placeholder in self.spec.required.items():
            self._require(root, path, placeholder, wrappers, ctx)
        for name in ResearchOutput.model_fields:
            if name in _NOT_METADATA or not getattr(entity, name):
                continue
            if name in self.spec.no_place:
                ctx.issue(Severity.INFO, "out.no-place", f"{name} not written: {self.spec.no_place[name]}", value=_short(getattr(entity, name)))
            elif name not in self.covered:
                ctx.issue(Severity.WARNING, "out.no-rule", f"{name} not written: {self.spec.file} has no rule for it", value=_short(getattr(entity, name)))
        return root, ctx

    @staticmethod
    def _values(entity: Any, rule: Rule) -> Iterator[Any]:
        if len(rule.spec.from_) > 1:
            # a rule over several fields gets them together (the identifier and its alternatives)
            yield {f: getattr(entity, f) for f in rule.spec.from_}
            return
        value = getattr(entity, rule.spec.from_[0])
        if isinstance(value, list):
            yield from (v for v in value if v is not None)
        elif value is not None and value != {}:
            yield value

    def _place(self, root: Any, rule: Rule, el: Any, wrappers: dict[tuple[str, ...], Any]) -> None:
        parent = root
        path: tuple[str, ...] = ()
        for tag in rule.wrappers:
            path += (tag,)
            holder = wrappers.get(path)
            if holder is None:
                holder = wrappers[path] = etree.SubElement(parent, tag)
            parent = holder
        parent.append(el)

    def _require(self, root: Any, path: str, placeholder: str | None, wrappers: dict[tuple[str, ...], Any], ctx: OutContext) -> None:
        tags = [self.clark(step) for step in path.split("/")]
        if wrappers.get(tuple(tags)) is not None or _find(root, tags) is not None:
            return
        if placeholder is None:
            ctx.issue(Severity.ERROR, "out.missing-required", f"{path} is required by the {self.name} schema and the output has nothing to fill it with")
            return
        parent = root
        for tag in tags[:-1]:
            found = parent.find(tag)
            parent = found if found is not None else etree.SubElement(parent, tag)
        el = etree.SubElement(parent, tags[-1])
        el.text = placeholder
        ctx.issue(Severity.WARNING, "out.placeholder", f"{path} is required by the {self.name} schema; the output has none, {placeholder!r} is written")

    def tostring(self, element: Any) -> bytes:
        return etree.tostring(element, encoding="utf-8")


class _Refused(Exception):
    """Raised by a write function for a value it cannot write; becomes an issue of the rule."""

    def __init__(self, code: str, message: str, value: str | None = None, severity: Severity = Severity.INFO) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.value = value
        self.severity = severity


def refuse(code: str, message: str, value: str | None = None, severity: Severity = Severity.INFO) -> _Refused:
    """``raise refuse(...)`` in a write function: the value is not written, and the report says why."""
    return _Refused(code, message, value, severity)


def _elements(produced: Any) -> list[Any]:
    if produced is None:
        return []
    if isinstance(produced, (list, tuple)):
        return [p for p in produced if p is not None]
    return [produced]


def _find(root: Any, tags: list[str]) -> Any:
    node = root
    for tag in tags:
        node = node.find(tag)
        if node is None:
            return None
    return node


def _short(value: Any) -> str:
    """The value as a report shows it: as a user would write it (``v0.1``, ``Titre@fr``), not
    the model's repr, and at most 200 characters."""
    text = display(value)
    return text if len(text) <= 200 else text[:197] + "..."


# -- write functions every format uses -------------------------------------------------------


@writer("text")
def _text(value: Any, rule: Rule, ctx: OutContext) -> Any:
    return ctx.el(leaf(rule), str(value)) if str(value).strip() else None


@writer("template")
def _template(value: Any, rule: Rule, ctx: OutContext) -> Any:
    """The value inside the rule's ``template`` (``https://doi.org/{}``)."""
    return ctx.el(leaf(rule), str(rule.options["template"]).format(value))


@writer("lang_text")
def _lang_text(value: LangString, rule: Rule, ctx: OutContext) -> Any:
    return ctx.el(leaf(rule), value.value, {XML_LANG: value.lang})


@writer("lookup")
def _lookup(value: str, rule: Rule, ctx: OutContext) -> Any:
    """The key the rule's reverse table gives for the value."""
    key = rule.table.get(value)
    if key is None:
        raise refuse("out.no-term", f"{value} has no term in the {rule.spec.table} table; not written", value)
    return ctx.el(leaf(rule), key)


def leaf(rule: Rule) -> str:
    """The element name (prefixed) the rule writes."""
    return rule.spec.to.split("/")[-1]



@lru_cache(maxsize=None)
def shipped_writer(name: str) -> RepositoryWriter:
    return RepositoryWriter(name)


def writer_overrides(name: str, override_files: tuple[Path, ...]) -> list[OutOverrideSpec]:
    """The overrides among ``override_files`` that extend ``out/<name>``, in the order given;
    every writer override is loaded, so a broken one is refused whichever format it extends."""
    loaded = [load_out_override(p) for p in override_files if registry.extends_a_writer(p)]
    return [o for o in loaded if o.target == name]


@lru_cache(maxsize=32)
def writer_for(name: str, override_files: tuple[Path, ...] = ()) -> RepositoryWriter:
    """The writer of ``mappings/out/<name>.yaml`` with the user's overrides of it applied; the
    source mappings' override files among ``override_files`` are passed by."""
    overrides = writer_overrides(name, override_files)
    return RepositoryWriter(name, overrides=overrides) if overrides else shipped_writer(name)


def check_writer_overrides(override_files: tuple[Path, ...]) -> None:
    """Load and compile every writer's overrides now, so a broken file stops the run before
    any record is read (``registry.check_overrides`` calls this for ``--mapping`` files)."""
    for name in sorted(SHIPPED_OUT):
        writer_for(name, override_files)


def check_writer_mappings(files: Iterable[Path]) -> None:
    """``mappings check`` of writer mappings (``mappings/out/*.yaml``) and overrides of them."""
    overrides = tuple(f for f in files if registry.extends_a_writer(f))
    for f in files:
        if f not in overrides:
            RepositoryWriter(f.stem, f)
    check_writer_overrides(overrides)


# -- conversion -----------------------------------------------------------------------------

# OAI-PMH metadataPrefix of each format, for ListRecords output.
METADATA_PREFIXES = {"oai_dc": "oai_dc", "datacite": "datacite"}


def open_sink(output: str | None, host: str, metadata_prefix: str) -> tuple[Any, Any]:
    """Where converted records go, as ``convert`` does for CERIF: one OAI-PMH ListRecords
    document (a file, or standard output when None) or a folder with one file per record.
    Returns the sink and the file to close after it (or None)."""
    import sys

    from crisbridge.writers.oaipmh import FolderWriter, ListRecordsWriter

    class _RepositoryListRecords(ListRecordsWriter):
        """Records without the CERIF profile's sets (openaire_cris_*), which name entity types."""

        def record(self, entity_id: str, kind: str, datestamp: str, xml: bytes) -> None:
            from xml.sax.saxutils import escape

            from crisbridge.writers.oaipmh import oai_identifier

            self._open()
            self.count += 1
            self.out.write(f"<record><header><identifier>{escape(oai_identifier(self.host, entity_id))}</identifier>"
                           f"<datestamp>{escape(datestamp)}</datestamp></header><metadata>".encode("utf-8"))
            self.out.write(xml)
            self.out.write(b"</metadata></record>\n")

    if output is None:
        return _RepositoryListRecords(sys.stdout.buffer, host, metadata_prefix, ""), None
    if output.endswith(("/", "\\")) or Path(output).is_dir():
        return FolderWriter(Path(output)), None
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    handle = open(output, "wb")  # noqa: SIM115 - the caller closes it after the last record
    return _RepositoryListRecords(handle, host, metadata_prefix, ""), handle


class RepositoryConverter:
    """Source records -> a repository format, from any format the bridge reads: DC, DataCite
    and OpenAIRE through their mappings, CERIF XML through the CERIF reader.

        >>> for result in RepositoryConverter("datacite").convert(["harvest.xml"]):
        ...     result.status, result.xml
    """

    def __init__(self, target: str, cerif_version: str = "1.2", mapping_files: Iterable[Path] = (), source_format: str = "auto") -> None:
        from crisbridge.pipeline import Converter

        self.converter = Converter(cerif_version, mapping_files, source_format)
        self.writer = writer_for(target, self.converter.mapping_files)
        self.target = target
        self.metadata_prefix = METADATA_PREFIXES[target]

    def convert(self, inputs: Iterable[str | Path]) -> Iterator[Any]:
        """A ``RecordResult`` per record of every input, an ``Issue`` per note about a file."""
        from crisbridge.readers import read_inputs

        for rec in read_inputs([str(i) for i in inputs], self.converter.source_format):
            if rec.format in ("oai-note", "oai-error"):
                yield from rec.notes
            else:
                yield self.convert_record(rec)

    def entity_of(self, rec: Any) -> tuple[Any, list[Issue], str]:
        """The model entity of a record (None when it cannot be one), with the issues of reading
        it and its source id."""
        if rec.format == "cerif":
            from crisbridge.readers.cerif import read_entity

            entity, issues = read_entity(rec.payload, rec.source, rec.oai_identifier)
            source_id = rec.oai_identifier or (getattr(entity, "id", None) if entity is not None else None) or f"{rec.source}#{rec.position}"
            return entity, issues, source_id
        result: tuple[Any, list[Issue], str] = self.converter.map_record(rec)
        return result

    def convert_record(self, rec: Any) -> Any:
        from crisbridge.model import EntityKind
        from crisbridge.pipeline import EntityOutput, RecordResult
        from crisbridge.report import Status

        if rec.format == "cerif" and rec.problem is None and not rec.deleted:
            entity, issues, source_id = self.entity_of(rec)
            if entity is None:
                return RecordResult(rec.source, source_id, Status.FAILED, rec.oai_identifier, rec.datestamp, issues=issues)
        elif rec.problem is not None or rec.deleted or rec.format is None:
            # failures and deleted records: the CERIF path says the same about them
            return self.converter.convert_record(rec)
        else:
            entity, issues, source_id = self.entity_of(rec)
            if entity is None:
                return RecordResult(rec.source, source_id, Status.FAILED, rec.oai_identifier, rec.datestamp, issues=issues)
        element, write_issues = self.writer.write(entity, record=source_id, file=rec.source, datestamp=rec.datestamp)
        issues = issues + write_issues
        if element is None or any(i.severity is Severity.ERROR for i in write_issues):
            return RecordResult(rec.source, source_id, Status.FAILED, rec.oai_identifier, rec.datestamp, issues=issues)
        kind = EntityKind(entity.entity)
        return RecordResult(rec.source, source_id, Status.CONVERTED, rec.oai_identifier, rec.datestamp,
                            entities=[EntityOutput(entity.id or source_id, kind, entity, element)], issues=issues)


__all__ = ["OutContext", "OutOverrideSpec", "RepositoryConverter", "RepositoryWriter", "Rule", "check_writer_mappings", "check_writer_overrides", "is_writer_mapping",
           "leaf", "load_out_override", "load_out_spec", "refuse", "reverse_table", "shipped_writer", "writer", "writer_for"]
