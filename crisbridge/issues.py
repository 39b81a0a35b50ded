"""Issues: what the bridge says about a record, with a stable code and a location."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Location(BaseModel):
    """Where an issue was found. Source side: file, record and XPath; SHACL side: focus node,
    path and shape."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str | None = None
    record: str | None = None
    xpath: str | None = None
    line: int | None = None
    focus_node: str | None = None
    path: str | None = None
    shape: str | None = None
    value: str | None = None


class Issue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    severity: Severity
    message: str
    location: Location = Location()


def error(code: str, message: str, **where: object) -> Issue:
    return Issue(code=code, severity=Severity.ERROR, message=message, location=Location(**where))


def warning(code: str, message: str, **where: object) -> Issue:
    return Issue(code=code, severity=Severity.WARNING, message=message, location=Location(**where))


def info(code: str, message: str, **where: object) -> Issue:
    return Issue(code=code, severity=Severity.INFO, message=message, location=Location(**where))
