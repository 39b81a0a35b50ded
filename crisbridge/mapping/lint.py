"""Checks of a mapping beyond its schema: rules that can never match, fields written twice.

``crisbridge mappings check`` loads and compiles a mapping first (spec.py and engine.py refuse a
broken file: bad YAML, unknown keys, transforms, tables or fields, bad XPath or regular
expressions). What compiles can still be wrong in ways only a reading of the whole mapping shows;
this module reads a compiled mapping and returns findings, each with a stable code, a severity,
and the file, line and name of the rule it is about:

errors (the rule can never give a value)
  ``lint.no-namespace``        an element step without a prefix: every element of the source
                               formats has a namespace, so it names none of them
  ``lint.unknown-element``     an element name the format's schemas do not declare in that
                               namespace (``dc:titel``); the names come from the official XSDs,
                               read into ``mappings/formats/names.yaml``
  ``lint.unknown-attribute``   an attribute no element of the format has (``@titletype``)
  ``lint.table-missing``       a transform that looks values up in the rule's table, given none
                               (or an empty one)
  ``lint.when-matches-no-key`` a ``when`` expression no key of the rule's table satisfies, for a
                               transform that looks the element's text up in that table
  ``lint.unreachable``         an earlier rule of the same ``match`` ends every element of the
                               group (``known_loss`` without ``when``)
  ``lint.shadowed``            an earlier rule of the same ``match`` writes, for every element
                               with text, the single-valued fields this rule writes: its values
                               are always refused
  ``lint.unknown-preference``  ``options.prefer`` names a preference the engine does not have
  ``lint.unknown-part``        a ``leaves_out`` entry names a part ``no_place`` has no key for:
                               convert would have no reason to give for it (the line is the
                               entry's own)
warnings (the mapping works, but probably not as meant)
  ``lint.foreign-namespace``   an element of a namespace the format's schemas do not use
  ``lint.table-unused``        a table given to a transform that never reads the rule's table
  ``lint.duplicate-name``      two rules of one file share a name (an override replaces one)
  ``lint.written-twice``       two rules write the same single-valued model field and can both
                               apply to one record, and they do not both state ``options.prefer``

Why ``written-twice`` is a warning: the engine keeps the first value a record gives for a
single-valued field (in document order; within one element, in rule order) and reports the rest
as ``map.extra-value``; ``options.prefer: earliest`` keeps the earliest date instead. Mappings
that rely on that say so with ``prefer: first`` (or ``earliest``) on each rule of the pair.

The library never prints: the command line renders the findings and picks the exit code.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml  # type: ignore[import-untyped]  # PyYAML has no stubs here (types-PyYAML is not installed)
from pydantic import Field

from crisbridge.issues import Severity
from crisbridge.mapping import registry, transforms
from crisbridge.mapping.engine import FIELD_POLICIES, PREFERENCES, CompiledMapping, Rule
from crisbridge.mapping.spec import RuleSpec, _load, _Strict
from crisbridge.mapping.transforms import Outcome, TableUse

NAMES_FILE = "formats/names.yaml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# The options by which a TableUse.TEXT transform looks attributes up before the text
# (transforms.coar_uri); with them, the `when` on the text says nothing about the keys.
_ATTRIBUTE_OPTIONS = ("attributes",)


# The rule key each finding is about, whose line the finding names (the rule's first line for
# findings about the rule as a whole: unreachable, shadowed, written twice).
_KEY_OF = {
    "lint.no-namespace": ("match",),
    "lint.foreign-namespace": ("match",),
    "lint.unknown-element": ("match",),
    "lint.unknown-attribute": ("match",),
    "lint.table-unused": ("table",),
    "lint.table-missing": ("transform",),
    "lint.when-matches-no-key": ("when",),
    "lint.unknown-preference": ("options", "prefer"),
}


# -- findings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRef:
    """A rule where it was written: an override's rule names the override file."""

    file: str
    line: int | None
    rule: str | None

    @classmethod
    def of(cls, spec: RuleSpec, fallback_file: str) -> RuleRef:
        return cls(spec.file or fallback_file, spec.line, spec.name)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where} (rule {self.rule!r})" if self.rule else f"{where} (an unnamed rule)"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    where: RuleRef
    message: str
    other: RuleRef | None = None  # the second rule of a pair (written-twice, shadowed...)

    def __str__(self) -> str:
        w = self.where
        place = f"{w.file}:{w.line}" if w.line is not None else w.file
        rule = f"rule {w.rule!r}" if w.rule else "an unnamed rule"
        return f"{place}: {self.severity.value}: {rule}: {self.message} [{self.code}]"


