from __future__ import annotations

import io
import json
import re
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from crisbridge.errors import ConfigurationError, CrisbridgeError
from crisbridge.words import counted

app = typer.Typer(
    name="crisbridge",
    help="Convert repository metadata (Dublin Core, DataCite, OpenAIRE) into OpenAIRE CERIF XML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
mappings_app = typer.Typer(help="List, show, check and describe mapping files.", no_args_is_help=True)
app.add_typer(mappings_app, name="mappings")
schemas_app = typer.Typer(help="The official OpenAIRE CERIF profile XSDs in the user cache.", no_args_is_help=True)
app.add_typer(schemas_app, name="schemas")


class Target(str, Enum):
    cerif = "cerif"
    rdf = "rdf"
    oai_dc = "oai_dc"
    datacite = "datacite"


class Source(str, Enum):
    auto = "auto"
    oai_dc = "oai_dc"
    datacite = "datacite"
    oai_openaire = "oai_openaire"
    cerif = "cerif"
    rdf = "rdf"


class CerifVersion(str, Enum):
    v12 = "1.2"
    v11 = "1.1"


class RdfFormat(str, Enum):
    turtle = "turtle"
    nt = "nt"
    jsonld = "jsonld"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"crisbridge: {message}", err=True)
    return typer.Exit(2)


def _print_version(value: bool) -> None:
    if value:
        from crisbridge._version import __version__

        typer.echo(__version__)
        raise typer.Exit(0)


@app.callback()
def _root(
    # eager, with its own callback: without a command the group callback never runs, and
    # `crisbridge --version` said "Missing command" (exit 2)
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", is_eager=True, callback=_print_version)
    ] = False,
) -> None:
    pass


