"""Golden cases: source records converted to CERIF XML and compared with reviewed expected files.

Every folder ``tests/golden/<group>/<case>/`` is one case; adding a case means adding a folder,
never editing a list. A case folder holds:

- the input: ``input.xml``, or a ``case.yaml`` whose ``input:`` is a path relative to the shared
  reference folder (reference files are read where they are, never copied into the project);
- ``expected.xml``: the CERIF entity the record becomes, pretty-printed for review; absent when
  the record is expected to fail;
- ``expected-issues.json`` (optional): the record's issues in the report, a list of
  ``{"code": ..., "severity": ...}``, each optionally with ``"location"`` (the source XPath, or
  the CERIF element for writer issues), which is compared when the file gives it;
- ``case.yaml`` may also give ``cerif_version`` ("1.2", the default, or "1.1") and a ``note``
  saying why the case exists.

XML is compared after C14N 2.0 canonicalisation with insignificant whitespace removed; on a
mismatch the failure shows a unified diff of the pretty-printed forms. ``pytest --update-goldens``
rewrites the expected files from the current output: read the diff before committing it. Every
expected entity must also be valid against the official XSD of its profile version.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree

from crisbridge.pipeline import Converter, RecordResult
from crisbridge.validation.xsd import errors

GOLDEN = Path(__file__).resolve().parent / "golden"
CASE_KEYS = {"input", "cerif_version", "note"}
VERSIONS = ("1.2", "1.1")
ISSUE_KEYS = ("code", "severity", "location")


@dataclass(frozen=True)
class Case:
    folder: Path
    name: str  # "<group>/<case>"
    input: str | None  # relative to the reference folder; None when the folder has input.xml
    cerif_version: str
    problem: str | None = None  # a malformed case fails with this instead of being skipped

    @property
    def expected_xml(self) -> Path:
        return self.folder / "expected.xml"

    @property
    def expected_issues(self) -> Path:
        return self.folder / "expected-issues.json"


def load_case(folder: Path) -> Case:
    name = f"{folder.parent.name}/{folder.name}"
    settings: dict[str, Any] = {}
    if (folder / "case.yaml").is_file():
        loaded = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            return Case(folder, name, None, "1.2", "case.yaml is not a mapping")
        settings = loaded
    unknown = set(settings) - CASE_KEYS
    version = str(settings.get("cerif_version", "1.2"))
    problem = None
    if unknown:
        problem = f"case.yaml has unknown keys {sorted(unknown)}; known: {sorted(CASE_KEYS)}"
    elif version not in VERSIONS:
        problem = f"cerif_version {version!r} is not one of {VERSIONS}"
    elif ("input" in settings) == (folder / "input.xml").is_file():
        problem = "a case has exactly one input: input.xml, or `input:` in case.yaml"
    return Case(folder, name, settings.get("input"), version, problem)


def discover() -> list[Case]:
    """Every folder two levels below tests/golden is a case."""
    if not GOLDEN.is_dir():
        return []
    groups = [g for g in sorted(GOLDEN.iterdir()) if g.is_dir()]
    return [load_case(d) for g in groups for d in sorted(g.iterdir()) if d.is_dir()]


CASES = discover()


@cache
def _converter(version: str) -> Converter:
    return Converter(cerif_version=version)


@cache
def _convert(case: Case, reference: Path | None) -> RecordResult:
    if case.input is None:
        path, source = case.folder / "input.xml", f"{case.name}/input.xml"
    else:
        assert reference is not None
        path, source = reference / case.input, f"reference/{case.input}"
    # A stable source name keeps issue locations and fallback ids the same on every machine.
    return _converter(case.cerif_version).convert_one(path.read_bytes(), source=source)


def _result(case: Case, request: pytest.FixtureRequest) -> RecordResult:
    if case.problem:
        pytest.fail(f"{case.folder}: {case.problem}")
    reference = request.getfixturevalue("reference") if case.input is not None else None
    return _convert(case, reference)


# --- canonical XML and readable diffs ------------------------------------------------------

_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)


def canonical(xml: bytes) -> str:
    """C14N 2.0 with whitespace-only text dropped and the rest stripped."""
    return etree.canonicalize(etree.fromstring(xml, _PARSER), strip_text=True)


def pretty(xml: bytes | str) -> str:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    return etree.tostring(etree.fromstring(data, _PARSER), pretty_print=True, encoding="unicode")


def xml_diff(expected: bytes, actual: bytes, name: str) -> str:
    lines = difflib.unified_diff(
        pretty(expected).splitlines(),
        pretty(actual).splitlines(),
        f"{name}/expected.xml",
        f"{name} (actual)",
        lineterm="",
    )
    return "\n".join(lines)


def issue_entries(result: RecordResult) -> list[dict[str, str]]:
    return [
        {"code": i.code, "severity": i.severity.value, "location": i.location.xpath or i.location.path or ""}
        for i in result.issues
    ]


def _key(entry: dict[str, str], keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(entry.get(k, "")) for k in keys)


# --- the tests ------------------------------------------------------------------------------


def test_golden_cases_are_found() -> None:
    assert CASES, f"no golden cases under {GOLDEN}"


def test_every_official_datacite_example_has_a_golden_case(reference: Path) -> None:
    """The release promise: every DataCite 4.7 and 4.6 example converts as reviewed."""
    folders = [reference / "datacite" / f"kernel-{v}" / "example" for v in ("4.7", "4.6")]
    examples = {str(p.relative_to(reference)) for folder in folders for p in folder.glob("*.xml")}
    assert len(examples) >= 30
    missing = examples - {c.input for c in CASES if c.cerif_version == "1.2"}
    assert not missing, f"official examples without a golden case: {sorted(missing)}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_output(case: Case, request: pytest.FixtureRequest) -> None:
    result = _result(case, request)
    assert len(result.entities) <= 1, f"{case.name}: a golden case is one record, written as one entity"
    actual = etree.tostring(result.entities[0].element, encoding="utf-8") if result.entities else None
    entries = issue_entries(result)
    if request.config.getoption("--update-goldens"):
        _update(case, actual, entries)
        return
    _check_xml(case, actual, f"{result.status.value}: {entries}")
    if case.expected_issues.is_file():
        _check_issues(case, entries)


def _check_xml(case: Case, actual: bytes | None, why_none: str) -> None:
    if actual is None:
        assert not case.expected_xml.is_file(), f"{case.name}: no entity was written ({why_none})"
        return
    assert case.expected_xml.is_file(), f"{case.name}: no expected.xml (run pytest --update-goldens, then review it)"
    expected = case.expected_xml.read_bytes()
    if canonical(expected) != canonical(actual):
        diff = xml_diff(expected, actual, case.name)
        pytest.fail(f"{case.name}: the CERIF output differs from expected.xml\n{diff}", pytrace=False)


def _check_issues(case: Case, entries: list[dict[str, str]]) -> None:
    wanted: list[dict[str, str]] = json.loads(case.expected_issues.read_text(encoding="utf-8"))
    keys = ISSUE_KEYS if any("location" in w for w in wanted) else ISSUE_KEYS[:2]
    want = Counter(_key(w, keys) for w in wanted)
    got = Counter(_key(e, keys) for e in entries)
    if want != got:
        missing = sorted((want - got).elements())
        extra = sorted((got - want).elements())
        pytest.fail(
            f"{case.name}: the issues differ from expected-issues.json\n"
            f"  expected, not reported: {missing}\n  reported, not expected: {extra}",
            pytrace=False,
        )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_entity_is_valid_against_the_official_xsd(case: Case, request: pytest.FixtureRequest) -> None:
    result = _result(case, request)
    schema = request.getfixturevalue("schema_12" if case.cerif_version == "1.2" else "schema_11")
    for entity in result.entities:
        problems = errors(schema, entity.element)
        assert not problems, f"{case.name}: {entity.id} is not valid against the {case.cerif_version} XSD: {problems}"


def _update(case: Case, actual: bytes | None, entries: list[dict[str, str]]) -> None:
    if actual is None:
        case.expected_xml.unlink(missing_ok=True)
    else:
        declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
        case.expected_xml.write_text(declaration + pretty(actual), encoding="utf-8")
    # one issue a line: easy to review, and a diff shows which issue came or went
    lines = ",\n".join("  " + json.dumps(e, ensure_ascii=False) for e in entries)
    case.expected_issues.write_text(f"[\n{lines}\n]\n" if entries else "[]\n", encoding="utf-8")
