"""A pytest plugin: a mapping author's repository runs its fixture cases with plain ``pytest``.

Installed with crisbridge (entry point ``pytest11``). It does nothing until a project names
its case folders in its pytest configuration::

    [tool.pytest.ini_options]
    crisbridge_cases = ["cases"]                 # folders of fixture cases
    crisbridge_mapping = ["my-repository.yaml"]  # override files applied to every case
    crisbridge_base = "."                        # where case.yaml `input:` paths start

Each case (see ``crisbridge.cases``) becomes one test item; a failure shows the canonical XML
diff or the issues that differ. ``pytest --crisbridge-update`` rewrites the expected files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("crisbridge_cases", "folders of crisbridge fixture cases", type="paths", default=[])
    parser.addini("crisbridge_mapping", "mapping override files applied to every case", type="paths", default=[])
    parser.addini("crisbridge_base", "folder that case.yaml input paths are relative to", default="")
    parser.addoption("--crisbridge-update", action="store_true", default=False, help="rewrite the expected files of crisbridge fixture cases")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Any:
    folders = [Path(p).resolve() for p in parent.config.getini("crisbridge_cases")]
    if not folders or file_path.name not in ("case.yaml", "input.xml"):
        return None
    if file_path.name == "input.xml" and (file_path.parent / "case.yaml").is_file():
        return None  # one item per case folder
    for root in folders:
        if file_path.resolve().is_relative_to(root):
            return CaseFile.from_parent(parent, path=file_path, root=root)
    return None


class CaseFile(pytest.File):
    def __init__(self, *, root: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.root = root

    def collect(self) -> Any:
        from crisbridge import cases

        case = cases.load_case(self.path.parent, self.root)
        yield CaseItem.from_parent(self, name=case.name, case=case)


class CaseItem(pytest.Item):
    def __init__(self, *, case: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from crisbridge import cases

        config = self.config
        base_setting = config.getini("crisbridge_base")
        base = (config.rootpath / base_setting) if base_setting else config.rootpath
        mapping = tuple(Path(p).resolve() for p in config.getini("crisbridge_mapping"))
        problem = self.case.problem or cases.input_problem(self.case, base)
        if problem:
            raise CaseFailure([problem])
        result = cases.convert_case(self.case, base, mapping)
        if config.getoption("--crisbridge-update"):
            cases.update(self.case, result)
            return
        failures = cases.check(self.case, result)
        if failures:
            raise CaseFailure(failures)

    def repr_failure(self, excinfo: Any, style: Any = None) -> Any:
        if isinstance(excinfo.value, CaseFailure):
            return f"{self.case.name}:\n" + "\n".join(excinfo.value.failures)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"crisbridge case {self.case.name}"


class CaseFailure(Exception):
    def __init__(self, failures: list[str]) -> None:
        super().__init__("\n".join(failures))
        self.failures = failures
