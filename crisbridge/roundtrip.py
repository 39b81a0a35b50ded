"""Round trips: a record to CERIF XML and back to its own format, compared field by field.

For each oai_dc or DataCite record:

    source --(mappings/<format>.yaml)--> model A --(CerifWriter)--> CERIF XML
           --(CERIF reader)--> model B --(mappings/out/<format>.yaml)--> the source format again

(``via="rdf"`` goes through the RDF of docs/rdf-vocabulary.md instead of CERIF XML.)

Both documents are read the way the source mapping reads them: every element's value is what
the mapping's rules make of it (``trace``), so ``https://doi.org/10.1/x`` and ``10.1/x`` are the
same DOI and ``eng`` and ``en`` the same language. Values are compared per field (the source
element the mapping matched) and each gets one outcome:

- ``carried``: the round-tripped record has it, spelt the same;
- ``respelled``: it has it spelt otherwise, where the mapping's own normalisation makes the two
  spellings one value (a DOI with and without its resolver, an ISBN with and without hyphens,
  the case of an ISSN's check digit), or with parts the writer adds (a nameType, the given and
  family names split from a name): ``how`` shows the spelling;
- ``changed``: it has a value in its place that says something else. Either the mapping reads
  the two differently (``en-US`` came back as ``en``), or they differ in a part the mapping
  does not read, which therefore reads the same whatever it says (the free text of a DataCite
  resourceType, the jurisdiction of a grant agreement, a subject's scheme), or a read part came
  back as another term of its vocabulary (resourceTypeGeneral Project as Other). ``how`` names
  the parts. In the last two cases what the source said there is gone, and as for a lost
  value ``loss`` is ``known`` when the source mapping's ``no_place`` documents the part
  (``resourceType/text()``) or the writer mapping chose the term, ``rejected`` when the
  mapping refused the part as invalid, and ``unexpected`` otherwise: an error.
  Which parts the mapping reads is found by reading the element again with the part altered
  (see ``_reads``);
- ``lost``: no counterpart. A loss is ``known`` when a mapping file says why (a ``known_loss``
  rule or ``no_place`` entry of the source mapping, the profile layout of
  ``mappings/profiles/``, a ``no_place`` entry or refusal of the writer mapping), ``rejected``
  when the source mapping refused the value as invalid and reported it, and ``unexpected``
  otherwise: an error.
- ``merged``: a repetition of another value of the same field, which the model holds once;
- ``added``: a value the source did not have (information, not a loss).

A field's ``retention`` is the share of its values carried, respelled or merged: that came back
saying what they said. ``kept`` counts the changed ones too: the values that came back at all.

Every outcome names the rule responsible: the source mapping's rule (file, line and name) and,
for what was written back, the writer mapping's rule.

    >>> result = RoundTrip("1.2").run(["records/"])
    >>> result.summary.lost_unexpected, result.fields["oai_dc"]["dc:title"].retention
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from lxml import etree
from pydantic import BaseModel, Field

from crisbridge.issues import Issue, Location, Severity
from crisbridge.mapping import registry, transforms
from crisbridge.mapping.context import Context, _relative_xpath
from crisbridge.mapping.engine import CompiledMapping
from crisbridge.model import ResearchOutput
from crisbridge.report import RecordReport, Status, Summary
from crisbridge.words import counted
from crisbridge.writers.repository import SHIPPED_OUT, RepositoryConverter

VIAS = ("cerif", "rdf")
# Codes of the source mapping's issues that mean "the value was refused as invalid".
REJECTED = re.compile(r"^(id\.invalid-|map\.bad-date$|map\.unknown-language$|map\.nameless-contributor$)")
# Issues of the mapping's cross-field rules (crisbridge.mapping.build), which carry no source
# location: the model field each one removes a value from.
FIELD_RULES = {"map.end-date-dropped": "access_end_date"}
# The CERIF elements a model field of an output is written as (profile layout files name these).
CERIF_ELEMENTS: dict[str, tuple[str, ...]] = {
    "titles": ("Title", "Name"), "subtitles": ("Subtitle",), "version_info": ("VersionInfo",), "languages": ("Language",),
    "published_in": ("PublishedIn",), "part_of": ("PartOf",), "publication_date": ("PublicationDate", "Dates"),
    "number": ("Number",), "volume": ("Volume",), "issue": ("Issue",), "edition": ("Edition",), "start_page": ("StartPage",),
    "end_page": ("EndPage",), "doi": ("DOI",), "handle": ("Handle",), "pmcid": ("PMCID",), "issns": ("ISSN",), "isbns": ("ISBN",),
    "url": ("URL",), "urn": ("URN",), "ark": ("ARK",), "creators": ("Authors", "Creators", "Inventors"), "editors": ("Editors",),
    "publishers": ("Publishers",), "licenses": ("License",), "subjects": ("Subject",), "keywords": ("Keyword",),
    "abstracts": ("Abstract", "Description"), "originates_from": ("OriginatesFrom",), "access": ("Access",),
    "access_end_date": ("Access",), "dates": ("Dates",), "media": ("FileLocations",), "type": ("Type",),
}


class Outcome(BaseModel):
    """What became of one source value (or of one value the round trip added)."""

    field: str
    outcome: str  # carried, respelled, changed, lost, added
    # known, rejected, unexpected: for a lost value, and for a changed one that lost a part
    # (a free-text type, a jurisdiction), known when a mapping file says why
    loss: str | None = None
    value: str | None = None
    to: str | None = None  # the round-tripped spelling (respelled, changed, added)
    how: str | None = None
    reason: str | None = None
    xpath: str | None = None
    rule: str | None = None  # the source mapping's rule
    out_rule: str | None = None  # the writer mapping's rule


class OutcomeCounts(BaseModel):
    """How many values came back how: one field's tally, and the run's total."""

    values: int = 0
    carried: int = 0
    respelled: int = 0
    merged: int = 0
    changed: int = 0
    lost_known: int = 0
    lost_rejected: int = 0
    lost_unexpected: int = 0
    added: int = 0
    # of the changed values, those that lost a part no mapping file explains (each an error)
    changed_unexpected: int = 0

    def add(self, o: Outcome) -> None:
        if o.outcome == "added":
            self.added += 1
            return
        self.values += 1
        name = f"lost_{o.loss}" if o.outcome == "lost" else o.outcome
        setattr(self, name, getattr(self, name) + 1)
        if o.outcome == "changed" and o.loss == "unexpected":
            self.changed_unexpected += 1

    def add_carried(self, n: int) -> None:
        self.values += n
        self.carried += n


class FieldTally(OutcomeCounts):
    @property
    def retention(self) -> float:
        """Share of the field's values that came back saying what they said: carried, spelt
        otherwise only as the mapping's own normalisation allows, or merged with a repetition.
        A changed value (a part gone or altered, a free-text type or a jurisdiction) is not
        retained."""
        return round((self.carried + self.respelled + self.merged) / self.values, 4) if self.values else 1.0

    @property
    def kept(self) -> float:
        """Share of the field's values that came back at all, changed ones included."""
        return round((self.carried + self.respelled + self.merged + self.changed) / self.values, 4) if self.values else 1.0

    def to_json(self) -> dict[str, Any]:
        return {**self.model_dump(), "retention": self.retention, "kept": self.kept}


