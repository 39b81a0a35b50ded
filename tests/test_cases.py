"""Fixture cases that cannot run fail on their own, and a case that must fail says how.

`crisbridge mappings test` and the pytest plugin run a mapping author's folder of cases. A
case.yaml that is wrong (a relative `input:` without a base, an input that is not there, not
YAML at all) fails that case with its folder and reason; the others still run. The inputs are
the worked example of docs/mapping-guide.md and real records of the shared reference.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crisbridge import cases
from crisbridge.cli import app

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "repositorio-exemplo"
RECORD = "real-records/dspace-eur-pyoai/records/oai_dc/hdl_1765_1131.xml"
runner = CliRunner()


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """The guide's two good cases beside three that cannot run."""
    root = tmp_path / "cases"
    shutil.copytree(EXAMPLE / "cases", root)
    for name, text in {
        "relative": f"input: {RECORD}\n",
        "missing": "input: real-records/no/such/record.xml\n",
        "not-yaml": "input: [unclosed\n",
    }.items():
        (root / name).mkdir()
        (root / name / "case.yaml").write_text(text, encoding="utf-8")
    return root


def _test(*args: str) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["mappings", "test", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output.splitlines()


def _failure_of(lines: list[str], name: str) -> str:
    at = lines.index(f"FAIL  {name}")
    return lines[at + 1].strip()


def test_a_case_that_cannot_run_fails_alone(folder: Path) -> None:
    code, lines = _test(str(folder), "--mapping", str(EXAMPLE / "repositorio-exemplo.yaml"))
    assert code == 1
    assert "PASS  article" in lines and "PASS  dataset" in lines
    assert lines[-1] == "2 passed, 3 failed"
    relative = _failure_of(lines, "relative")
    assert relative.startswith(f"{folder / 'relative' / 'case.yaml'}: `input: {RECORD}` is relative to a base folder")
    assert "--base" in relative
    not_yaml = _failure_of(lines, "not-yaml")
    assert not_yaml.startswith("case.yaml is not valid YAML") and "<unicode string>" not in not_yaml
    assert f'in "{folder / "not-yaml" / "case.yaml"}"' in " ".join(lines)  # the parser names the file


def test_a_case_given_as_the_folder_itself_is_named_by_it(folder: Path, reference: Path) -> None:
    """`mappings test cases/missing --base ...`: the case is the folder given, and is named
    `missing`, not `.`."""
    code, lines = _test(str(folder / "missing"), "--base", str(reference))
    assert code == 1 and "FAIL  missing" in lines and "FAIL  ." not in lines


def test_an_input_that_is_not_there_fails_alone(folder: Path, reference: Path) -> None:
    code, lines = _test(str(folder), "--base", str(reference), "--mapping", str(EXAMPLE / "repositorio-exemplo.yaml"))
    assert code == 1
    assert "PASS  relative (expected to fail: failed with map.no-type)" not in lines
    missing = _failure_of(lines, "missing")
    assert missing == (f"{folder / 'missing' / 'case.yaml'}: `input: real-records/no/such/record.xml` names "
                       f"{reference / 'real-records/no/such/record.xml'}, which is not there")
    # the relative input is found under --base: it converts, and has nothing to be compared with yet
    assert _failure_of(lines, "relative").startswith("no expected.xml")


def test_update_leaves_a_case_that_cannot_run_failed(folder: Path) -> None:
    code, lines = _test(str(folder), "--update", "--mapping", str(EXAMPLE / "repositorio-exemplo.yaml"))
    assert code == 1
    assert "UPDATED  article" in lines and "FAIL  relative" in lines and "FAIL  missing" in lines
    assert not (folder / "missing" / "expected-issues.json").exists()


def test_a_case_that_must_fail_says_how_it_fails(tmp_path: Path) -> None:
    case = tmp_path / "cases" / "cut"
    case.mkdir(parents=True)
    (case / "input.xml").write_bytes((EXAMPLE / "cases" / "article" / "input.xml").read_bytes()[:300])
    code, lines = _test(str(tmp_path / "cases"))
    assert code == 1  # no expected.xml alone no longer passes: any failure would
    assert "neither expected.xml nor expected-issues.json" in _failure_of(lines, "cut")
    assert "xml.not-well-formed" in _failure_of(lines, "cut")

    assert _test(str(tmp_path / "cases"), "--update")[0] == 0
    assert not (case / "expected.xml").exists()
    code, lines = _test(str(tmp_path / "cases"))
    assert code == 0
    assert lines[0] == "PASS  cut (expected to fail: failed with xml.not-well-formed)"
    # and a case that must fail for one reason fails when it fails for another
    (case / "input.xml").write_bytes(b"<oai_dc:dc xmlns:oai_dc='http://www.openarchives.org/OAI/2.0/oai_dc/'/>")
    code, lines = _test(str(tmp_path / "cases"))
    assert code == 1 and "the issues differ from expected-issues.json" in _failure_of(lines, "cut")


def test_the_library_names_the_problem_without_running(folder: Path) -> None:
    case = cases.load_case(folder / "relative", folder)
    assert cases.input_problem(case, None) is not None
    with pytest.raises(ValueError, match="relative to a base folder"):
        cases.convert_case(case)


def test_the_pytest_plugin_fails_a_case_that_cannot_run_alone(folder: Path) -> None:
    repo = folder.parent
    shutil.copy(EXAMPLE / "repositorio-exemplo.yaml", repo)
    (repo / "pytest.ini").write_text("[pytest]\ncrisbridge_cases = cases\ncrisbridge_mapping = repositorio-exemplo.yaml\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    done = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider"],
                          cwd=repo, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    # the test ids the mapping guide shows
    assert "cases/article/input.xml::article PASSED" in done.stdout
    assert "cases/missing/case.yaml::missing FAILED" in done.stdout
    assert "3 failed, 2 passed" in done.stdout
    assert "is relative to a base folder" not in done.stdout  # crisbridge_base defaults to the rootdir
    assert f"`input: real-records/no/such/record.xml` names {repo / 'real-records/no/such/record.xml'}, which is not there" in done.stdout


def test_a_case_with_a_broken_mapping_of_its_own_fails_alone(tmp_path: Path) -> None:
    root = tmp_path / "cases"
    shutil.copytree(EXAMPLE / "cases", root)
    shutil.copy(EXAMPLE / "cases" / "article" / "input.xml", tmp_path / "article.xml")
    (root / "own-mapping").mkdir()
    (root / "own-mapping" / "local.yaml").write_text(
        "extends: oai_dc\nrules:\n  - name: local-type\n    match: dc:type\n    to: type\n    transform: lookup\n    table: local_types\n",
        encoding="utf-8")
    (root / "own-mapping" / "case.yaml").write_text(f"input: {tmp_path / 'article.xml'}\nmapping: local.yaml\n", encoding="utf-8")
    code, lines = _test(str(root), "--mapping", str(EXAMPLE / "repositorio-exemplo.yaml"))
    assert code == 1
    assert lines[-1] == "2 passed, 1 failed"
    failure = _failure_of(lines, "own-mapping")
    assert failure.startswith(f"{root / 'own-mapping' / 'case.yaml'}: mapping: {root / 'own-mapping' / 'local.yaml'}:"), failure
    assert "unknown table 'local_types'" in failure
