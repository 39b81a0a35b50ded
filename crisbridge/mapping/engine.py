"""The mapping engine: compiles a mapping spec once, then applies it to record elements.

Compiling turns every rule's ``match`` into either a tag lookup (a plain child step such as
``dc:title``, the common case, which costs one dict lookup per element) or a compiled XPath.
Rules with the same ``match`` form a group; an element that no rule of its group accepts is
reported as not mapped, with its value, so nothing is dropped silently.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from crisbridge.errors import MappingError, RegistryError
from crisbridge.issues import Severity
from crisbridge.mapping import transforms
from crisbridge.mapping.transforms import HANDLED
from crisbridge.mapping.context import Context
from crisbridge.mapping.spec import MappingSpec, PartSpec, RuleSpec
from crisbridge.model import ResearchOutput

_SIMPLE_STEP = re.compile(r"^(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)$")
_PROBE = etree.Element("probe")
# libxml2 resolves function names and prefixes only when a step reaches them, so a predicate
# on an element no record has would fail mid-batch; they are checked by reading the expression.
_XPATH_FUNCTIONS = frozenset(
    "last position count id local-name namespace-uri name string concat starts-with contains"
    " substring-before substring-after substring string-length normalize-space translate boolean"
    " not true false lang number sum floor ceiling round".split()
)
_NOT_CALLS = frozenset({"node", "text", "comment", "processing-instruction", "and", "or", "div", "mod"})
_XPATH_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
_XPATH_CALL = re.compile(r"(?<![\w.:-])([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*\(")
_XPATH_PREFIX = re.compile(r"(?<![\w.$-])([A-Za-z_][\w.-]*):(?=[A-Za-z_*])")


def _xpath_names_problem(path: str, namespaces: dict[str, str]) -> str | None:
    bare = _XPATH_LITERAL.sub("''", path)
    for name in _XPATH_CALL.findall(bare):
        if name not in _XPATH_FUNCTIONS and name not in _NOT_CALLS:
            return f"unknown function {name}() (XPath 1.0 functions only)"
    for prefix in _XPATH_PREFIX.findall(bare):
        if prefix not in namespaces and prefix != "xml":  # xml is bound in every document
            return f"namespace prefix {prefix!r} is not declared"
    return None


def _field_policies() -> dict[str, str]:
    """How each model field takes values: ``list`` appends, ``single`` keeps the first,
    ``merge`` fills a nested object key by key."""
    out: dict[str, str] = {}
    for name, info in ResearchOutput.model_fields.items():
        origin = typing.get_origin(info.annotation)
        if origin is list:
            out[name] = "list"
        elif origin is dict or name in ("published_in", "part_of"):
            out[name] = "merge"
        else:
            out[name] = "single"
    out["media"] = "merge-first"
    return out


FIELD_POLICIES = _field_policies()
# The values of a rule's options.prefer that put() acts on when a single-valued field already
# holds a value: "first" keeps it (what it does for every rule, stated), "earliest" keeps the
# earlier of two dates. mappings check refuses any other.
PREFERENCES = ("first", "earliest")

_XML_NS = "{http://www.w3.org/XML/1998/namespace}"
# Where a key of leaves_out finds its part, after the slash: an attribute, the text, or a child.
_PART_TEXT = "text()"


@dataclass
class LeftOut:
    """A part of the elements a rule matches that the rule does not read (``leaves_out``), with
    the ``no_place`` reason the report gives for it. ``holder`` is the element the key names
    before its slash: the matched element itself when it has that name (or the key says ``*``),
    else its children of that name (``nameIdentifier/@nameIdentifierScheme`` of a creator)."""

    key: str
    holder: str | None  # None for "*"
    attr: str | None  # an attribute's local name
    child: str | None  # a child element's local name
    reason: str | None  # None: no_place has no such key (mappings check reports it)
    when: str | None
    unless: str | None
    spec: PartSpec

    @classmethod
    def of(cls, spec: PartSpec, no_place: dict[str, str]) -> LeftOut:
        holder, _, what = spec.part.partition("/")
        attr = what[1:] if what.startswith("@") else None
        child = None if attr is not None or what == _PART_TEXT else what
        return cls(spec.part, None if holder == "*" else holder, attr, child, no_place.get(spec.part), spec.when, spec.unless, spec)


@dataclass
class Rule:
    spec: RuleSpec
    fn: transforms.Transform
    table: dict[str, Any]
    tables: dict[str, dict[str, Any]]
    options: dict[str, Any]
    when: re.Pattern[str] | None
    patterns: list[re.Pattern[str]] = field(default_factory=list)
    patch: bool = False  # the transform fills several fields (transforms.PATCH_TRANSFORMS)
    rewrites: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    left_out: dict[str, LeftOut] = field(default_factory=dict)  # by no_place key
    to: list[str] = field(init=False)  # the spec's target fields, read for every value
    # answers of pure helpers that depend only on a value and the rule's tables (language
    # tags), for values that recur in every record; transforms.language_tag bounds it
    memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.to = self.spec.to

    def rewrite(self, value: str) -> str:
        """The value after the rule's ``options.rewrite`` substitutions, in order."""
        for pattern, replace in self.rewrites:
            value = pattern.sub(replace, value)
        return value