class RoundTripRecord(RecordReport):
    carried: dict[str, int] = Field(default_factory=dict, description="Field -> values carried unchanged.")
    outcomes: list[Outcome] = Field(default_factory=list, description="Every value not carried unchanged.")


class RoundTripSummary(Summary, OutcomeCounts):
    """convert's summary and the round trip's outcome counts in one object."""


@dataclass
class RoundTripResult:
    """The report: per record, per field, and in total; owns the exit code.

    Records are counted as ``convert`` counts them (``Summary``: a record that cannot be read,
    has no title or is of a format with no writer back is ``failed``, with its reason) and the
    exit code is convert's (DESIGN 4): 1 when some record failed or carries an error. A value
    lost or changed in a way no mapping file explains is such an error (``roundtrip.lost``).
    The two are counted apart (``summary.failed``, ``summary.lost_unexpected`` and
    ``changed_unexpected``) and ``exit_reasons`` says which it was."""

    summary: RoundTripSummary = field(default_factory=RoundTripSummary)
    fields: dict[str, dict[str, FieldTally]] = field(default_factory=dict)  # format -> field -> tally
    records: list[RoundTripRecord] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)
    # the first error's code of each failed record (xml.not-well-formed, map.no-title, ...),
    # and how many errors the failed records carry in all
    failures: Counter[str] = field(default_factory=Counter)
    failed_errors: int = 0

    def note(self, issue: Issue) -> None:
        """An issue about an input file rather than a record, counted as convert counts it."""
        self.summary.count_note(issue)
        self.notes.append(issue)

    def add(self, rec: RoundTripRecord, fmt: str | None) -> None:
        s = self.summary
        s.count(rec)
        if rec.status is Status.FAILED:
            errors = [i.code for i in rec.issues if i.severity is Severity.ERROR]
            self.failures[errors[0] if errors else "failed"] += 1
            self.failed_errors += len(errors)
        tallies = self.fields.setdefault(fmt or "?", {})
        for name, n in rec.carried.items():
            tallies.setdefault(name, FieldTally()).add_carried(n)
            s.add_carried(n)
        for o in rec.outcomes:
            tallies.setdefault(o.field, FieldTally()).add(o)
            s.add(o)
        self.records.append(rec)

    @property
    def exit_code(self) -> int:
        return self.summary.exit_code

    def exit_reasons(self) -> list[str]:
        """Why the exit code is 1, each reason counted on its own: records that failed on their
        own, values lost or changed in a way no mapping file explains, other errors."""
        s = self.summary
        reasons = []
        if s.failed:
            why = ", ".join(f"{n} {code}" for code, n in self.failures.most_common())
            own = "its own and was" if s.failed == 1 else "their own and were"
            reasons.append(f"{counted(s.failed, 'record')} failed on {own} not round-tripped ({why})")
        unexplained = s.lost_unexpected + s.changed_unexpected
        if unexplained:
            reasons.append(f"{counted(s.lost_unexpected, 'value')} lost and {s.changed_unexpected} changed in a way no mapping "
                           "file explains (roundtrip.lost)")
        other = s.errors - unexplained - self.failed_errors
        if other > 0:
            reasons.append(f"{counted(other, 'other error')}")
        return reasons

    def fields_json(self) -> dict[str, Any]:
        return {fmt: {name: t.to_json() for name, t in sorted(tallies.items())} for fmt, tallies in sorted(self.fields.items()) if tallies}

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary.model_dump(),
            "fields": self.fields_json(),
            "records": [r.model_dump(mode="json", exclude_none=True) for r in self.records],
            "notes": [n.model_dump(mode="json", exclude_none=True) for n in self.notes],
        }


class RoundTripStream(RoundTripResult):
    """The same report, written to ``out`` as records arrive and holding only the tallies, so a
    round trip of millions of records keeps a flat memory profile (as ``convert``'s report)."""

    def __init__(self, out: Any) -> None:
        super().__init__()
        self.out = out
        self._first = True
        out.write('{"records": [\n')

    def add(self, rec: RoundTripRecord, fmt: str | None) -> None:
        super().add(rec, fmt)
        self.records.clear()
        self.out.write(("" if self._first else ",\n") + json.dumps(rec.model_dump(mode="json", exclude_none=True), ensure_ascii=False))
        self._first = False

    def close(self) -> None:
        notes = [n.model_dump(mode="json", exclude_none=True) for n in self.notes]
        self.out.write('\n],\n"notes": ' + json.dumps(notes, ensure_ascii=False))
        self.out.write(',\n"fields": ' + json.dumps(self.fields_json(), ensure_ascii=False))
        self.out.write(',\n"summary": ' + json.dumps(self.summary.model_dump()) + "}\n")
        self.out.flush()


# -- reading a document the way its mapping reads it ----------------------------------------


@dataclass
class Item:
    """One element of a record and what the mapping's rules make of it."""

    key: str  # the rule group (its match), or "~" + the element's name when no rule matched it
    label: str
    el: Any
    xpath: str
    values: dict[str, Any] = field(default_factory=dict)  # model field -> value
    rules: list[Any] = field(default_factory=list)  # the engine rules that accepted it
    handled_by: Any = None  # the rule that reported it (known_loss, an invalid value)
    issue: Issue | None = None
    root_ns: str | None = None  # the record's namespace
    # what the rules read it with, to read it again with a part altered (see ``_reads``)
    group: Any = None
    root: Any = None
    draft: dict[str, Any] | None = None

    @property
    def accepted(self) -> bool:
        return bool(self.values)

    @cached_property
    def norm(self) -> Any:
        """The values without their empty parts, as they are compared."""
        return _clean(self.values)

    @cached_property
    def key_of_value(self) -> str:
        """The normalised value as one string (equal values, equal strings)."""
        return json.dumps(self.norm, sort_keys=True, default=str)

    @cached_property
    def sig(self) -> tuple[Any, ...]:
        return signature(self.el)


