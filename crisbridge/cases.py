"""Fixture cases for mapping authors: a record in, the CERIF expected out.

A case is a folder holding:

- the input: ``input.xml``, or a ``case.yaml`` whose ``input:`` is a path relative to a base
  folder the runner is given (the project's own goldens point into the shared reference
  material this way instead of copying it);
- ``expected.xml``: the CERIF entity the record becomes; absent when the record must fail,
  and then ``expected-issues.json`` is required: it says how the record fails, so that a
  fixture broken by accident (a cut file, a wrong path) cannot pass as "expected to fail";
- ``expected-issues.json`` (optional beside ``expected.xml``): the record's issues, a list of
  ``{"code", "severity"}``, each optionally with ``"location"`` (source XPath, or the CERIF
  element for writer issues);
- ``case.yaml`` may also give ``cerif_version`` ("1.2" or "1.1"), ``mapping`` (override files,
  relative to the case folder) and ``note``.

XML is compared after C14N 2.0 with insignificant whitespace removed; a mismatch comes with a
unified diff of the pretty-printed forms. The same code serves ``crisbridge mappings test``,
the pytest plugin and the project's own golden tests. A case that cannot run (a case.yaml
that is wrong, an input that is not there, a broken mapping of its own) fails on its own with
the reason, naming its folder; the other cases still run.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from crisbridge.errors import MappingError
from crisbridge.pipeline import Converter, RecordResult

CASE_KEYS = {"input", "cerif_version", "mapping", "note"}
VERSIONS = ("1.2", "1.1")
ISSUE_KEYS = ("code", "severity", "location")
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class Case:
    folder: Path
    name: str
    input: str | None  # relative to the base folder; None when the folder has input.xml
    cerif_version: str = "1.2"
    mapping: tuple[Path, ...] = ()
    problem: str | None = None  # a malformed case fails with this reason

    @property
    def expected_xml(self) -> Path:
        return self.folder / "expected.xml"

    @property
    def expected_issues(self) -> Path:
        return self.folder / "expected-issues.json"


@dataclass
class Outcome:
    case: Case
    result: RecordResult | None
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def note(self) -> str | None:
        """Said beside a pass that wrote nothing: the case was meant to fail, and did."""
        if not self.passed or self.result is None or self.result.entities:
            return None
        codes = sorted({i.code for i in self.result.issues if i.severity.value == "error"})
        return f"expected to fail: failed with {', '.join(codes) or self.result.status.value}"


def load_case(folder: Path, root: Path | None = None) -> Case:
    # the case's path below the folder given; the folder's own name when the case is that folder
    # (``relative_to`` gives "." then, which names nothing)
    relative = str(folder.relative_to(root)) if root is not None and folder.is_relative_to(root) else "."
    name = relative if relative != "." else folder.resolve().name
    settings: dict[str, Any] = {}
    if (folder / "case.yaml").is_file():
        try:
            # read from the file, so that the parser's message names it (not "<unicode string>")
            with (folder / "case.yaml").open(encoding="utf-8") as stream:
                loaded = yaml.safe_load(stream) or {}
        except yaml.YAMLError as exc:
            return Case(folder, name, None, problem=f"case.yaml is not valid YAML: {exc}")
        if not isinstance(loaded, dict):
            return Case(folder, name, None, problem="case.yaml is not a mapping")
        settings = loaded
    unknown = set(settings) - CASE_KEYS
    version = str(settings.get("cerif_version", "1.2"))
    mapping = settings.get("mapping", [])
    mapping = [mapping] if isinstance(mapping, str) else list(mapping)
    problem = None
    if unknown:
        problem = f"case.yaml has unknown keys {sorted(unknown)}; known: {sorted(CASE_KEYS)}"
    elif version not in VERSIONS:
        problem = f"cerif_version {version!r} is not one of {VERSIONS}"
    elif ("input" in settings) == (folder / "input.xml").is_file():
        problem = "a case has exactly one input: input.xml, or `input:` in case.yaml"
    elif "input" in settings and not isinstance(settings["input"], str):
        problem = f"case.yaml: `input:` is a path, not {settings['input']!r}"
    return Case(folder, name, settings.get("input"), version, tuple((folder / m).resolve() for m in mapping), problem)


def discover(root: Path) -> list[Case]:
    """Every folder below ``root`` (or ``root`` itself) that holds an input.xml or case.yaml."""
    folders = sorted({p.parent for pattern in ("input.xml", "case.yaml") for p in root.rglob(pattern)})
    return [load_case(f, root) for f in folders]


@lru_cache(maxsize=16)
def _converter(version: str, mapping: tuple[Path, ...]) -> Converter:
    return Converter(cerif_version=version, mapping_files=mapping)


def input_problem(case: Case, base: Path | None) -> str | None:
    """Why the input a case.yaml names cannot be read (None when it can), naming the case."""
    if case.input is None:
        return None
    where = case.folder / "case.yaml"
    if base is None and not Path(case.input).is_absolute():
        return (f"{where}: `input: {case.input}` is relative to a base folder, and none was given "
                "(crisbridge mappings test --base FOLDER; crisbridge_base in the pytest configuration)")
    path = (base or Path()) / case.input
    if not path.is_file():
        return f"{where}: `input: {case.input}` names {path}, which is {'a folder' if path.is_dir() else 'not there'}"
    return None


def convert_case(case: Case, base: Path | None = None, extra_mapping: tuple[Path, ...] = ()) -> RecordResult:
    """Convert a case's input; a case whose input cannot be read raises ValueError
    (``run`` and the pytest plugin ask ``input_problem`` first and fail the case alone)."""
    problem = input_problem(case, base)
    if problem is not None:
        raise ValueError(problem)
    if case.input is None:
        path, source = case.folder / "input.xml", f"{case.name}/input.xml"
    else:
        path, source = (base or Path()) / case.input, f"reference/{case.input}"
    # a stable source name keeps issue locations and fallback ids the same on every machine
    return _converter(case.cerif_version, extra_mapping + case.mapping).convert_one(path.read_bytes(), source=source)


def canonical(xml: bytes) -> str:
    """C14N 2.0 with whitespace-only text dropped and the rest stripped."""
    return etree.canonicalize(etree.fromstring(xml, _PARSER), strip_text=True)


def pretty(xml: bytes | str) -> str:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    return etree.tostring(etree.fromstring(data, _PARSER), pretty_print=True, encoding="unicode")


def xml_diff(expected: bytes, actual: bytes, name: str) -> str:
    lines = difflib.unified_diff(pretty(expected).splitlines(), pretty(actual).splitlines(), f"{name}/expected.xml", f"{name} (actual)", lineterm="")
    return "\n".join(lines)


def issue_entries(result: RecordResult) -> list[dict[str, str]]:
    return [{"code": i.code, "severity": i.severity.value, "location": i.location.xpath or i.location.path or ""} for i in result.issues]


def check(case: Case, result: RecordResult) -> list[str]:
    """What differs between a case's expectations and the conversion result."""
    if case.problem:
        return [case.problem]
    failures: list[str] = []
    if len(result.entities) > 1:
        failures.append("a case is one record, written as one entity")
    actual = etree.tostring(result.entities[0].element, encoding="utf-8") if result.entities else None
    if actual is None:
        if case.expected_xml.is_file():
            failures.append(f"no entity was written ({result.status.value}: {[i.code for i in result.issues]})")
        elif not case.expected_issues.is_file():
            # "no expected.xml" alone would let any failure pass: a cut input, a wrong path
            failures.append(
                f"the record failed ({', '.join(i.code for i in result.issues) or result.status.value}), and the case has "
                "neither expected.xml nor expected-issues.json: a case that must fail says how in expected-issues.json "
                "(--update writes it; review it)"
            )
    elif not case.expected_xml.is_file():
        failures.append("no expected.xml (run with --update, then review it)")
    else:
        expected = case.expected_xml.read_bytes()
        if canonical(expected) != canonical(actual):
            failures.append("the CERIF output differs from expected.xml\n" + xml_diff(expected, actual, case.name))
    if case.expected_issues.is_file():
        wanted: list[dict[str, str]] = json.loads(case.expected_issues.read_text(encoding="utf-8"))
        keys = ISSUE_KEYS if any("location" in w for w in wanted) else ISSUE_KEYS[:2]
        want = Counter(tuple(str(w.get(k, "")) for k in keys) for w in wanted)
        got = Counter(tuple(str(e.get(k, "")) for k in keys) for e in issue_entries(result))
        if want != got:
            failures.append(
                "the issues differ from expected-issues.json\n"
                f"  expected, not reported: {sorted((want - got).elements())}\n"
                f"  reported, not expected: {sorted((got - want).elements())}"
            )
    return failures