@dataclass
class Group:
    match: str
    rules: list[Rule]
    tag_local: str | None  # set for a plain child step
    tag_ns: str | None
    uses_root_ns: bool
    xpath: etree.XPath | None
    # whether a rule of the group leaves parts out: only then are its readers tracked
    parts: bool = False


class CompiledMapping:
    def __init__(self, spec: MappingSpec, tables: dict[str, dict[str, Any]]) -> None:
        self.spec = spec
        self.name = spec.format or "?"
        self.tables = tables
        self.groups: list[Group] = []
        self.no_place = {k: v for k, v in spec.no_place.items()}
        # leaves_out conditions per (expression, root namespace): see _condition
        self._conditions: dict[tuple[str, str], etree.XPath] = {}
        self._patterns: dict[str, re.Pattern[str]] = {}  # of matches() in conditions
        self._dispatch_cache: dict[str, tuple[dict[str, list[Group]], list[Group]]] = {}
        by_match: dict[str, list[Rule]] = {}
        for rule_spec in spec.rules:
            by_match.setdefault(rule_spec.match, []).append(self._compile_rule(rule_spec))
        for match, rules in by_match.items():
            self.groups.append(self._compile_group(match, rules))
        self._source_id_paths = [self._xpath(p, None) for p in spec.source_id]
        # local name -> the rules whose match selects elements of that name, wherever they are
        self.read_names: dict[str, list[str]] = {}
        for rule_spec in spec.rules:
            for name in _selected_names(rule_spec.match):
                self.read_names.setdefault(name, []).append(rule_spec.name or rule_spec.match)

    # -- compile ------------------------------------------------------------------------

    def _where(self, rule: RuleSpec | None, *key: Any) -> tuple[str, int | None]:
        """The file and line to blame: the line of ``key`` in the rule (``"when"``,
        ``"options", "rewrite", 0, "pattern"``), the rule's first line without one."""
        if rule is not None:
            # an override's rule names the override file, not the mapping it was merged into
            return rule.file or self.spec.file or self.name, rule.line_of(*key)
        return self.spec.file or self.name, None

    def _regex(self, rule: RuleSpec, pattern: Any, *key: Any) -> re.Pattern[str]:
        try:
            return re.compile(pattern)
        except (re.error, TypeError) as exc:
            raise MappingError(*self._where(rule, *key), f"bad regular expression {pattern!r}: {exc}") from None

    def _compile_rule(self, rule: RuleSpec) -> Rule:
        try:
            fn = transforms.get(rule.transform)
        except RegistryError as exc:
            raise MappingError(*self._where(rule, "transform"), str(exc)) from None
        bad = [t for t in rule.to if t not in FIELD_POLICIES]
        if bad:
            known = ", ".join(sorted(FIELD_POLICIES))
            raise MappingError(*self._where(rule, "to", rule.to.index(bad[0])), f"unknown target field(s) {bad}; known fields: {known}")
        table: dict[str, Any] = {}
        if rule.table is not None:
            if rule.table not in self.tables:
                known = ", ".join(sorted(self.tables))
                raise MappingError(*self._where(rule, "table"), f"unknown table {rule.table!r}; known tables: {known}")
            table = self.tables[rule.table]
        when = self._regex(rule, rule.when, "when") if rule.when else None
        patterns = [self._regex(rule, p, "options", "patterns", j) for j, p in enumerate(rule.options.get("patterns", []))]
        try:
            rewrites = [(self._regex(rule, r["pattern"], "options", "rewrite", j, "pattern"), str(r.get("replace", "")))
                        for j, r in enumerate(rule.options.get("rewrite", []))]
        except (KeyError, TypeError, AttributeError):
            raise MappingError(*self._where(rule, "options", "rewrite"), "options.rewrite is a list of {pattern: REGEX, replace: TEXT}") from None
        left_out = {p.part: LeftOut.of(p, self.no_place) for p in rule.leaves_out}
        for part in left_out.values():
            for test in (part.when, part.unless):
                if test is not None:
                    # a typo fails at load time, with a stand-in for the root's namespace
                    self._compile_condition(test, "urn:check", rule)
        return Rule(rule, fn, table, self.tables, rule.options, when, patterns, fn in transforms.PATCH_TRANSFORMS, rewrites, left_out)

    def _namespaces(self, root_ns: str | None) -> dict[str, str]:
        ns = dict(self.spec.namespaces)
        if self.spec.root_prefix and root_ns is not None:
            ns[self.spec.root_prefix] = root_ns
        return ns

    def _xpath(self, path: str, rule: RuleSpec | None) -> etree.XPath | None:
        if self.spec.root_prefix and self.spec.root_prefix + ":" in path:
            return None  # compiled per root namespace, see _dispatch
        return self._checked_xpath(path, self._namespaces(None), rule)

    def _checked_xpath(self, path: str, namespaces: dict[str, str], rule: RuleSpec | None) -> etree.XPath:
        """Compile, and evaluate once on an empty element: libxml2 reports an undeclared prefix
        or an unknown function only on evaluation, which would otherwise be mid-batch."""
        try:
            xp = etree.XPath(path, namespaces=namespaces)
            xp(_PROBE)
        except etree.XPathError as exc:
            raise MappingError(*self._where(rule, "match"), f"bad XPath {path!r}: {exc}") from None
        problem = _xpath_names_problem(path, namespaces)
        if problem is not None:
            raise MappingError(*self._where(rule, "match"), f"bad XPath {path!r}: {problem}")
        return xp

    def _compile_group(self, match: str, rules: list[Rule]) -> Group:
        m = _SIMPLE_STEP.match(match)
        first = rules[0].spec
        parts = any(r.left_out for r in rules)
        if m:
            prefix, local = m.groups()
            uses_root = prefix is not None and prefix == self.spec.root_prefix
            if prefix and not uses_root and prefix not in self.spec.namespaces:
                raise MappingError(*self._where(first, "match"), f"namespace prefix {prefix!r} is not declared")
            ns = None if uses_root or prefix is None else self.spec.namespaces[prefix]
            return Group(match, rules, local, ns, uses_root, None, parts)
        uses_root = bool(self.spec.root_prefix and self.spec.root_prefix + ":" in match)
        xp = None if uses_root else self._xpath(match, first)
        if uses_root:
            # check the expression now with a stand-in namespace, so a typo fails at load time
            self._checked_xpath(match, self._namespaces("urn:check"), first)
        return Group(match, rules, None, None, uses_root, xp, parts)

    def _dispatch(self, root_ns: str) -> tuple[dict[str, list[Group]], list[Group]]:
        """Per root namespace: tag -> groups for plain child steps, and the XPath groups."""
        cached = self._dispatch_cache.get(root_ns)
        if cached is not None:
            return cached
        by_tag: dict[str, list[Group]] = {}
        deep: list[Group] = []
        nsmap = self._namespaces(root_ns)
        for g in self.groups:
            if g.tag_local is not None:
                ns = root_ns if g.uses_root_ns else g.tag_ns
                tag = f"{{{ns}}}{g.tag_local}" if ns else g.tag_local
                by_tag.setdefault(tag, []).append(g)
            elif g.uses_root_ns:
                deep.append(Group(g.match, g.rules, None, None, True, etree.XPath(g.match, namespaces=nsmap), g.parts))
            else:
                deep.append(g)
        result = (by_tag, deep)
        self._dispatch_cache[root_ns] = result
        return result

    # -- apply --------------------------------------------------------------------------

    def source_id(self, root: Any) -> str | None:
        paths = self._source_id_paths
        if self.spec.root_prefix and any(p is None for p in paths):
            nsmap = self._namespaces(etree.QName(root).namespace)
            paths = [etree.XPath(p, namespaces=nsmap) for p in self.spec.source_id]
        for xp in paths:
            assert xp is not None
            for hit in xp(root):
                text = hit if isinstance(hit, str) else transforms.text_of(hit)
                if text and text.strip():
                    return str(text).strip()
        return None

    def apply(self, root: Any, ctx: Context) -> None:
        root_tag = root.tag
        root_ns = root_tag[1 : root_tag.index("}")] if root_tag[0] == "{" else ""
        by_tag, deep = self._dispatch(root_ns)
        apply_group = self._apply_group
        unmatched = []
        for child in root:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            groups = by_tag.get(tag)
            if groups is None:
                unmatched.append(child)
                continue
            for g in groups:
                apply_group(g, child, ctx)
        # Children of the root that hold an element some XPath rule read are "covered":
        # wrappers such as datacite:creators are not reported as unmapped themselves.
        covered: set[Any] = set()
        for g in deep:
            for el in g.xpath(root):  # type: ignore[misc]
                self._apply_group(g, el, ctx)
                top = el
                parent = top.getparent()
                while parent is not None and parent is not root:
                    top, parent = parent, parent.getparent()
                covered.add(top)
        for child in unmatched:
            if child not in covered:
                self._not_mapped(child, ctx, reached=False)

    def _apply_group(self, group: Group, el: Any, ctx: Context) -> None:
        accepted = False
        # the rules that gave a value, when some rule of the group leaves parts out
        readers: list[Rule] | None = [] if group.parts else None
        for rule in group.rules:
            when = rule.when
            if when is not None and not when.search(ctx.text(el)):
                continue
            result = rule.fn(el, rule, ctx)
            if result is None:
                continue
            if result is HANDLED:
                # dealt with by a report of its own, or folded into another value: no parts
                accepted = True
                readers = None
                break
            if rule.patch:
                to = rule.to
                placed = False
                for target, value in result.items():
                    if target in to:
                        put(ctx, target, value, el, rule)
                        placed = True
                if not placed:
                    continue
            else:
                put(ctx, rule.to[0], result, el, rule)
            accepted = True
            if readers is not None:
                readers.append(rule)
        if not accepted:
            self._not_mapped(el, ctx)
        elif readers:
            self._parts_left_out(readers, el, ctx)

    def _parts_left_out(self, readers: list[Rule], el: Any, ctx: Context) -> None:
        """Report each part of ``el`` that every rule that read it leaves out (``leaves_out``),
        when present and not empty, with its ``no_place`` reason: a part one of them reads
        is in the output."""
        local = el.tag[el.tag.index("}") + 1 :] if el.tag[0] == "{" else el.tag
        for key, part in readers[0].left_out.items():
            if part.reason is None or any(key not in r.left_out for r in readers[1:]):
                continue
            if part.holder is None or part.holder == local:
                holders = [el]
            else:
                holders = [c for c in el.iterchildren(_ns_of(el) + part.holder)]
            for holder in holders:
                for target, what, value, step in _present(part, holder):
                    if all(self._leaves(r.left_out[key], target) for r in readers):
                        name = etree.QName(holder).localname
                        ctx.issue(Severity.INFO, "map.part-not-mapped", f"{name} {what} {_quote(value)} not mapped: {part.reason}",
                                  target, value[:200], step)

    def _leaves(self, part: LeftOut, target: Any) -> bool:
        """Whether the part's conditions hold for the element holding it."""
        if part.when is None and part.unless is None:
            return True
        root_tag = target.getroottree().getroot().tag
        root_ns = root_tag[1 : root_tag.index("}")] if root_tag[0] == "{" else ""
        if part.when is not None and not self._condition(part.when, root_ns)(target):
            return False
        return part.unless is None or not self._condition(part.unless, root_ns)(target)

    def _condition(self, test: str, root_ns: str) -> etree.XPath:
        xp = self._conditions.get((test, root_ns))
        if xp is None:
            xp = self._conditions[(test, root_ns)] = self._compile_condition(test, root_ns, None)
        return xp

    def _compile_condition(self, test: str, root_ns: str, rule: RuleSpec | None) -> etree.XPath:
        """A leaves_out condition: XPath 1.0 as a boolean, with the mapping's prefixes and
        ``in-table(name, value)``, true when the value (stripped, lower case; a URL also without
        its scheme, ``www.`` and trailing slash) is a key of the named table, as the transforms
        look values up, and ``table-value(name, value)``, the row's value found so (an empty
        string when there is none), to tell whether two spellings name the same term; and
        XPath 2.0's ``lower-case(text)`` and ``matches(text, regex)`` (a Python regular
        expression, searched)."""
        try:
            functions = {(None, "in-table"): self._in_table, (None, "table-value"): self._table_value,
                         (None, "lower-case"): _lower_case, (None, "matches"): self._matches}
            xp = etree.XPath(f"boolean({test})", namespaces=self._namespaces(root_ns), extensions=functions)
            xp(_PROBE)
        except etree.XPathError as exc:
            raise MappingError(*self._where(rule), f"bad leaves_out condition {test!r}: {exc}") from None
        return xp

    def _matches(self, _context: Any, value: Any, pattern: Any) -> bool:
        regex = self._patterns.get(str(pattern))
        if regex is None:
            try:
                regex = self._patterns[str(pattern)] = re.compile(str(pattern))
            except re.error as exc:
                raise etree.XPathError(f"matches(): bad regular expression {pattern!r}: {exc}") from None
        return regex.search(_xpath_string(value)) is not None

    def _in_table(self, _context: Any, name: str, value: Any) -> bool:
        return self._key(name, value) is not None

    def _table_value(self, _context: Any, name: str, value: Any) -> str:
        key = self._key(name, value)
        return "" if key is None else str(self.tables[str(name)][key])

    def _key(self, name: str, value: Any) -> str | None:
        """The key of the named table the value is found under, as the transforms look it up."""
        table = self.tables.get(str(name))
        if table is None:
            return None
        # a node set gives its first node: an attribute's value, or an element's text as the
        # transforms read it (white space collapsed)
        return transforms.table_key(table, _xpath_string(value))

    def no_place_reason(self, el: Any, reached: bool) -> str | None:
        """The ``no_place`` reason for an element no rule read, or None when it has none.

        A key that names elements some rule selects (``date``: the date rule reads
        ``dates/date``) explains the ones that rule reached and could not read (a date type the
        table lacks), not an element of that name elsewhere that no rule reached (a bare
        ``date`` the match misses): that one gets no reason, as the mapping gives none for it.
        """
        tag = el.tag
        local = tag[tag.index("}") + 1 :] if tag[0] == "{" else tag
        if not reached and (local in self.read_names or "*" in self.read_names):
            return None
        return self.no_place.get(local)

    def _own_namespace(self, el: Any) -> bool:
        """Whether a child of the record's root is in the root's namespace or one the mapping
        declares."""
        parent = el.getparent()
        root = etree.QName(parent).namespace or "" if parent is not None else ""
        return (etree.QName(el).namespace or "") in (root, *self.spec.namespaces.values())

    def _not_mapped(self, el: Any, ctx: Context, reached: bool = True) -> None:
        tag = el.tag
        local = tag[tag.index("}") + 1 :] if tag[0] == "{" else tag
        value = ctx.text(el)
        reason = self.no_place_reason(el, reached)
        if reason is None and not reached and local in self.read_names and self._own_namespace(el):
            rules = ", ".join(repr(r) for r in self.read_names[local])
            reason = f"no mapping rule reads this {local} where it stands (rule {rules} reads {local} elsewhere)"
        if reason is None:
            reason = "no mapping rule handles this value" if value else "no mapping rule handles this element"
        ctx.issue(Severity.INFO, "map.not-mapped", f"{local} not mapped: {reason}", el, value[:200] if value else None)