def trace(mapping: CompiledMapping, root: Any, file: str = "", record: str = "") -> list[Item]:
    """Every element of the record a rule group matches, with the values its rules make of it,
    and the children of the root no rule matches. Each element is read on its own (its values
    do not depend on which came first), against the draft the whole record maps to, which the
    rules that fold one value into another consult (an Issued date that is the publication
    date, a second journal)."""
    whole = Context(file, record, root)
    mapping.apply(root, whole)
    root_ns = root.tag[1 : root.tag.index("}")] if root.tag[0] == "{" else ""
    by_tag, deep = mapping._dispatch(root_ns)
    items: list[Item] = []
    covered: set[Any] = set()
    unmatched = []
    for child in root:
        if not isinstance(child.tag, str):
            continue
        groups = by_tag.get(child.tag)
        if groups is None:
            unmatched.append(child)
            continue
        for g in groups:
            items.append(_trace_one(g, child, root, whole.draft))
    for g in deep:
        for el in g.xpath(root):  # type: ignore[misc]
            items.append(_trace_one(g, el, root, whole.draft))
            top = el
            while top.getparent() is not None and top.getparent() is not root:
                top = top.getparent()
            covered.add(top)
    for child in unmatched:
        if child not in covered:
            items.append(Item("~" + _step(child), _step(child), child, _relative_xpath(child, root)))
    for i in items:
        i.root_ns = root_ns
    # an element with no text that no rule reads carries only qualifiers (an empty abstract
    # with its descriptionType): there is no value to lose
    return [i for i in items if _has_content(i.el) and (i.accepted or i.handled_by is not None or transforms.text_of(i.el))]


def _trace_one(group: Any, el: Any, root: Any, draft: dict[str, Any]) -> Item:
    item = Item(group.match, _label(el, root), el, _relative_xpath(el, root), group=group, root=root, draft=draft)
    ctx = Context("", "", root)
    ctx.draft = draft  # read, never written: put() is not called here
    text = transforms.text_of(el)
    for rule in group.rules:
        if rule.when is not None and not rule.when.search(text):
            continue
        before = len(ctx.issues)
        result = rule.fn(el, rule, ctx)
        if result is None:
            continue
        if result is transforms.HANDLED:
            item.handled_by = rule
            item.issue = ctx.issues[before] if len(ctx.issues) > before else None
            break
        if rule.fn in transforms.PATCH_TRANSFORMS:
            patch = {k: v for k, v in result.items() if k in rule.to}
            if not patch:
                continue
            item.values.update(patch)
        else:
            item.values[rule.to[0]] = result
        item.rules.append(rule)
    return item


def _step(el: Any) -> str:
    qn = etree.QName(el)
    ns = qn.namespace or ""
    if ns.startswith("http://datacite.org/schema/kernel"):
        return f"datacite:{qn.localname}"
    if ns == "http://purl.org/dc/elements/1.1/":
        return f"dc:{qn.localname}"
    return qn.localname


def _label(el: Any, root: Any) -> str:
    steps = []
    node = el
    while node is not None and node is not root:
        steps.append(_step(node))
        node = node.getparent()
    return "/".join(reversed(steps))


_NOT_CONTENT = ("{http://www.w3.org/2001/XMLSchema-instance}", "{http://www.w3.org/XML/1998/namespace}")


def _has_content(el: Any) -> bool:
    """An element with text or a value in an attribute; an empty one (with only its language,
    as xml:lang or as the bare ``lang`` some records write) has nothing to lose."""
    if (el.text or "").strip() or any(v.strip() for k, v in el.attrib.items() if k != "lang" and not k.startswith(_NOT_CONTENT)):
        return True
    return any(isinstance(c.tag, str) and _has_content(c) for c in el)


def signature(el: Any) -> tuple[Any, ...]:
    """The element's spelling, namespaces aside (kernel 3 and kernel 4 spell the same names)."""
    attrs = tuple(sorted((etree.QName(k).localname, " ".join(v.split())) for k, v in el.attrib.items()
                         if not k.startswith("{http://www.w3.org/2001/XMLSchema-instance}")))
    children = tuple(signature(c) for c in el if isinstance(c.tag, str))
    return etree.QName(el).localname, attrs, " ".join((el.text or "").split()), children


def spelling(el: Any) -> str:
    """A short rendering of an element for the report: ``[attributes] text``, and its children
    as ``name: text`` (a creator's name parts, identifiers and affiliations)."""
    children = [c for c in el if isinstance(c.tag, str)]
    if children:
        text = "; ".join(f"{etree.QName(c).localname}: {spelling(c)}" for c in children)
    else:
        text = " ".join((el.text or "").split())
    attrs = " ".join(f'{etree.QName(k).localname}="{v}"' for k, v in el.attrib.items() if not k.startswith("{http://www.w3.org/2001/XMLSchema-instance}"))
    shown = f"[{attrs}] {text}" if attrs else text
    return shown if len(shown) <= 200 else shown[:197] + "..."


# -- comparing values ----------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """A value without its empty parts (None, empty lists and dicts), for comparing."""
    if isinstance(value, BaseModel):
        value = value.model_dump(exclude_none=True)
    if isinstance(value, dict):
        out = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, [], {}, "")}
    if isinstance(value, list):
        return [c for c in (_clean(v) for v in value) if c not in (None, [], {}, "")]
    return value


def contains(whole: Any, part: Any) -> bool:
    """True when every leaf of ``part`` is in ``whole`` (a list item in some item of the list)."""
    if isinstance(part, list):
        items = whole if isinstance(whole, list) else [whole]
        return all(any(contains(w, p) for w in items) for p in part)
    if isinstance(whole, list):
        return any(contains(w, part) for w in whole)
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(k in whole and contains(whole[k], v) for k, v in part.items())
    return bool(whole == part)


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_leaves(v, f"{path}.{k}" if path else str(k)))
        return out
    if isinstance(value, list):
        if len(value) == 1:
            return _leaves(value[0], path)
        out = {}
        for i, v in enumerate(value):
            out.update(_leaves(v, f"{path}[{i}]"))
        return out
    return {path: value}