@app.command()
def convert(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders (every *.xml below) or - for standard input.")],
    to: Annotated[Target, typer.Option("--to", help="Target format.")] = Target.cerif,
    from_: Annotated[Source, typer.Option("--from", help="Source format; auto decides per document by its root element.")] = Source.auto,
    output: Annotated[Optional[str], typer.Option("-o", "--output", help="A file (one OAI-PMH ListRecords document) or a folder/ (one file per entity); standard output if absent or -.")] = None,
    report: Annotated[Optional[Path], typer.Option("--report", help="Write the JSON report here.")] = None,
    cerif_version: Annotated[CerifVersion, typer.Option("--cerif-version", help="CERIF profile version.")] = CerifVersion.v12,
    rdf_format: Annotated[RdfFormat, typer.Option("--rdf-format", help="RDF serialisation with --to rdf.")] = RdfFormat.turtle,
    mapping: Annotated[Optional[list[Path]], typer.Option("--mapping", help="Mapping override file (repeatable).")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Processes to convert with.")] = 1,
    oai_host: Annotated[str, typer.Option("--oai-host", help="Host part of the OAI identifiers written (oai:{host}:Publications/...).")] = "crisbridge.local",
    rdf_base: Annotated[Optional[str], typer.Option("--rdf-base", help="Base of the IRIs RDF is written with and read back from (default https://{oai-host}/).")] = None,
    validate_output: Annotated[bool, typer.Option("--validate", help="Check what is written as `crisbridge validate` does (CERIF XML: XSD, cross-record, SHACL; RDF: SHACL) and add the findings to the report; exit 1 when a check finds an error.")] = False,
    xsd_dir: Annotated[Optional[list[Path]], typer.Option("--xsd-dir", help="With --validate: a folder with the profile XSD (default: the cache `schemas fetch` fills).")] = None,
) -> None:
    """Convert records into CERIF XML (OpenAIRE CRIS profile), RDF (docs/rdf-vocabulary.md), or
    oai_dc and DataCite 4.7 (from any input, CERIF XML included)."""
    from crisbridge.batch import BatchItem, RepeatedIds, run
    from crisbridge.pipeline import Converter
    from crisbridge.report import ReportStream
    from crisbridge.writers.oaipmh import FolderWriter, ListRecordsWriter

    # oai_dc and DataCite: any input the bridge reads, CERIF XML included (one process)
    repository = to in (Target.oai_dc, Target.datacite)
    from crisbridge.readers.rdf import is_rdf_path, rdf_items
    from crisbridge.writers.rdf import RdfRender, RdfSink, extension

    # RDF input: --from rdf, or --from auto with every input named like RDF (.ttl, .nt, .jsonld)
    rdf_input = from_ is Source.rdf or (from_ is Source.auto and all(is_rdf_path(i) for i in inputs))
    base = rdf_base or f"https://{oai_host}/"
    if not _OAI_HOST.fullmatch(oai_host):
        raise _fail(f"--oai-host {oai_host!r} cannot form an OAI identifier (oai:HOST:Publications/...): "
                    "a host is a domain name such as repository.example.org (letters, digits and hyphens, "
                    "labels separated by dots, each starting with a letter)")
    if rdf_input:
        from_ = Source.auto
    if rdf_input and repository:
        raise _fail(f"RDF input with --to {to.value} is not available in this version")
    if validate_output and repository:
        raise _fail(f"--validate checks CERIF XML and RDF; --to {to.value} is not checked in this version")
    try:
        render = RdfRender(base, rdf_format.value) if to is Target.rdf else None
        converter: Any = Converter(cerif_version.value, mapping or [], from_.value)
        if repository:
            from crisbridge.writers.repository import RepositoryConverter, open_sink

            converter = RepositoryConverter(to.value, cerif_version.value, mapping or [], from_.value)
            if workers > 1:
                typer.echo(f"crisbridge: --to {to.value} converts in one process; --workers is for --to cerif and rdf", err=True)
                workers = 1
    except ConfigurationError as exc:
        raise _fail(str(exc)) from None

    if output == "-":
        output = None  # standard output, as "-" means for the inputs and for --report
    clash = _overwrites_an_input(inputs, output, report) or _output_problem(output)
    clash = clash or _report_problem(report, "the converted records" if output is None else None)
    if clash:
        raise _fail(clash)
    sink: Any
    close_out = None
    stdout: Any = sys.stdout.buffer
    written = output  # what --validate checks: the output, or a copy of what went to standard output
    if validate_output and output is None:
        import tempfile

        suffix = extension(rdf_format.value) if to is Target.rdf else ".xml"
        copy = tempfile.NamedTemporaryFile(prefix="crisbridge-", suffix=suffix, delete=False)  # noqa: SIM115 - removed below
        stdout, written = _Tee(stdout, copy), copy.name
    if to is Target.rdf:
        sink = RdfSink(output, rdf_format.value, stdout=stdout)
    elif repository:
        sink, close_out = open_sink(output, oai_host, converter.metadata_prefix)
    elif output is None:
        sink = ListRecordsWriter(stdout, oai_host, converter.writer.profile.metadata_prefix, converter.writer.ns)
    elif output.endswith(("/", "\\")) or Path(output).is_dir():
        sink = FolderWriter(Path(output))
    else:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        close_out = open(output, "wb")  # noqa: SIM115 - closed below, after the last record
        sink = ListRecordsWriter(close_out, oai_host, converter.writer.profile.metadata_prefix, converter.writer.ns)
    report_file = _open_report(report)
    stream = ReportStream(report_file)
    # with --validate the entries wait for the findings about what they wrote
    held: list[Any] | None = [] if validate_output else None
    show_progress = sys.stderr.isatty()
    done = shown_failures = 0
    repeated = RepeatedIds(folder=output is not None and (output.endswith(("/", "\\")) or Path(output).is_dir()))
    try:
        try:
            items = rdf_items(inputs, converter.writer, base, render, rdf_format.value) if rdf_input else run(converter, inputs, workers, render)
            for item in items:
                if not isinstance(item, BatchItem):
                    stream.note(item)
                    continue
                repeated.check(item)
                for entity_id, kind, xml in item.outputs:
                    sink.record(entity_id, kind, item.datestamp, xml)
                for entity_id in item.deleted_ids:
                    sink.deleted(entity_id, item.datestamp)
                if held is not None:
                    held.append(item.report)
                else:
                    stream.add(item.report)
                shown_failures += _say_why_it_failed(item.report, shown_failures)
                done += 1
                if show_progress and done % 200 == 0:
                    typer.echo(f"\r{done} records", err=True, nl=False)
        except CrisbridgeError as exc:
            raise _fail(str(exc)) from None
        finally:
            sink.close()
            if close_out is not None:
                close_out.close()
            if isinstance(stdout, _Tee):
                stdout.copy.close()
        if held is not None and written is not None:
            _add_findings(held, stream, written, xsd_dir, base if to is Target.rdf else None, output or "<stdout>", workers)
    finally:
        for entry in held or ():
            stream.add(entry)
        if isinstance(stdout, _Tee):
            Path(stdout.copy.name).unlink(missing_ok=True)
        stream.close()
        if report:
            report_file.close()
    s = stream.summary
    _say_how_many_more_failed(shown_failures, report)
    if show_progress or output is not None:
        typer.echo(
            ("\r" if show_progress else "")
            + f"{counted(s.records, 'record')}: {s.converted} converted, {s.deleted} deleted, {s.failed} failed; "
            f"{counted(s.errors, 'error')}, {counted(s.warnings, 'warning')}",
            err=True,
        )
    raise typer.Exit(stream.exit_code)


MAX_SHOWN_FAILURES = 20


def _say_how_many_more_failed(failed: int, report: Path | None) -> None:
    """After the first MAX_SHOWN_FAILURES reasons: how many more, and where they all are."""
    if failed <= MAX_SHOWN_FAILURES:
        return
    where = (" (the report lists them all)" if str(report) == "-" else f" (see {report})") if report else " (--report FILE lists them all)"
    typer.echo(f"crisbridge: ... and {counted(failed - MAX_SHOWN_FAILURES, 'more failed record')}{where}", err=True)


def _say_why_it_failed(entry: Any, shown: int) -> int:
    """A failed record's reason on standard error (the report has the rest); returns 1 when
    the record failed, so the caller can stop printing after MAX_SHOWN_FAILURES."""
    if entry.status.value != "failed":
        return 0
    if shown < MAX_SHOWN_FAILURES:
        first = next((i for i in entry.issues if i.severity.value == "error"), None)
        # the message often starts with the file too; the line names it once
        why = f"{first.code}: {first.message.removeprefix(f'{entry.source}: ')}" if first is not None else "failed"
        record = f" [{entry.source_id}]" if entry.source_id else ""
        typer.echo(f"crisbridge: {entry.source}{record}: {why}", err=True)
    return 1


def _overwrites_an_input(inputs: list[str], output: Optional[str], report: Optional[Path]) -> Optional[str]:
    """Refuse before anything is opened for writing: -o or --report naming an input file, or
    each other, would destroy data before it is read."""
    sources = {Path(i).resolve() for i in inputs if i != "-" and Path(i).is_file()}
    out = Path(output).resolve() if output and not output.endswith(("/", "\\")) else None
    rep = report.resolve() if report else None
    if out is not None and out in sources:
        return f"-o {output} is also an input: writing would destroy it before it is read"
    if rep is not None and rep in sources:
        return f"--report {report} is also an input: writing would destroy it before it is read"
    if out is not None and rep is not None and out == rep:
        return f"-o and --report name the same file ({output})"
    return None


# The repositoryIdentifier of the OAI identifier scheme (oai-identifier.xsd,
# repositoryIdentifierType): a domain name, two labels at least, each starting with a letter.
_OAI_HOST = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")


def _cannot_write(path: Path, option: str, folder: bool = False) -> str | None:
    """Why ``path``, given as ``option`` (``-o out/``), cannot be written, or None. Run before any record is converted, so a
    mistyped -o or --report is a usage error (exit 2) and not a traceback after the batch.
    Missing parent folders are created, as the writers would; a file made to try is removed."""
    try:
        if folder:
            path.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=path):
                pass
            return None
        if path.is_dir():
            return f"cannot write {option}: it is a folder"
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists()
        with path.open("ab"):
            pass
        if not existed:
            path.unlink()
    except FileExistsError as exc:
        return f"cannot write {option}: {exc.filename} is a file, not a folder"
    except OSError as exc:
        return f"cannot write {option}: {exc.strerror or exc}"
    return None