_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")


def _selected_names(match: str) -> set[str]:
    """The local names of the elements a rule's ``match`` selects: the last step of each
    branch of a union, predicates aside (``(d:titles/d:title | d:title)[@x]`` selects
    ``title``; ``.//d:date[...]`` selects ``date``). ``*`` for a wildcard step."""
    text = _LITERAL.sub("''", match)
    outside, depth = [], 0
    for c in text:
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif depth == 0:
            outside.append(c)
    names = set()
    for branch in "".join(outside).split("|"):
        step = branch.strip().strip("()").strip().rsplit("/", 1)[-1]
        step = step.rpartition("::")[2].rpartition(":")[2].strip()
        if step and step not in (".", "..") and "(" not in step:
            names.add(step)
    return names


def _xpath_string(value: Any) -> str:
    """An XPath argument as a string: a node set gives its first node's value or text."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, (str, bool, int, float)):
        return str(value)
    return transforms.text_of(value)


def _lower_case(_context: Any, value: Any) -> str:
    return _xpath_string(value).lower()


def _ns_of(el: Any) -> str:
    tag = el.tag
    return tag[: tag.index("}") + 1] if tag[0] == "{" else ""


def _quote(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:77] + "...")


def _present(part: LeftOut, holder: Any) -> list[tuple[Any, str, str, str | None]]:
    """(element holding it, what it is, value, XPath step below that element) for each
    instance of the part with a value:
    an attribute (unqualified, or in the xml namespace: ``@lang`` is ``xml:lang`` too), the
    text, or each child of that name."""
    if part.attr is not None:
        step = "@" + part.attr
        value = holder.get(part.attr)
        if value is None:
            value, step = holder.get(_XML_NS + part.attr), "@xml:" + part.attr
        return [(holder, part.attr, " ".join(value.split()), step)] if value and value.strip() else []
    if part.child is None:
        text = transforms.text_of(holder)
        return [(holder, "text", text, _PART_TEXT)] if text else []
    return [(c, part.child, transforms.text_of(c), None) for c in holder.iterchildren(_ns_of(holder) + part.child) if transforms.text_of(c)]


def put(ctx: Context, target: str, value: Any, el: Any, rule: Rule) -> None:
    """Write a value into the draft according to the field's policy."""
    draft = ctx.draft
    policy = FIELD_POLICIES[target]
    if policy == "list":
        current = draft.get(target)
        if current is None:
            current = draft[target] = []
        if isinstance(value, list):
            for item in value:
                if item is not None and item not in current:
                    current.append(item)
        elif value is not None and value not in current:
            current.append(value)
    elif policy == "single":
        old = draft.get(target)
        if old is None:
            draft[target] = value
        elif old != value:
            prefer = rule.options.get("prefer")
            if prefer == "earliest" and isinstance(value, str) and value[:10] < str(old)[:10]:
                draft[target] = value
                value, old = old, value
            ctx.issue(
                Severity.INFO,
                "map.extra-value",
                f"{target} already holds {old!r}; {value!r} is not written (the profile allows one)",
                el,
                str(value),
            )
    else:
        if policy == "merge-first":
            current_list = draft.setdefault(target, [])
            if value.get("uri"):
                # a file with a link of its own is a Medium of its own (FileLocations/Medium is
                # repeatable); it fills a Medium only when that one has no link and agrees with it
                into = next((m for m in current_list if not m.get("uri") and all(m.get(k) in (None, v) for k, v in value.items())), None)
                if into is None:
                    into = {}
                    current_list.append(into)
            else:
                if not current_list:
                    current_list.append({})
                into = current_list[0]
        else:
            into = draft.setdefault(target, {})
        for key, kept, refused in _merge(into, value):
            ctx.issue(
                Severity.INFO,
                "map.extra-value",
                f"{target}.{key} already holds {kept!r}; {refused!r} is not written (the profile allows one)",
                el,
                str(refused),
            )