def difference(before: Any, after: Any) -> str:
    """The leaves that differ: ``person.orcid: 'https://orcid.org/...' -> (none)``."""
    a, b = _leaves(before), _leaves(after)
    parts = []
    for key in list(a) + [k for k in b if k not in a]:
        if a.get(key) != b.get(key):
            old = _quoted(a[key]) if key in a else "(none)"
            new = _quoted(b[key]) if key in b else "(none)"
            parts.append(f"{key}: {old} -> {new}")
    return "; ".join(parts[:6]) + ("; ..." if len(parts) > 6 else "")


def _quoted(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


def _similarity(a: Any, b: Any) -> int:
    la, lb = _leaves(a), _leaves(b)
    return sum(1 for k, v in la.items() if lb.get(k) == v)


# -- how two spellings of one value differ -------------------------------------------------
#
# Two elements the mapping reads as the same value may still differ in what they say: the
# mapping reads a DataCite resourceType by its resourceTypeGeneral only, so a free-text type
# that did not come back reads the same; it reads an info:eu-repo grant agreement without its
# jurisdiction. "Respelled" is kept for what the mapping's own normalisation makes equal (a DOI
# with and without its resolver, the case of an ISSN's check digit, a language as eng or en).
# So every part that differs is put to the test: the element is read again with that part
# altered, wholly (letters and digits shifted, "EU" -> "FV") and by its last character only
# (a range's end "2025-07-16" -> "2025-07-17", which a date check still passes), or taken away
# when the output has no such part. A part whose alteration changes what the mapping makes of
# the element is read, and two spellings of it the mapping reads alike are one value spelt
# twice. A part whose alteration changes nothing is not read: that it differs (or is gone) is
# a change, which a mapping file must explain like any other loss. A read part that came back
# as another term of the vocabulary it is looked up in (DataCite's Project as Other: one COAR
# type) is a change too, where the writer could have written the term itself.

_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
# at most this many differing stretches of one text are tested one by one
_SEGMENTS_TESTED = 8


@dataclass
class Part:
    """One part of a source element's spelling that differs in the round-tripped one: an
    attribute, the text, or a child with no counterpart (``@subjectScheme``, ``text()``,
    ``nameIdentifier/@schemeURI``, ``affiliation``)."""

    path: str
    before: str
    after: str | None  # None: the round-tripped element has no such part
    el: Any  # the source element the part belongs to
    attr: str | None = None  # an attribute's qualified name
    whole: bool = False  # a child element with no counterpart
    read: bool = False  # altering it alters what the mapping makes of the value
    term: str | None = None  # read, but another term of this vocabulary table

    def shown(self) -> str:
        told = f" (another term of {self.term})" if self.term else ""
        if self.after is None:
            return f"{self.path}: '{_cut(self.before)}' -> (none){told}"
        before, after = _around(self.before, self.after)
        return f"{self.path}: '{before}' -> '{after}'{told}"


def _cut(text: str, most: int = 80) -> str:
    return text if len(text) <= most else text[: most - 3] + "..."


def _around(before: str, after: str, context: int = 15) -> tuple[str, str]:
    """Two long spellings cut to where they differ, with a little of what they share on
    either side: ``.../817949/EU/CONtract...`` -> ``.../817949//CONtract...``."""
    if len(before) <= 60 and len(after) <= 60:
        return before, after
    head = 0
    while head < min(len(before), len(after)) and before[head] == after[head]:
        head += 1
    tail = 0
    while tail < min(len(before), len(after)) - head and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    start = max(head - context, 0)

    def cut(text: str) -> str:
        end = min(len(text) - tail + context, len(text))
        return ("..." if start else "") + _cut(text[start:end]) + ("..." if end < len(text) else "")

    return cut(before), cut(after)


def _attributes(el: Any) -> dict[str, tuple[str, str]]:
    """local name -> (qualified name, value with its white space collapsed)."""
    return {etree.QName(k).localname: (k, " ".join(v.split())) for k, v in el.attrib.items() if not k.startswith(_XSI)}


def spelling_parts(src: Any, out: Any) -> list[Part]:
    """The parts of ``src`` that ``out`` spells otherwise or lacks. What ``out`` adds (a
    nameType, given and family names split from the name) changes nothing the source said."""
    found: list[Part] = []
    _walk(src, out, "", found)
    return found


def _walk(src: Any, out: Any, prefix: str, found: list[Part]) -> None:
    theirs = _attributes(out)
    for name, (qname, value) in _attributes(src).items():
        other = theirs.get(name)
        if value and (other is None or other[1] != value):
            found.append(Part(f"{prefix}@{name}", value, other[1] if other else None, src, attr=qname))
    text, other_text = " ".join((src.text or "").split()), " ".join((out.text or "").split())
    if text and text != other_text:
        found.append(Part(f"{prefix}text()", text, other_text or None, src))
    children = [c for c in out if isinstance(c.tag, str)]
    for child in src:
        if not isinstance(child.tag, str) or not _has_content(child):
            continue
        name = etree.QName(child).localname
        twin = _counterpart(child, [c for c in children if etree.QName(c).localname == name])
        if twin is None:
            found.append(Part(f"{prefix}{name}", spelling(child), None, child, whole=True))
            continue
        children.remove(twin)
        _walk(child, twin, f"{prefix}{name}/", found)


def _counterpart(child: Any, candidates: list[Any]) -> Any:
    """The output child that is ``child`` spelt alike, or else the one sharing most with it
    (a creator's second nameIdentifier is paired with the second, wherever the writer put it)."""
    if not candidates:
        return None
    sig = signature(child)
    for c in candidates:
        if signature(c) == sig:
            return c
    mine = set(_attributes(child).values())
    text = " ".join((child.text or "").split())

    def shared(c: Any) -> int:
        return len(mine & set(_attributes(c).values())) + (2 if text and " ".join((c.text or "").split()) == text else 0)

    return max(candidates, key=shared)


def _altered(text: str) -> str:
    """The same shape with another value: each letter and digit becomes the next one
    (``EU`` -> ``FV``, ``2016`` -> ``3127``); a stretch of punctuation or spaces becomes ``Q``s."""
    if not any(c.isalnum() for c in text):
        return "Q" * len(text)
    return "".join(_next(c) for c in text)


def _nudged(text: str) -> str:
    """The text with only its last letter or digit changed (``2025-07-16`` -> ``2025-07-17``):
    what the mapping merely checks (the end of a date range, which must be a date) still
    passes, so only what it keeps makes a difference."""
    for i in range(len(text) - 1, -1, -1):
        if text[i].isalnum():
            return text[:i] + _next(text[i]) + text[i + 1 :]
    return "Q" * len(text)


def _next(c: str) -> str:
    for low, high in (("a", "z"), ("A", "Z"), ("0", "9")):
        if low <= c <= high:
            return chr((ord(c) - ord(low) + 1) % (ord(high) - ord(low) + 1) + ord(low))
    return "q" if c.isalnum() else c


def _reading(item: Item) -> Any:
    """What the item's rules make of its element as it now stands."""
    return _trace_one(item.group, item.el, item.root, item.draft or {}).norm


# A change to make to a source element before reading it again: (element, attribute name, or
# None for its text, or "" for the element itself; the new value, or None to remove it).
Change = tuple[Any, "str | None", "str | None"]


def _reads(item: Item, part: Part) -> bool:
    """True when the mapping reads the part: what it makes of the element changes when the part
    is altered (both wholly and by its last character, as the element stands or with the
    element's other parts altered too, for a part read only when another is missing: a
    rightsURI beside the rightsIdentifier the licence is taken from), or, for a part the
    output does not have, when it is taken away."""
    if item.group is None:
        return False
    if part.whole:
        # a repetition of a sibling (the same identifier twice) is held once
        twins = [c for c in part.el.itersiblings(preceding=True) if isinstance(c.tag, str) and signature(c) == signature(part.el)]
        return bool(twins) or _differs(item, [(part.el, "", None)])
    if part.after is None:
        return _differs(item, [(part.el, part.attr, None)])
    others: list[Change] = [(part.el, k, _altered(v)) for k, v in part.el.attrib.items()
                            if k != part.attr and not k.startswith(_XSI) and v.strip()]
    if part.attr is not None:
        if (part.el.text or "").strip():
            others.append((part.el, None, _altered(part.el.text)))
        return all(_differs(item, [(part.el, part.attr, alter(part.before))], others) for alter in (_altered, _nudged))
    # the text: each stretch the output dropped or replaced is altered on its own (a resolver
    # prefix is read, a jurisdiction is not); when the output only added to it, the whole text
    stretches = [(i1, i2) for op, i1, i2, _, _ in _opcodes(part.before, part.after) if op in ("replace", "delete")]
    if not stretches:
        stretches = [(0, len(part.before))]

    def text_with(cut: list[tuple[int, int]], alter: Any) -> str:
        text, last = [], 0
        for i1, i2 in cut:
            text += [part.before[last:i1], alter(part.before[i1:i2])]
            last = i2
        return "".join(text + [part.before[last:]])

    def reads(cut: list[tuple[int, int]]) -> bool:
        return all(_differs(item, [(part.el, None, text_with(cut, alter))], others) for alter in (_altered, _nudged))

    if len(stretches) > _SEGMENTS_TESTED:
        return reads(stretches)
    return all(reads([one]) for one in stretches)


def _opcodes(a: str, b: str) -> Sequence[tuple[str, int, int, int, int]]:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def _differs(item: Item, changes: list[Change], context: list[Change] | None = None) -> bool:
    """Whether ``changes`` alter what the item's rules make of its element, as it stands or
    with ``context`` made first."""
    if _read_with(item, changes) != item.norm:
        return True
    return bool(context) and _read_with(item, [*(context or ()), *changes]) != _read_with(item, context or [])


def _read_with(item: Item, changes: list[Change]) -> Any:
    """What the item's rules make of its element with ``changes`` made; undone after."""
    # what to put back: (element, what, as it was): its parent and place for an element taken
    # out, its text, or all its attributes in their order
    undo: list[tuple[Any, str | None, Any]] = []
    try:
        for el, what, value in changes:
            if what == "":
                parent = el.getparent()
                undo.append((el, what, (parent, parent.index(el))))
                parent.remove(el)
            elif what is None:
                undo.append((el, what, el.text))
                el.text = value
            else:
                undo.append((el, what, list(el.attrib.items())))
                if value is None:
                    el.attrib.pop(what, None)
                else:
                    el.set(what, value)
        return _reading(item)
    finally:
        for el, what, was in reversed(undo):
            if what == "":
                parent, index = was
                parent.insert(index, el)
            elif what is None:
                el.text = was
            else:
                el.attrib.clear()
                for k, v in was:
                    el.set(k, v)


def _other_term(item: Item, part: Part, back: RepositoryConverter) -> str | None:
    """The table of a rule reading the part, when the part came back as another key of it with
    the same value and the writer could have written the source's key: the writer chose
    among distinct terms (DataCite's Award, Project and Other are one COAR type, c_1843)."""
    if part.after is None or part.whole:
        return None
    was, now = part.before.strip().lower(), part.after.strip().lower()
    for rule in item.rules:
        name = rule.spec.table
        if not name or was == now or was not in rule.table or rule.table.get(was) != rule.table.get(now):
            continue
        if any({was, now} <= keys for keys in _writable_keys(back, name, str(rule.table[was]))):
            return str(name)
    return None


def _writable_keys(back: RepositoryConverter, table: str, value: str) -> list[set[str]]:
    """Per reverse table of the writer mapping over ``table``: the keys (lower case) it could
    write for ``value``. Two keys of one such list are two terms of one vocabulary (DataCite's
    Project and Other); keys of different lists are one term in two vocabularies (an access
    right as an info:eu-repo URI and in words), which is a respelling."""
    from crisbridge.writers.repository import raw_tables

    rows = raw_tables(back.writer.spec.reads_back_with).get(table, {})
    found: list[set[str]] = []
    for rev in back.writer.spec.reverse.values():
        if rev.table != table:
            continue
        wanted = re.compile(rev.keys) if rev.keys else None
        keys = set()
        for key, row in rows.items():
            target = row.get(rev.value) if isinstance(row, dict) and rev.value else row
            if str(target) == value and (wanted is None or wanted.search(str(key))):
                keys.add(str(key).lower())
        found.append(keys)
    return found


# -- one record ----------------------------------------------------------------------------


def _rule_ref(rule: Any) -> str:
    spec = getattr(rule, "spec", rule)
    where = Path(spec.file).name if getattr(spec, "file", None) else "?"
    line = f":{spec.line}" if getattr(spec, "line", None) else ""
    return f"{where}{line} ({spec.name})"


class RoundTrip:
    """Runs round trips via CERIF XML of one profile version, or via RDF."""

    def __init__(self, cerif_version: str = "1.2", mapping_files: Iterable[Path] = (), via: str = "cerif") -> None:
        from crisbridge.writers.cerif import CerifWriter

        if via not in VIAS:
            from crisbridge.errors import UnknownFormatError

            raise UnknownFormatError(f"round trips via {via!r} are not available; via: {', '.join(VIAS)}")
        self.via = via
        self.mapping_files = tuple(Path(p) for p in mapping_files)
        self.repository = {name: RepositoryConverter(name, cerif_version, self.mapping_files) for name in SHIPPED_OUT}
        self.converter = next(iter(self.repository.values())).converter
        self.cerif = CerifWriter(cerif_version)

    def run(self, inputs: Iterable[str | Path]) -> RoundTripResult:
        result = RoundTripResult()
        for item in self.iter(inputs):
            if isinstance(item, Issue):
                result.note(item)
            else:
                result.add(*item)
        return result

    def iter(self, inputs: Iterable[str | Path]) -> Iterator[tuple[RoundTripRecord, str | None] | Issue]:
        """(record report, source format) per record, streaming; an ``Issue`` per file note."""
        from crisbridge.readers import read_inputs

        for rec in read_inputs([str(i) for i in inputs], self.converter.source_format):
            if rec.format in ("oai-note", "oai-error"):
                yield from rec.notes
                continue
            yield self.record(rec), rec.format

    def record(self, rec: Any) -> RoundTripRecord:
        from crisbridge.readers.cerif import read_entity

        if rec.problem is not None or rec.deleted or rec.format is None:
            r = self.converter.convert_record(rec)
            return RoundTripRecord(source=r.source, source_id=r.source_id, status=r.status, entities=r.report().entities, issues=r.issues)
        fmt = rec.format
        if fmt not in self.repository:
            issue = Issue(code="roundtrip.no-writer", severity=Severity.ERROR,
                          message=f"{fmt} records cannot be written back (writers: {', '.join(sorted(self.repository))})",
                          location=Location(file=rec.source, record=rec.oai_identifier))
            return RoundTripRecord(source=rec.source, source_id=rec.oai_identifier, status=Status.FAILED, issues=[issue])
        back = self.repository[fmt]
        model_a, map_issues, source_id = self.converter.map_record(rec)
        if model_a is None:
            return RoundTripRecord(source=rec.source, source_id=source_id, status=Status.FAILED, issues=map_issues)
        if self.via == "rdf":
            model_b, cerif_issues, read_issues = self._via_rdf(model_a, source_id, rec.source)
        else:
            cerif_el, cerif_issues = self.cerif.write(model_a, record=source_id, file=rec.source)
            # through the bytes, as a CRIS would receive them
            model_b, read_issues = read_entity(etree.fromstring(etree.tostring(cerif_el)), rec.source, source_id)
        if model_b is None:
            issue = Issue(code="roundtrip.not-read", severity=Severity.ERROR, message=f"the {self.via} form of the record could not be read back",
                          location=Location(file=rec.source, record=source_id))
            return RoundTripRecord(source=rec.source, source_id=source_id, status=Status.FAILED, issues=[issue, *read_issues, *map_issues, *cerif_issues])
        out_el, out_ctx = back.writer.write_traced(model_b, record=source_id, file=rec.source)
        # the entry says what convert's would (the mapping's and the CERIF or RDF writer's
        # issues), so both count a record alike; then what the round trip found
        report = RoundTripRecord(source=rec.source, source_id=source_id, status=Status.CONVERTED, entities=[str(model_a.id)],
                                 issues=[*map_issues, *cerif_issues])
        # the writer's errors and warnings, as convert --to <format> reports them: a record
        # the writer refuses (out.missing-required) fails here as it fails there
        written = [i for i in out_ctx.issues if i.severity is not Severity.INFO]
        refusals = [i for i in written if i.severity is Severity.ERROR]
        if out_el is None or refusals or not isinstance(model_b, ResearchOutput):
            report.status = Status.FAILED
            # the writer's refusal first: it is why the record failed
            report.issues = [*refusals, *report.issues, *(i for i in written if i.severity is not Severity.ERROR)]
            return report
        report.issues += written
        mapping = registry.compiled(fmt, self.mapping_files)
        stages = _Stages(mapping, back, model_a, model_b, map_issues, cerif_issues + read_issues, out_ctx)
        compare(trace(mapping, rec.payload, rec.source, source_id), trace(mapping, out_el), stages, report)
        for o in report.outcomes:
            if o.loss != "unexpected":
                continue
            if o.outcome == "lost":
                message = f"{o.field} lost in the round trip: {o.reason}"
            else:
                message = f"{o.field} came back without part of what it said ({o.how}): {o.reason}"
            report.issues.append(Issue(code="roundtrip.lost", severity=Severity.ERROR, message=message,
                                       location=Location(file=rec.source, record=source_id, xpath=o.xpath, value=o.value)))
        return report


    def _via_rdf(self, model: ResearchOutput, source_id: str, file: str) -> tuple[Any, list[Issue], list[Issue]]:
        """The model as N-Triples of the crisbridge vocabulary (docs/rdf-vocabulary.md), and
        back: the RDF writer takes the CERIF writer's decisions, element by element."""
        from crisbridge.readers.rdf import parse_rdf, read_graph
        from crisbridge.writers.rdf import DEFAULT_BASE, RdfWriter, to_ntriples

        triples, write_issues = RdfWriter(DEFAULT_BASE).triples(model, record=source_id, file=file)
        graph = parse_rdf(to_ntriples(triples).encode("utf-8"), "nt")
        read = [e for e in read_graph(graph, DEFAULT_BASE, file) if isinstance(e.entity, ResearchOutput)]
        if not read:
            return None, write_issues, []
        return read[0].entity, write_issues, read[0].issues


@dataclass
class _Stages:
    """What each step of the round trip said, to find where a value was lost and which rule or
    which mapping file says why."""

    mapping: CompiledMapping
    back: RepositoryConverter
    model_a: ResearchOutput
    model_b: ResearchOutput
    map_issues: list[Issue]
    cerif_issues: list[Issue]
    out_ctx: Any

    def __post_init__(self) -> None:
        self.a = _clean(self.model_a)
        self.b = _clean(self.model_b)
        self.at_xpath: dict[str, list[Issue]] = {}
        for i in self.map_issues:
            if i.location.xpath:
                self.at_xpath.setdefault(i.location.xpath, []).append(i)

    def why_lost(self, item: Item) -> tuple[str, str]:
        """(loss, reason) for a value the mapping read that did not come back."""
        for issue in self.at_xpath.get(item.xpath, []):
            if issue.code in ("map.extra-value", "map.known-loss"):
                return "known", f"{issue.message} ({issue.code})"
            if REJECTED.match(issue.code):
                return "rejected", f"{issue.message} ({issue.code})"
        fields = list(item.values)
        if not contains(self.a, item.values):
            # a single-valued field already held another value: the engine reports the value it
            # refused, on whichever element came second
            spelt = {str(v) for v in _leaves(item.values).values()}
            for issue in self.map_issues:
                if issue.code == "map.extra-value" and issue.location.value in spelt:
                    return "known", f"{issue.message} ({issue.code})"
                if FIELD_RULES.get(issue.code) in fields:
                    return "known", f"{issue.message} ({issue.code})"
            return "unexpected", f"the mapping read it into {', '.join(fields)}, but the model does not hold it"
        if not contains(self.b, item.values):
            elements = {e for f in fields for e in CERIF_ELEMENTS.get(f, ())}
            for issue in self.cerif_issues:
                if issue.location.path in elements or any(f" {e}" in issue.message for e in elements):
                    return "known", f"{issue.message} ({issue.code}; the profile layout: mappings/profiles/)"
            return "unexpected", f"lost between the model and its CERIF form ({', '.join(fields)})"
        spec = self.back.writer.spec
        for f in fields:
            if f in spec.no_place:
                return "known", f"{f}: {spec.no_place[f]} ({Path(str(spec.file)).name}, no_place)"
        for issue in self.out_ctx.issues:
            if issue.code.startswith("out.") and issue.location.path and any(f in _rule_fields(self.back, issue.location.path) for f in fields):
                return "known", f"{issue.message} ({issue.code}, {issue.location.path})"
        return "unexpected", f"the {self.back.target} writer did not write {', '.join(fields)} back in a form the mapping reads"

    def why_parts_changed(self, item: Item, parts: list[Part]) -> tuple[str, str]:
        """(loss, reason) for a value that came back with parts the mapping does not read
        changed or gone: ``known`` when the source mapping's ``no_place`` explains each such
        part (keyed ``element/@attribute``, ``element/text()``, ``element/child``, or
        ``*/@attribute`` for any element), or the writer mapping's reverse table chose another
        term; ``rejected`` when the mapping refused the part as invalid and said so;
        ``unexpected`` otherwise."""
        local = etree.QName(item.el).localname
        where = Path(str(self.mapping.spec.file)).name
        out_file = Path(str(self.back.writer.spec.file)).name
        said: list[str] = []
        unexplained: list[str] = []
        rejected = False
        for part in parts:
            if part.term is not None:
                said.append(f"{part.path}: '{part.before}' and '{part.after}' are one value of {part.term}; "
                            f"{out_file} writes '{part.after}' back (reverse)")
                continue
            steps = part.path.split("/")
            keys = [f"{local}/{part.path}", "/".join(steps[-2:]) if len(steps) > 1 else "", f"*/{steps[-1]}"]
            key = next((k for k in keys if k in self.mapping.no_place), None)
            if key is not None:
                said.append(f"{part.path}: {self.mapping.no_place[key]} ({where}, no_place: {key})")
                continue
            refused = [i for i in self.at_xpath.get(_relative_xpath(part.el, item.root), []) if REJECTED.match(i.code)]
            if refused:
                rejected = True
                said.append(f"{part.path}: {refused[0].message} ({refused[0].code})")
                continue
            unexplained.append(part.path)
        # what the mapping, the CERIF writer or the writer mapping said about the value
        issues = self.why_changed(item)
        if issues:
            said.append(issues)
        if unexplained:
            said.insert(0, f"no mapping file says why {', '.join(unexplained)} did not come back as the source spells it")
            return "unexpected", "; ".join(said)
        return ("rejected" if rejected else "known"), "; ".join(said)

    def why_changed(self, item: Item) -> str | None:
        """What the mapping, the CERIF writer or the writer mapping said about the value, when
        one of them changed it (a type generalised, a language's region dropped)."""
        fields = set(item.values)
        said = [i for i in self.at_xpath.get(item.xpath, []) if i.severity is not Severity.INFO or i.code.startswith("map.")]
        said += [i for i in self.map_issues if not i.location.xpath and "type" in fields and i.code.startswith("map.type-")]
        elements = {e for f in fields for e in CERIF_ELEMENTS.get(f, ())}
        said += [i for i in self.cerif_issues if i.location.path in elements]
        said += [i for i in self.out_ctx.issues if i.location.path and fields & set(_rule_fields(self.back, i.location.path))]
        return "; ".join(f"{i.message} ({i.code})" for i in said[:3]) or None

    def out_rule(self, el: Any) -> str | None:
        node = el
        while node is not None:
            name = self.out_ctx.written_by.get(node)
            if name is not None:
                rule = next(r for r in self.back.writer.rules if r.name == name)
                return _rule_ref(rule.spec)
            node = node.getparent()
        return None


def _rule_fields(back: RepositoryConverter, path: str) -> list[str]:
    name = path.split(" (", 1)[0]
    return [f for r in back.writer.spec.rules if r.name == name for f in r.from_]


def _unaccepted(item: Item, mapping: CompiledMapping) -> Outcome:
    """A source value the mapping did not read: known (known_loss, no_place), rejected
    (reported as invalid) or unexpected (no rule and no reason)."""
    base = {"field": item.label, "outcome": "lost", "value": spelling(item.el), "xpath": item.xpath}
    if item.handled_by is not None and item.issue is None:
        return Outcome(field=item.label, outcome="merged", value=spelling(item.el), xpath=item.xpath, rule=_rule_ref(item.handled_by),
                       how="the rule folds it into another value of the record")
    if item.handled_by is not None:
        code = item.issue.code if item.issue is not None else "handled"
        loss = "rejected" if REJECTED.match(code) else "known"
        reason = item.issue.message if item.issue is not None else "the rule reported it"
        return Outcome(**base, loss=loss, reason=f"{reason} ({code})", rule=_rule_ref(item.handled_by))
    qname = etree.QName(item.el)
    local = qname.localname
    if (qname.namespace or "") not in (item.root_ns or "", *mapping.spec.namespaces.values()):
        # the OpenAIRE aggregator mixes its own elements, Dublin Core and other DataCite kernels
        # into DataCite records; the mapping reads the record's own namespace (root_prefix)
        return Outcome(**base, loss="known", reason=f"not an element of {mapping.name} (namespace {qname.namespace}): the {mapping.name} mapping reads its own format only")
    documented = mapping.no_place_reason(item.el, reached=not item.key.startswith("~"))
    if documented is not None:
        where = Path(str(mapping.spec.file)).name
        return Outcome(**base, loss="known", reason=f"{documented} ({where}, no_place: {local})")
    matched = "" if item.key.startswith("~") else f" (rules: {', '.join(r.spec.name for r in _group_rules(mapping, item.key))})"
    return Outcome(**base, loss="unexpected", reason=f"no rule of the mapping reads this value{matched}, and no_place gives no reason")


def _group_rules(mapping: CompiledMapping, key: str) -> list[Any]:
    return next((g.rules for g in mapping.groups if g.match == key), [])


def compare(source: list[Item], output: list[Item], stages: _Stages, report: RoundTripRecord) -> None:
    """Pair each source value with the round-tripped one and record the outcome: first the same
    field spelt the same, then the same value spelt otherwise, then the same value in another
    field of the format, then a differing value in the same field; what is left is lost (or,
    on the output side, added)."""
    by_key: dict[str, list[Item]] = {}
    folded: dict[tuple[str, Any], list[Item]] = {}
    for o in output:
        if o.accepted:
            by_key.setdefault(o.key, []).append(o)
        elif o.handled_by is not None and o.issue is None:
            folded.setdefault((o.key, o.sig), []).append(o)
    pending: dict[str, list[Item]] = {}
    for s in source:
        if s.accepted:
            pending.setdefault(s.key, []).append(s)
        elif not _folded_twin(s, folded, report):
            report.outcomes.append(_unaccepted(s, stages.mapping))
    left: list[Item] = []
    for key, items in pending.items():
        candidates = by_key.setdefault(key, [])
        items = _merge_duplicates(items, report)
        items = _pair(items, candidates, stages, report, exact=True)
        items = _pair(items, candidates, stages, report, exact=False)
        left += [s for s in items if not _folded_twin(s, folded, report)]
    # the same value written in another element of the format (a URL that had to become the
    # record's identifier, for want of a DOI)
    elsewhere = [o for items in by_key.values() for o in items]
    left = _pair(left, elsewhere, stages, report, exact=False)
    for items in by_key.values():
        items[:] = [o for o in items if o in elsewhere]
    for s in left:
        candidates = by_key[s.key] if s.key in by_key else []
        best = max(candidates, key=lambda o, s=s: _similarity(s.norm, o.norm), default=None)
        # a value in the place of another: they share a part, or fill the same fields
        if best is not None and (_similarity(s.norm, best.norm) > 0 or set(s.values) == set(best.values)):
            candidates.remove(best)
            report.outcomes.append(Outcome(field=s.label, outcome="changed", value=spelling(s.el), to=spelling(best.el),
                                           how=difference(s.norm, best.norm), reason=stages.why_changed(s), xpath=s.xpath,
                                           rule=", ".join(_rule_ref(r) for r in s.rules), out_rule=stages.out_rule(best.el)))
            continue
        loss, reason = stages.why_lost(s)
        report.outcomes.append(Outcome(field=s.label, outcome="lost", loss=loss, value=spelling(s.el), reason=reason,
                                       xpath=s.xpath, rule=", ".join(_rule_ref(r) for r in s.rules)))
    for rest in by_key.values():
        for o in rest:
            report.outcomes.append(_added(o, stages))


def _folded_twin(s: Item, folded: dict[tuple[str, Any], list[Item]], report: RoundTripRecord) -> bool:
    """True (and counted as carried) when the output has the same element, spelt the same, that
    the mapping folds into another value (an Issued date that is the publication date): on one
    side or both, it is the same value."""
    twins = folded.get((s.key, s.sig))
    if not twins:
        return False
    twins.pop()
    report.carried[s.label] = report.carried.get(s.label, 0) + 1
    return True


def _merge_duplicates(items: list[Item], report: RoundTripRecord) -> list[Item]:
    """A value the record repeats (DSpace writes its dates three times) is one value of the
    model; the repetitions are reported as merged into the first, not as lost."""
    kept: list[Item] = []
    first: dict[str, Item] = {}
    for s in items:
        twin = first.get(s.key_of_value)
        if twin is None:
            first[s.key_of_value] = s
            kept.append(s)
        else:
            report.outcomes.append(Outcome(field=s.label, outcome="merged", value=spelling(s.el), xpath=s.xpath,
                                           how=f"the same value as {twin.xpath}; the model holds it once",
                                           rule=", ".join(_rule_ref(r) for r in s.rules)))
    return kept


def _pair(items: list[Item], candidates: list[Item], stages: _Stages, report: RoundTripRecord, exact: bool) -> list[Item]:
    left = []
    for s in items:
        want = s.norm
        match = None
        for o in candidates:
            if contains(o.norm, want) and (not exact or o.sig == s.sig):
                match = o
                break
        if match is None:
            left.append(s)
            continue
        candidates.remove(match)
        if exact:
            report.carried[s.label] = report.carried.get(s.label, 0) + 1
            continue
        moved = f"written as {match.label}" if match.key != s.key else None
        common = {"field": s.label, "value": spelling(s.el), "to": spelling(match.el), "xpath": s.xpath,
                  "rule": ", ".join(_rule_ref(r) for r in s.rules), "out_rule": stages.out_rule(match.el)}
        parts = spelling_parts(s.el, match.el)
        for part in parts:
            part.read = _reads(s, part)
            part.term = _other_term(s, part, stages.back) if part.read else None
        changed = [p for p in parts if not p.read or p.term]
        if not changed:
            how = "; ".join(([moved] if moved else []) + [p.shown() for p in parts]) or None
            report.outcomes.append(Outcome(**common, outcome="respelled", how=how))
            continue
        loss, reason = stages.why_parts_changed(s, changed)
        how = "; ".join(p.shown() for p in changed)
        report.outcomes.append(Outcome(**common, outcome="changed", loss=loss, how=f"{moved}; {how}" if moved else how, reason=reason))
    return left


def _added(o: Item, stages: _Stages) -> Outcome:
    return Outcome(field=o.label, outcome="added", to=spelling(o.el), out_rule=stages.out_rule(o.el),
                   how="the round trip wrote a value the source did not have")


__all__ = ["FieldTally", "Outcome", "RoundTrip", "RoundTripRecord", "RoundTripResult", "RoundTripStream", "contains", "signature", "trace"]
