"""The report: one entry per source record, a summary, and the exit code they imply.

``records == converted + deleted + failed`` always holds: every record read gets exactly one
entry, and a failed record's entry says why.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    model_serializer,
)
from pydantic_core import to_json as _to_json

from crisbridge.issues import Issue, Severity


class Status(str, Enum):
    CONVERTED = "converted"
    DELETED = "deleted"
    FAILED = "failed"


class RecordReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    source_id: str | None = None
    status: Status
    entities: list[str] = Field(default_factory=list)
    issues: list[Issue] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _keep_source_id(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # DESIGN 4 lists source_id in every record entry: a record without one (a document that
        # is not well-formed) says null rather than leaving the key out under exclude_none.
        data: dict[str, Any] = handler(self)
        if "source_id" in data or "source" not in data:
            return data
        return {"source": data["source"], "source_id": None, **data}


class Summary(BaseModel):
    records: int = 0
    converted: int = 0
    deleted: int = 0
    failed: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0

    def count(self, entry: RecordReport) -> None:
        """Count one record entry: its status and its issues by severity."""
        s = self
        s.records += 1
        if entry.status is Status.CONVERTED:
            s.converted += 1
        elif entry.status is Status.DELETED:
            s.deleted += 1
        else:
            s.failed += 1
        if entry.issues:
            # counted here, then added once per severity: the summary is a model, and
            # assigning to one field after another cost more than the counting
            errors = warnings = infos = 0
            for issue in entry.issues:
                severity = issue.severity
                if severity is Severity.ERROR:
                    errors += 1
                elif severity is Severity.WARNING:
                    warnings += 1
                else:
                    infos += 1
            if errors:
                s.errors += errors
            if warnings:
                s.warnings += warnings
            if infos:
                s.infos += infos

    def count_note(self, issue: Issue) -> None:
        """Count an issue about an input file rather than a record (a note)."""
        if issue.severity is Severity.ERROR:
            self.errors += 1
        elif issue.severity is Severity.WARNING:
            self.warnings += 1
        else:
            self.infos += 1

    @property
    def exit_code(self) -> int:
        """DESIGN 4: 0 when every record converted without errors, 1 when some failed or carry
        errors (notes about the input files included); every command that reports records
        (convert, roundtrip) exits by it."""
        return 0 if self.failed == 0 and self.errors == 0 else 1


class Report(BaseModel):
    """Owns the exit code: 0 when every record converted without errors, 1 otherwise."""

    summary: Summary = Field(default_factory=Summary)
    records: list[RecordReport] = Field(default_factory=list)
    notes: list[Issue] = Field(default_factory=list, description="Issues about input files rather than records.")

    def add(self, entry: RecordReport) -> None:
        self.summary.count(entry)
        self.records.append(entry)

    def note(self, issue: Issue) -> None:
        self.summary.count_note(issue)
        self.notes.append(issue)

    @property
    def exit_code(self) -> int:
        return self.summary.exit_code

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class ReportStream:
    """Writes the report as records arrive, holding only the summary in memory, so a batch of
    millions of records keeps a flat memory profile. The JSON has the same shape as
    ``Report.to_json()``."""

    def __init__(self, out: Any) -> None:
        import json

        self._json = json
        self.out = out
        self.tally = Report()
        self._first = True
        out.write('{"records": [\n')

    def add(self, entry: RecordReport) -> None:
        self.tally.add(entry)
        self.tally.records.clear()
        text = _entry_json(entry) if _FRAMED and type(entry) is RecordReport else entry.model_dump_json(exclude_none=True)
        self.out.write(("" if self._first else ",\n") + text)
        self._first = False

    def note(self, issue: Issue) -> None:
        self.tally.note(issue)

    def close(self) -> None:
        notes = [n.model_dump(mode="json", exclude_none=True) for n in self.tally.notes]
        self.out.write('\n],\n"notes": ' + self._json.dumps(notes, ensure_ascii=False))
        self.out.write(',\n"summary": ' + self._json.dumps(self.tally.summary.model_dump()) + "}\n")
        self.out.flush()

    @property
    def summary(self) -> Summary:
        return self.tally.summary

    @property
    def exit_code(self) -> int:
        return self.tally.exit_code


_ISSUES_JSON: TypeAdapter[list[Issue]] = TypeAdapter(list[Issue])
# the fields _entry_json writes; an entry with others goes through its model
_FRAMED = tuple(RecordReport.model_fields) == ("source", "source_id", "status", "entities", "issues")


def _entry_json(entry: RecordReport) -> str:
    """``entry.model_dump_json(exclude_none=True)``, the same text: pydantic's JSON writer
    (compact separators, one entry a line) for the values, the entry's frame written here.
    Going through the model called ``_keep_source_id`` in Python for every entry, which
    made pydantic build the entry's dicts first; this costs a third less."""
    return (
        f'{{"source":{_to_json(entry.source).decode()},"source_id":{_to_json(entry.source_id).decode()},'
        f'"status":"{entry.status.value}","entities":{_to_json(entry.entities).decode()},'
        f'"issues":{_ISSUES_JSON.dump_json(entry.issues, exclude_none=True).decode()}}}'
    )