def _merge(into: dict[str, Any], value: dict[str, Any], path: str = "") -> list[tuple[str, Any, Any]]:
    """Fill ``into`` from ``value`` key by key; returns the (key, kept, refused) conflicts,
    which the caller reports: a merge never drops a differing value silently."""
    conflicts: list[tuple[str, Any, Any]] = []
    for key, item in value.items():
        old = into.get(key)
        if old is None:
            into[key] = item
        elif isinstance(old, list) and isinstance(item, list):
            old.extend(i for i in item if i not in old)
        elif isinstance(old, dict) and isinstance(item, dict):
            conflicts += _merge(old, item, f"{path}{key}.")
        elif old != item:
            conflicts.append((f"{path}{key}", old, item))
    return conflicts


def load_tables(paths: list[Path]) -> dict[str, dict[str, Any]]:
    """Tables from vocabulary files, keys folded to lower case (lookups ignore case)."""
    from crisbridge.mapping.spec import load_spec

    tables: dict[str, dict[str, Any]] = {}
    for p in paths:
        spec = load_spec(p)
        for name, rows in spec.tables.items():
            tables.setdefault(name, {}).update(_fold(rows))
    return tables


def _fold(rows: dict[str, Any]) -> dict[str, Any]:
    return {str(k).strip().lower(): v for k, v in rows.items()}