def update(case: Case, result: RecordResult) -> None:
    """Rewrite a case's expected files from the current output (review the diff afterwards)."""
    actual = etree.tostring(result.entities[0].element, encoding="utf-8") if result.entities else None
    if actual is None:
        case.expected_xml.unlink(missing_ok=True)
    else:
        case.expected_xml.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + pretty(actual), encoding="utf-8")
    entries = issue_entries(result)
    lines = ",\n".join("  " + json.dumps(e, ensure_ascii=False) for e in entries)
    case.expected_issues.write_text(f"[\n{lines}\n]\n" if entries else "[]\n", encoding="utf-8")


def run(root: Path, base: Path | None = None, mapping: tuple[Path, ...] = (), write: bool = False) -> Iterator[Outcome]:
    """Every case's outcome; a broken ``mapping`` (given for all cases) raises MappingError,
    a case's own broken mapping fails that case only."""
    for case in discover(root):
        problem = case.problem or input_problem(case, base)
        if problem:
            yield Outcome(case, None, [problem])
            continue
        try:
            result = convert_case(case, base, mapping)
        except MappingError as exc:
            if Path(exc.file).resolve() not in case.mapping:
                raise
            yield Outcome(case, None, [f"{case.folder / 'case.yaml'}: mapping: {exc}"])
            continue
        except OSError as exc:
            yield Outcome(case, None, [f"{case.folder}: the input cannot be read: {exc.strerror or exc}"])
            continue
        if write:
            update(case, result)
            yield Outcome(case, result)
        else:
            yield Outcome(case, result, check(case, result))
