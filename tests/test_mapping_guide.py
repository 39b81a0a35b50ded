"""The worked example of docs/mapping-guide.md runs as written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from crisbridge.cli import app

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "repositorio-exemplo"
runner = CliRunner()


def test_the_override_makes_both_cases_pass() -> None:
    result = runner.invoke(app, ["mappings", "test", str(EXAMPLE / "cases"), "--mapping", str(EXAMPLE / "repositorio-exemplo.yaml")])
    assert result.exit_code == 0, result.output
    assert "PASS  article" in result.output and "PASS  dataset" in result.output
    assert "2 passed, 0 failed" in result.output


def test_without_the_override_both_cases_fail_with_a_diff() -> None:
    result = runner.invoke(app, ["mappings", "test", str(EXAMPLE / "cases")])
    assert result.exit_code == 1
    assert "FAIL  article" in result.output and "FAIL  dataset" in result.output
    # the diff shows what the override fixes: a Product of type "other" and a URL for a handle
    assert '+<Product xmlns="https://www.openaire.eu/cerif-profile/1.2/"' in result.output
    assert "+  <URL>https://repositorio.example.pt/handle/10400.1/123</URL>" in result.output


def test_the_override_file_checks_clean() -> None:
    result = runner.invoke(app, ["mappings", "check", str(EXAMPLE / "repositorio-exemplo.yaml")])
    assert result.exit_code == 0, result.output


def test_the_expected_output_is_what_the_guide_promises() -> None:
    article = (EXAMPLE / "cases" / "article" / "expected.xml").read_text(encoding="utf-8")
    assert "<Handle>10400.1/123</Handle>" in article
    assert "http://purl.org/coar/resource_type/c_6501" in article
    dataset = (EXAMPLE / "cases" / "dataset" / "expected.xml").read_text(encoding="utf-8")
    assert "http://purl.org/coar/resource_type/c_ddb1" in dataset and "<DOI>10.5555/exemplo.dados.124</DOI>" in dataset


def test_the_pytest_plugin_runs_the_cases(tmp_path: Path) -> None:
    # a mapping author's repository: the example's cases and override, and a pytest.ini
    shutil.copytree(EXAMPLE, tmp_path / "repo")
    repo = tmp_path / "repo"
    (repo / "pytest.ini").write_text(
        "[pytest]\ncrisbridge_cases = cases\ncrisbridge_mapping = repositorio-exemplo.yaml\n", encoding="utf-8"
    )
    # the plugin comes with the installed package (entry point pytest11): no -p needed
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=repo, capture_output=True, text=True, env=env, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
    # and a broken expectation fails there like any test, with the diff
    expected = repo / "cases" / "article" / "expected.xml"
    expected.write_text(expected.read_text(encoding="utf-8").replace("10400.1/123", "10400.1/999"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=repo, capture_output=True, text=True, env=env, timeout=300,
    )
    assert done.returncode == 1
    assert "1 failed, 1 passed" in done.stdout
    assert "-  <Handle>10400.1/999</Handle>" in done.stdout


def test_the_guide_names_every_registered_transform() -> None:
    import re

    from crisbridge.mapping import transforms

    guide = (EXAMPLE.parent.parent / "mapping-guide.md").read_text(encoding="utf-8")
    section = guide.split("## Transforms you can name", 1)[1]
    named = set(re.findall(r"`([a-z_]+)`", section))
    assert set(transforms.TRANSFORMS) <= named, sorted(set(transforms.TRANSFORMS) - named)