# -- the names each source format's schemas declare ------------------------------------------


class NamespaceNames(_Strict):
    elements: list[str] = Field(default_factory=list)
    attributes: list[str] = Field(default_factory=list, description="Unqualified attribute names.")


class FormatNames(_Strict):
    formats: dict[str, dict[str, NamespaceNames]]


@cache
def format_names() -> dict[str, dict[str, NamespaceNames]]:
    """Format -> namespace -> names, generated from the official XSDs (tools/generate_vocabularies.py)."""
    return _load(registry.mappings_dir() / NAMES_FILE, FormatNames)[0].formats


# -- reading the names an XPath uses ---------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<literal>'[^']*'|"[^"]*")
    |(?P<number>\d+(?:\.\d*)?|\.\d+)
    |(?P<axis>[A-Za-z_][\w.-]*)\s*::
    |(?P<name>[A-Za-z_][\w.-]*(?::(?:[A-Za-z_][\w.-]*|\*))?)
    |(?P<punct>//|/|\.\.|\.|@|\*|\[|\]|\(|\)|\||,|!=|<=|>=|=|<|>|\+|-|\$)
    |(?P<space>\s+)
    """,
    re.VERBOSE,
)
_OPERATOR_NAMES = frozenset({"and", "or", "div", "mod"})
# After these a name is an operand (a node test), so "and", "or", "div" and "mod" after them
# are operators (XPath 1.0, 3.7 Lexical Structure).
_ENDS_OPERAND = frozenset({"name", "literal", "number", ")", "]", ".", "..", "*"})


@dataclass(frozen=True)
class NameTest:
    kind: str  # "element" or "attribute"
    prefix: str | None
    local: str  # "*" for prefix:*


def name_tests(path: str) -> list[NameTest]:
    """The element and attribute name tests of an XPath 1.0 expression (functions, axes,
    operators, variables and literals are not name tests)."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if m is None:
            return []  # the engine compiled it, so this is syntax the reader does not know
        pos = m.end()
        kind = m.lastgroup or ""
        if kind != "space":
            tokens.append((kind, m.group(kind)))
    out: list[NameTest] = []
    prev = ""  # what the previous token was, as _ENDS_OPERAND spells it
    axis = ""
    for i, (kind, text) in enumerate(tokens):
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if kind == "axis":
            axis, prev = text, "::"
            continue
        if kind == "name":
            if nxt == "(":
                prev, axis = "fn", ""  # a function or a node type test: text(), node()
                continue
            if prev == "$":
                prev, axis = "name", ""  # a variable: an operand, but no name test
                continue
            if text in _OPERATOR_NAMES and prev in _ENDS_OPERAND:
                prev, axis = "op", ""
                continue
            prefix, _, local = text.rpartition(":")
            attribute = prev == "@" or axis == "attribute"
            if axis != "namespace":
                out.append(NameTest("attribute" if attribute else "element", prefix or None, local))
            prev, axis = "name", ""
            continue
        if kind == "punct":
            # "*" is a node test after a step separator, an operator after an operand
            prev = "op" if text == "*" and prev in _ENDS_OPERAND else text
        else:
            prev = kind
        axis = ""
    return out


# -- the checks -------------------------------------------------------------------------------


class _Linter:
    def __init__(self, mapping: CompiledMapping) -> None:
        self.mapping = mapping
        self.spec = mapping.spec
        self.file = self.spec.file or mapping.name
        self.findings: list[Finding] = []
        self.dead: set[int] = set()  # rules (by id) found unable to give a value

    def ref(self, rule: Rule, at: tuple[str, ...] = ()) -> RuleRef:
        """Where the rule was written; at the line of its key ``at`` (``("match",)``) when given."""
        ref = RuleRef.of(rule.spec, self.file)
        return RuleRef(ref.file, rule.spec.line_of(*at), ref.rule) if at else ref

    def add(
        self,
        code: str,
        severity: Severity,
        rule: Rule,
        message: str,
        other: Rule | None = None,
        *,
        dead: bool | None = None,
    ) -> None:
        """Record a finding; an error means the rule gives no value unless ``dead`` says otherwise.
        The finding is placed at the line of the key its code is about (``match:`` for a name)."""
        self.findings.append(
            Finding(code, severity, self.ref(rule, _KEY_OF.get(code, ())), message, self.ref(other) if other else None)
        )
        if dead is None:
            dead = severity is Severity.ERROR
        if dead:
            self.dead.add(id(rule))

    def run(self) -> list[Finding]:
        rules = [rule for group in self.mapping.groups for rule in group.rules]
        # report in the order the rules were written, file by file
        rules.sort(key=lambda r: (r.spec.file or self.file, r.spec.line or 0))
        for rule in rules:
            self.names(rule)
            self.table(rule)
            self.preference(rule)
            self.parts(rule)
        for group in self.mapping.groups:
            self.reachable(group.rules)
        self.duplicate_names(rules)
        self.written_twice()
        return self.findings

    # match: element and attribute names ------------------------------------------------

    def names(self, rule: Rule) -> None:
        per_ns = format_names().get(self.mapping.name)
        if per_ns is None:
            return  # a format nobody generated names for: nothing to compare with
        all_attributes = sorted({a for names in per_ns.values() for a in names.attributes})
        for test in name_tests(rule.spec.match):
            if test.kind == "attribute":
                self._attribute(rule, test, per_ns, all_attributes)
            else:
                self._element(rule, test, per_ns)

    def _namespaces_of(self, prefix: str, per_ns: dict[str, NamespaceNames]) -> list[str] | None:
        """The namespaces a prefix may stand for; None when the mapping does not bind it."""
        if prefix == self.spec.root_prefix:
            # bound to whatever namespace the record root has: any of the format's (DataCite kernels)
            return sorted(per_ns)
        uri = self.spec.namespaces.get(prefix)
        return [uri] if uri is not None else None

    def _element(self, rule: Rule, test: NameTest, per_ns: dict[str, NamespaceNames]) -> None:
        if test.prefix is None:
            if "" not in per_ns:
                hint = [f"{p}:{test.local}" for p in self._prefixes_declaring(test.local, per_ns)]
                also = f" (did you mean {' or '.join(hint)}?)" if hint else ""
                self.add(
                    "lint.no-namespace",
                    Severity.ERROR,
                    rule,
                    f"match step {test.local!r} has no prefix, so it names an element in no namespace; every element of {self.mapping.name} has one{also}",
                )
            return
        uris = self._namespaces_of(test.prefix, per_ns)
        if uris is None:
            return  # undeclared prefixes are refused when the mapping compiles
        known = [uri for uri in uris if uri in per_ns]
        if not known:
            self.add(
                "lint.foreign-namespace",
                Severity.WARNING,
                rule,
                f"{test.prefix}:{test.local} is in {uris[0]}, a namespace the {self.mapping.name} schemas do not use; only records that break the schema can have it",
            )
            return
        if test.local == "*":
            return
        names = sorted({e for uri in known for e in per_ns[uri].elements})
        if test.local not in names:
            self.add(
                "lint.unknown-element",
                Severity.ERROR,
                rule,
                f"{test.prefix}:{test.local}: the {self.mapping.name} schemas declare no element {test.local!r} in {' or '.join(known)}{_did_you_mean(test.local, names)}",
            )

    def _prefixes_declaring(self, local: str, per_ns: dict[str, NamespaceNames]) -> list[str]:
        prefixes = [
            p
            for p, uri in self.spec.namespaces.items()
            if uri in per_ns and local in per_ns[uri].elements
        ]
        if self.spec.root_prefix and any(local in n.elements for n in per_ns.values()):
            prefixes.append(self.spec.root_prefix)
        return sorted(prefixes)

    def _attribute(
        self,
        rule: Rule,
        test: NameTest,
        per_ns: dict[str, NamespaceNames],
        all_attributes: list[str],
    ) -> None:
        if test.local == "*":
            return
        if test.prefix is None:
            if test.local not in all_attributes:
                self.add(
                    "lint.unknown-attribute",
                    Severity.ERROR,
                    rule,
                    f"@{test.local}: no element of the {self.mapping.name} schemas has this attribute{_did_you_mean(test.local, all_attributes)}",
                )
            return
        if test.prefix == "xml":
            return  # xml:lang and its kin may be on any element
        uris = self._namespaces_of(test.prefix, per_ns) or []
        if any(uri in per_ns for uri in uris):
            # the generator refuses schemas with qualified attributes: these have none
            self.add(
                "lint.unknown-attribute",
                Severity.ERROR,
                rule,
                f"@{test.prefix}:{test.local}: the attributes of the {self.mapping.name} schemas have no namespace; write @{test.local}",
            )

    # table and when -------------------------------------------------------------------

    def table(self, rule: Rule) -> None:
        facts = transforms.FACTS.get(rule.spec.transform, transforms.Facts())
        given = rule.spec.table
        if facts.table is TableUse.NONE:
            if given is not None:
                self.add(
                    "lint.table-unused",
                    Severity.WARNING,
                    rule,
                    f"transform {rule.spec.transform!r} does not read the rule's table, so table {given!r} is not used",
                )
            return
        if facts.table is TableUse.OPTIONAL:
            return
        if given is None or not rule.table:
            what = (
                "is given no table"
                if given is None
                else f"is given table {given!r}, which has no rows"
            )
            self.add(
                "lint.table-missing",
                Severity.ERROR,
                rule,
                f"transform {rule.spec.transform!r} looks values up in the rule's table and {what}: it can never give a value",
            )
            return
        when = rule.when
        if facts.table is not TableUse.TEXT or when is None or when.search("") is not None:
            return  # a `when` that admits the empty text lets `lookup` read its attribute
        if any(rule.options.get(option) for option in _ATTRIBUTE_OPTIONS):
            return
        # the engine tests `when` on the text as written and looks it up lower-cased; a text
        # that passes `when` passes it ignoring case, so a key nothing passes so is never found
        loose = re.compile(when.pattern, when.flags | re.IGNORECASE)
        if not any(loose.search(key) for key in rule.table):
            self.add(
                "lint.when-matches-no-key",
                Severity.ERROR,
                rule,
                f"when {when.pattern!r} admits no key of table {given!r}, and transform {rule.spec.transform!r} looks the text up there: it can never give a value",
            )

    def preference(self, rule: Rule) -> None:
        prefer = rule.options.get("prefer")
        if prefer is not None and prefer not in PREFERENCES:
            self.add(
                "lint.unknown-preference",
                Severity.ERROR,
                rule,
                f"options.prefer {prefer!r} is not one the engine knows ({', '.join(PREFERENCES)})",
                dead=False,
            )

    def parts(self, rule: Rule) -> None:
        """Each part a rule leaves out is reported with the reason its no_place key gives."""
        for key, part in rule.left_out.items():
            if part.reason is not None:
                continue
            ref = RuleRef(rule.spec.file or self.file, part.spec.line or rule.spec.line, rule.spec.name)
            message = f"leaves_out names {key!r}, which no_place does not explain{_did_you_mean(key, sorted(self.mapping.no_place))}"
            self.findings.append(Finding("lint.unknown-part", Severity.ERROR, ref, message))

    # order within a group -------------------------------------------------------------

    def reachable(self, group: list[Rule]) -> None:
        for i, later in enumerate(group):
            for earlier in group[:i]:
                if earlier.spec.when or id(earlier) in self.dead:
                    continue
                outcome = transforms.FACTS.get(earlier.spec.transform, transforms.Facts()).outcome
                if outcome is Outcome.HANDLED:
                    self.add(
                        "lint.unreachable",
                        Severity.ERROR,
                        later,
                        f"never runs: {RuleRef.of(earlier.spec, self.file)} has the same match, no `when`, and transform {earlier.spec.transform!r} ends every element of the group",
                        earlier,
                    )
                    break
                # a transform that always gives a value writes its rule's first field (it is
                # never a patch transform); a later rule writing only that field, single-valued,
                # has its values refused every time
                taken = earlier.spec.to[0]
                writes = set(_targets(later))
                if (
                    outcome is Outcome.VALUE
                    and writes == {taken}
                    and FIELD_POLICIES.get(taken) == "single"
                    and later.options.get("prefer") != "earliest"
                ):
                    self.add(
                        "lint.shadowed",
                        Severity.ERROR,
                        later,
                        f"its values are always refused: {RuleRef.of(earlier.spec, self.file)} has the same match, no `when`, and writes {', '.join(sorted(writes))} first for every element with text",
                        earlier,
                    )
                    break

    def duplicate_names(self, rules: list[Rule]) -> None:
        seen: dict[tuple[str, str], Rule] = {}
        for rule in rules:
            if not rule.spec.name:
                continue
            key = (rule.spec.file or self.file, rule.spec.name)
            first = seen.setdefault(key, rule)
            if first is not rule:
                self.add(
                    "lint.duplicate-name",
                    Severity.WARNING,
                    rule,
                    f"the name is used before in this file ({RuleRef.of(first.spec, self.file)}); an override rule of that name replaces only one of them",
                    first,
                )

    # fields written twice ---------------------------------------------------------------

    def written_twice(self) -> None:
        # the engine's order: groups in the order their first rule was written, rules in order
        ordered = [rule for group in self.mapping.groups for rule in group.rules]
        live = [r for r in ordered if id(r) not in self.dead and _single_fields(r)]
        for j, later in enumerate(live):
            for earlier in live[:j]:
                shared = _single_fields(earlier) & _single_fields(later)
                if not shared:
                    continue
                stated = earlier.options.get("prefer"), later.options.get("prefer")
                if stated[0] is not None and stated[0] == stated[1]:
                    continue
                fields = ", ".join(sorted(shared))
                if stated[0] is not None and stated[1] is not None:
                    why = f"they state different preferences ({stated[0]!r}, {stated[1]!r}), so which value is kept depends on the order of the record's elements"
                else:
                    why = "the first value the record gives is kept and the other reported (map.extra-value); if that is meant, state options.prefer: first (or earliest) on both rules"
                self.add(
                    "lint.written-twice",
                    Severity.WARNING,
                    later,
                    f"writes {fields} (one value each), as {RuleRef.of(earlier.spec, self.file)} does, and both can apply to one record: {why}",
                    earlier,
                )


def _targets(rule: Rule) -> list[str]:
    """The model fields a rule can write: a transform that fills one field writes the first of
    `to`, a patch transform any it lists, and one that always reports none (its `to` only
    documents where the value would belong)."""
    if transforms.FACTS.get(rule.spec.transform, transforms.Facts()).outcome is Outcome.HANDLED:
        return []
    return rule.spec.to if rule.patch else rule.spec.to[:1]


def _single_fields(rule: Rule) -> set[str]:
    return {t for t in _targets(rule) if FIELD_POLICIES.get(t) == "single"}


def _did_you_mean(word: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, known, n=2, cutoff=0.6)
    lower = [k for k in known if k.lower() == word.lower() and k not in close]
    hits = lower + close
    return f" (did you mean {' or '.join(hits)}?)" if hits else ""


# -- entry points -----------------------------------------------------------------------------


def lint(mapping: CompiledMapping) -> list[Finding]:
    """The findings for a compiled mapping (shipped rules and any override's)."""
    return _Linter(mapping).run()


def check(files: Sequence[Path]) -> list[Finding]:
    """Load, compile and lint source mappings and override files, as ``mappings check`` does:
    the files extending one format are merged in the order given and checked together.
    A file that does not load or compile raises MappingError, naming its file and line."""
    files = tuple(files)
    registry.check_overrides(files)
    targets: list[str] = []
    for path in files:
        # the files loaded above; an override of a writer mapping (extends: out/datacite)
        # is its writer's business and is passed by
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        target = data.get("extends") or data.get("format")
        if target in registry.SHIPPED and target not in targets:
            targets.append(target)
    return [finding for target in targets for finding in lint(registry.compiled(target, files))]


def errors(findings: Sequence[Finding]) -> Iterator[Finding]:
    return (f for f in findings if f.severity is Severity.ERROR)


def verdict(findings: Sequence[Finding], path: Path) -> str:
    """``ok``, ``ok, 1 warning`` or ``2 errors, 1 warning``: the findings about a file's rules
    (either rule of a pair)."""
    name = str(path)
    own = [f for f in findings if name in (f.where.file, f.other.file if f.other else None)]
    counts = {s: sum(f.severity is s for f in own) for s in (Severity.ERROR, Severity.WARNING)}
    words = [f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items() if n]
    if not counts[Severity.ERROR]:
        words.insert(0, "ok")
    return ", ".join(words)
