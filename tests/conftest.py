"""Shared fixtures. Tests that read ../shared/reference skip with a reason when it is absent
(a clone outside this workspace), unless CRISBRIDGE_REQUIRE_REFERENCE=1 (set by .ci/run),
which turns the skip into a failure so CI can never pass without them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = (ROOT.parent / "shared" / "reference").resolve()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite the expected files of the golden cases (tests/golden/) from the current output",
    )


def _need_reference() -> Path:
    if REFERENCE.is_dir():
        return REFERENCE
    message = f"the shared reference folder is not at {REFERENCE} (a clone outside the crisbridge workspace)"
    if os.environ.get("CRISBRIDGE_REQUIRE_REFERENCE") == "1":
        pytest.fail(message + "; CRISBRIDGE_REQUIRE_REFERENCE=1 makes this a failure")
    pytest.skip(message)


@pytest.fixture(scope="session")
def reference() -> Path:
    return _need_reference()


@pytest.fixture(scope="session")
def schema_12(reference: Path):  # type: ignore[no-untyped-def]
    from crisbridge.validation.xsd import profile_schema

    return profile_schema(reference / "openaire-cris" / "v1.2.0" / "schemas")


@pytest.fixture(scope="session")
def schema_11(reference: Path):  # type: ignore[no-untyped-def]
    from crisbridge.validation.xsd import profile_schema

    return profile_schema(reference / "openaire-cris" / "v1.1.1" / "schemas")


@pytest.fixture(scope="session")
def oai_pmh_schema(reference: Path):  # type: ignore[no-untyped-def]
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(reference / "openaire-cris" / "validator" / "schemas-cached" / "OAI-PMH.xsd")))
