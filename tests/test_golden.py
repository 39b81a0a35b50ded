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

from pathlib import Path

import pytest

from crisbridge import cases
from crisbridge.cases import Case
from crisbridge.pipeline import RecordResult
from crisbridge.validation.xsd import errors

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = cases.discover(GOLDEN) if GOLDEN.is_dir() else []
_RESULTS: dict[str, RecordResult] = {}


def _result(case: Case, request: pytest.FixtureRequest) -> RecordResult:
    if case.problem:
        pytest.fail(f"{case.folder}: {case.problem}")
    if case.name not in _RESULTS:
        reference = request.getfixturevalue("reference") if case.input is not None else None
        _RESULTS[case.name] = cases.convert_case(case, reference)
    return _RESULTS[case.name]


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
    if request.config.getoption("--update-goldens"):
        cases.update(case, result)
        return
    failures = cases.check(case, result)
    if failures:
        pytest.fail(f"{case.name}: " + "\n".join(failures), pytrace=False)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_entity_is_valid_against_the_official_xsd(case: Case, request: pytest.FixtureRequest) -> None:
    result = _result(case, request)
    schema = request.getfixturevalue("schema_12" if case.cerif_version == "1.2" else "schema_11")
    for entity in result.entities:
        problems = errors(schema, entity.element)
        assert not problems, f"{case.name}: {entity.id} is not valid against the {case.cerif_version} XSD: {problems}"