def _output_problem(output: str | None) -> str | None:
    if output is None:
        return None
    return _cannot_write(Path(output), f"-o {output}", folder=output.endswith(("/", "\\")) or Path(output).is_dir())


def _report_problem(report: Path | None, stdout_holds: str | None) -> str | None:
    """``--report -`` is standard output, unless ``stdout_holds`` (what the command writes
    there) already is: two documents in one stream would be neither."""
    if report is None:
        return None
    if str(report) == "-":
        if stdout_holds:
            return f"--report -: {stdout_holds} go to standard output already; give --report a file"
        return None
    return _cannot_write(report, f"--report {report}")


class _StandardOutput:
    """``--report -``: the JSON report on standard output, which closing must leave open."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()

    def close(self) -> None:
        sys.stdout.flush()


def _open_report(report: Path | None) -> Any:
    if report is None:
        return io.StringIO()
    if str(report) == "-":
        return _StandardOutput()
    return report.open("w", encoding="utf-8")


class _Tee:
    """Standard output that also keeps a copy, for --validate to check."""

    def __init__(self, out: Any, copy: Any) -> None:
        self.out, self.copy = out, copy

    def write(self, data: bytes) -> int:
        self.copy.write(data)
        return int(self.out.write(data))

    def flush(self) -> None:
        self.copy.flush()
        self.out.flush()


def _add_findings(entries: list[Any], stream: Any, written: str, xsd_dirs: Optional[list[Path]], rdf_base: Optional[str],
                  shown_as: str, workers: int) -> None:
    """--validate: what the checks find in the output goes to the entry of the record that
    wrote the entity it is about; the rest are notes. Issues name the output as ``shown_as``
    (``<stdout>`` for the copy of standard output that was checked)."""
    from crisbridge.validation.runner import findings_by_entity, validate

    try:
        result = validate([written], xsd_dirs=xsd_dirs, rdf_base=rdf_base, workers=workers)
    except ConfigurationError as exc:
        raise _fail(str(exc)) from None
    by_entity, notes = findings_by_entity(result)
    if shown_as != written:
        def relabel(issue: Any) -> Any:
            if issue.location.file != written:
                return issue
            return issue.model_copy(update={"location": issue.location.model_copy(update={"file": shown_as}),
                                            "message": issue.message.replace(written, shown_as)})

        by_entity = {k: [relabel(i) for i in v] for k, v in by_entity.items()}
        notes = [relabel(i) for i in notes]
    for entry in entries:
        found = [i for entity in entry.entities for i in by_entity.pop(entity, ())]
        if found:
            entry.issues = entry.issues + found
    for issue in notes + [i for issues in by_entity.values() for i in issues]:
        stream.note(issue)


class Via(str, Enum):
    cerif = "cerif"
    rdf = "rdf"


@app.command("roundtrip")
def roundtrip_command(
    inputs: Annotated[list[str], typer.Argument(help="oai_dc or DataCite records: files, folders (every *.xml below) or - for standard input.")],
    via: Annotated[Via, typer.Option("--via", help="The form the records go through and come back from.")] = Via.cerif,
    report: Annotated[Optional[Path], typer.Option("--report", help="Write the JSON report here.")] = None,
    cerif_version: Annotated[CerifVersion, typer.Option("--cerif-version", help="CERIF profile version.")] = CerifVersion.v12,
    mapping: Annotated[Optional[list[Path]], typer.Option("--mapping", help="Mapping override file (repeatable).")] = None,
) -> None:
    """Convert records to CERIF XML and back to their own format; report per field what was
    carried, respelled, changed and lost, and why. Exit codes as convert's: 1 when some record
    failed (not readable, no title, no writer for its format: each said on standard error) or
    a value was lost or changed in a way no mapping file explains (listed on standard output)."""
    from crisbridge.issues import Issue
    from crisbridge.roundtrip import RoundTrip, RoundTripStream

    try:
        trip = RoundTrip(cerif_version.value, mapping or [], via.value)
    except ConfigurationError as exc:
        raise _fail(str(exc)) from None
    problem = _report_problem(report, "the field table and the values lost")
    if problem:
        raise _fail(problem)
    report_file = _open_report(report)
    result = RoundTripStream(report_file)
    shown_failures = 0
    try:
        for item in trip.iter(inputs):
            if isinstance(item, Issue):
                result.note(item)
                continue
            record, fmt = item
            result.add(record, fmt)
            # a record that failed on its own is said as convert says it; the losses are the result
            if record.status.value == "failed":
                shown_failures += _say_why_it_failed(record, shown_failures)
                continue
            for issue in record.issues:
                if issue.severity.value == "error":
                    where = ":".join(x for x in (issue.location.file, issue.location.record or record.source_id, issue.location.xpath) if x)
                    typer.echo(f"{issue.severity.value}\t{issue.code}\t{where}\t{issue.message}")
    except CrisbridgeError as exc:
        raise _fail(str(exc)) from None
    finally:
        result.close()
        report_file.close()
    _say_how_many_more_failed(shown_failures, report)
    typer.echo("format\tfield\tvalues\tcarried\trespelled\tmerged\tchanged\tlost known\tlost rejected\tlost unexpected\tadded\tretention\tkept")
    for fmt, tallies in sorted(result.fields.items()):
        for name, t in sorted(tallies.items()):
            typer.echo(f"{fmt}\t{name}\t{t.values}\t{t.carried}\t{t.respelled}\t{t.merged}\t{t.changed}\t{t.lost_known}\t"
                       f"{t.lost_rejected}\t{t.lost_unexpected}\t{t.added}\t{t.retention:.3f}\t{t.kept:.3f}")
    s = result.summary
    typer.echo(f"{counted(s.records, 'record')}: {s.converted} round-tripped, {s.deleted} deleted, {s.failed} failed; "
               f"{counted(s.errors, 'error')}, {counted(s.warnings, 'warning')}; {counted(s.values, 'value')}: {s.carried} carried, {s.respelled} respelled, {s.merged} merged, "
               f"{s.changed} changed ({s.changed_unexpected} unexplained), {s.lost_known} lost as documented, "
               f"{s.lost_rejected} refused as invalid, {s.lost_unexpected} lost unexpectedly", err=True)
    if result.exit_code:
        explained = s.lost_unexpected + s.changed_unexpected == 0
        typer.echo("crisbridge: exit 1: " + "; ".join(result.exit_reasons()) + ("; no value was lost unexpectedly" if explained else ""), err=True)
    raise typer.Exit(result.exit_code)


@app.command("validate")
def validate_command(
    inputs: Annotated[list[str], typer.Argument(help="CERIF XML files or folders: bare entities or OAI-PMH responses; a folder of saved responses of a CRIS also gets the protocol checks. RDF files (.ttl, .nt, .jsonld) get the SHACL checks.")],
    report: Annotated[Optional[Path], typer.Option("--report", help="Write the JSON report here.")] = None,
    xsd_dir: Annotated[Optional[list[Path]], typer.Option("--xsd-dir", help="A folder with the profile XSD (or folders of them below it); default: the cache `schemas fetch` fills.")] = None,
    shacl: Annotated[bool, typer.Option("--shacl/--no-shacl", help="Check the records against the SHACL shapes (via RDF, the records of one CRIS as one graph).")] = True,
    rdf_base: Annotated[Optional[str], typer.Option("--rdf-base", help="Base the IRIs of RDF inputs were written with (default https://crisbridge.local/).")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Processes to run the SHACL engine in.")] = 1,
) -> None:
    """Check CERIF XML (profile 1.2 or 1.1): XSD, cross-record, SHACL and OAI-PMH protocol checks."""
    from crisbridge.validation.runner import validate

    problem = _report_problem(report, "the findings")
    if problem:
        raise _fail(problem)
    try:
        result = validate(inputs, xsd_dirs=xsd_dir, shacl=shacl, rdf_base=rdf_base, workers=workers)
    except ConfigurationError as exc:
        raise _fail(str(exc)) from None
    if report:
        report.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    found = [(r.source_id, i) for r in result.records for i in r.issues] + [(None, n) for n in result.notes]
    for record, issue in found:
        if issue.severity.value != "info":
            where = ":".join(x for x in (issue.location.file, issue.location.record or record) if x)
            message = issue.message.removeprefix(f"{issue.location.file}: ")
            typer.echo(f"{issue.severity.value}\t{issue.code}\t{where}\t{message}{_found_at(issue, record)}")
    s = result.summary
    typer.echo(f"{counted(s.records, 'record')}: {s.converted} valid, {s.deleted} deleted, {s.failed} failed; "
               f"{counted(s.errors, 'error')}, {counted(s.warnings, 'warning')}", err=True)
    raise typer.Exit(result.exit_code)


MAX_SHOWN_VALUE = 80


def _found_at(issue: Any, record: Optional[str]) -> str:
    """`` (PublishedIn/Title: "Journal of ...")``: the element or property a finding is about
    and the value at fault (shortened, on one line), which the report holds as the location's
    focus node, path, XPath and value; empty when it has none of them."""
    from crisbridge.writers.rdf import element_path

    loc = issue.location
    place = element_path(loc.focus_node, loc.path, loc.record or record) if loc.focus_node else (loc.xpath or loc.path)
    if place and loc.line and not loc.focus_node:
        place += f", line {loc.line}"
    value = None
    if loc.value is not None:
        value = " ".join(loc.value.split())
        if len(value) > MAX_SHOWN_VALUE:
            value = value[: MAX_SHOWN_VALUE - 1] + "\u2026"
        value = f'"{value}"'
    shown = ": ".join(x for x in (place, value) if x)
    return f" ({shown})" if shown else ""


@schemas_app.command("fetch")
def schemas_fetch(
    url: Annotated[Optional[str], typer.Option("--url", help="Base URL of a mirror laid out like https://www.openaire.eu/schema/cris/ ({BASE}1.2/openaire-cerif-profile.xsd).")] = None,
) -> None:
    """Download the profile XSDs (1.2 and 1.1) with what they import into the user cache."""
    from crisbridge.schemas import fetch

    try:
        result = fetch(url)
    except ConfigurationError as exc:
        raise _fail(str(exc)) from None
    for v in result.versions:
        typer.echo(f"{v.version}\t{v.folder}\t" + (f"{len(v.files)} files" if v.problem is None else f"failed: {v.problem}"), err=v.problem is not None)
    raise typer.Exit(0 if result.ok else 1)


@mappings_app.command("list")
def mappings_list() -> None:
    """The shipped mappings, one per source format."""
    from crisbridge.mapping import registry
    from crisbridge.writers.repository import SHIPPED_OUT, load_out_spec

    for name, rel in sorted(registry.SHIPPED.items()):
        spec = registry.shipped_spec(name)
        typer.echo(f"{name}\t{registry.mappings_dir() / rel}\t{spec.description or ''}")
    # the writer mappings (model -> a repository format), named out/FORMAT
    for name, rel in sorted(SHIPPED_OUT.items()):
        out = load_out_spec(registry.mappings_dir() / rel)
        typer.echo(f"out/{name}\t{registry.mappings_dir() / rel}\t{out.description or ''}")


@mappings_app.command("show")
def mappings_show(name: Annotated[str, typer.Argument(help="A mapping name from `mappings list`.")]) -> None:
    """Print a shipped mapping file."""
    from crisbridge.mapping import registry
    from crisbridge.writers.repository import SHIPPED_OUT

    shipped = {**registry.SHIPPED, **{f"out/{n}": rel for n, rel in SHIPPED_OUT.items()}}
    if name not in shipped:
        raise _fail(f"no mapping {name!r}; known: {', '.join(sorted(shipped))}")
    typer.echo((registry.mappings_dir() / shipped[name]).read_text(encoding="utf-8"), nl=False)


@mappings_app.command("check")
def mappings_check(files: Annotated[list[Path], typer.Argument(help="Mapping or override files.")]) -> None:
    """Load, compile and check mapping files: rules that can never match, fields written twice
    (docs/mapping-guide.md). Findings name the file, line and rule; an error exits 2."""
    from crisbridge.mapping import lint
    from crisbridge.writers.repository import check_writer_mappings, is_writer_mapping

    try:
        # a writer mapping (mappings/out/*.yaml) compiles with its reverse tables; an override
        # of one (extends: out/datacite) with the writer mapping it extends
        writers = [f for f in files if is_writer_mapping(f)]
        check_writer_mappings(writers)
        findings = lint.check(tuple(f for f in files if f not in writers))
    except ConfigurationError as exc:
        raise _fail(str(exc)) from None
    for finding in findings:
        typer.echo(str(finding), err=True)
    for f in files:
        typer.echo(f"{f}: {lint.verdict(findings, f)}")
    raise typer.Exit(2 if any(lint.errors(findings)) else 0)


@mappings_app.command("test")
def mappings_test(
    folder: Annotated[Path, typer.Argument(help="A folder of fixture cases (each: input.xml or case.yaml, expected.xml, optional expected-issues.json).")],
    mapping: Annotated[Optional[list[Path]], typer.Option("--mapping", help="Override file applied to every case (repeatable).")] = None,
    base: Annotated[Optional[Path], typer.Option("--base", help="Folder that case.yaml `input:` paths are relative to.")] = None,
    update: Annotated[bool, typer.Option("--update", help="Rewrite the expected files from the current output (review the diff!).")] = False,
) -> None:
    """Run fixture cases: convert each input and compare with its expected CERIF and issues."""
    from crisbridge import cases

    if not folder.is_dir():
        raise _fail(f"{folder}: not a folder")
    passed = failed = 0
    try:
        for outcome in cases.run(folder, base, tuple(mapping or ()), write=update):
            if outcome.passed:
                passed += 1
                note = f" ({outcome.note})" if outcome.note else ""
                typer.echo(f"{'UPDATED' if update else 'PASS'}  {outcome.case.name}{note}")
            else:
                failed += 1
                typer.echo(f"FAIL  {outcome.case.name}")
                for failure in outcome.failures:
                    typer.echo("      " + failure.replace("\n", "\n      "))
    except ConfigurationError as exc:
        raise _fail(str(exc)) from None
    if passed + failed == 0:
        raise _fail(f"{folder}: no cases found (a case is a folder with input.xml or case.yaml)")
    typer.echo(f"{passed} passed, {failed} failed")
    raise typer.Exit(1 if failed else 0)


@mappings_app.command("schema")
def mappings_schema() -> None:
    """Print the JSON Schema of the mapping file format (for editor completion)."""
    from crisbridge.mapping.spec import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


def main() -> None:
    try:
        app()
    except ConfigurationError as exc:
        typer.echo(f"crisbridge: {exc}", err=True)
        raise SystemExit(2) from None
