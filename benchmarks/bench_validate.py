"""Speed of SHACL validation of converted records, beside the conversion of the same records
and beside pySHACL run the plain way.

    python benchmarks/bench_validate.py [--records 20000] [--workers 2] [--plain-records 1000]

What it does, in one run:

1. Builds a batch from every real record under ``../shared/reference/real-records`` that the
   bridge reads (oai_dc and DataCite, about 1,100), repeated to reach ``--records`` and written
   as OAI-PMH ``ListRecords`` responses of 500 records; every copy gets its own header
   identifier, so every record gets its own entity id.
2. Conversion (one core): ``Converter().convert(files)`` and ``etree.tostring`` of every entity,
   as ``benchmarks/bench_convert.py`` measures the library path; with ``--workers N`` also
   ``batch.run`` with N worker processes, as ``crisbridge convert --workers N`` converts.
3. Validation, as ``crisbridge validate`` and ``convert --validate`` validate: every converted
   entity written as RDF (``RdfWriter``) into a ``ShaclBatch``, and the batch validated (the
   SHACL engine the installation has, in shares of ``SHARE_RECORDS`` records, each with the
   entities its records refer to), each result handed to its record as an issue. One core, and
   ``--workers N`` processes.
4. pySHACL the plain way: the RDF of the first ``--plain-records`` records in one rdflib graph,
   one ``pyshacl.validate`` call with the shapes (rdflib's SPARQL, no help from crisbridge).
   At 20,000 records that call takes many minutes, so it is measured on fewer records, and the
   crisbridge validation is measured again on the same records beside it.

Figures are records per second of wall-clock time and per CPU second (process plus worker
processes); on a busy machine the CPU-time figure is the one to read. The target: validation
takes no more than three times as long as conversion on the same batch, which the ratio lines
give. Timed runs come after a warm-up (imports, mapping compilation, shapes compiled).
This is a script that prints figures, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from lxml import etree

from _timing import Timing, clock  # benchmarks/ is on sys.path when a script runs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
PER_FILE = 500


# -- the batch -----------------------------------------------------------------------------


def load_payloads(reference: Path) -> list[bytes]:
    """Every record of the corpus the bridge reads (oai_dc, DataCite...), as payload bytes."""
    from crisbridge.readers import read_inputs

    payloads = [etree.tostring(r.payload, encoding="utf-8") for r in read_inputs([str(reference / "real-records")])
                if r.payload is not None and not r.deleted and r.format not in (None, "oai-note", "oai-error", "cerif")]
    if not payloads:
        raise SystemExit(f"no records under {reference}/real-records (see --reference)")
    return payloads


def build_batch(folder: Path, payloads: list[bytes], records: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for start in range(0, records, PER_FILE):
        parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="{OAI_NS}"><responseDate>2026-01-01T00:00:00Z</responseDate>'
                 '<request verb="ListRecords">https://bench.example.org/oai</request>\n<ListRecords>\n'.encode()]
        for i in range(start, min(start + PER_FILE, records)):
            parts.append(f"<record><header><identifier>oai:bench.example.org:{i + 1}</identifier>"
                         "<datestamp>2026-01-01</datestamp></header><metadata>".encode())
            parts.append(payloads[i % len(payloads)])
            parts.append(b"</metadata></record>\n")
        parts.append(b"</ListRecords></OAI-PMH>\n")
        path = folder / f"listrecords-{len(files) + 1:05d}.xml"
        path.write_bytes(b"".join(parts))
        files.append(path)
    return files


# -- the measured runs ---------------------------------------------------------------------


def run_conversion(files: list[Path], warm: list[Path]) -> tuple[Timing, list[Any]]:
    from crisbridge.pipeline import Converter, RecordResult

    converter = Converter()
    for _ in converter.convert(warm):
        pass
    results = []
    with clock() as t:
        for r in converter.convert(files):
            if isinstance(r, RecordResult):
                results.append(r)
                for e in r.entities:
                    etree.tostring(e.element, encoding="utf-8")
    return Timing("conversion, one core (Converter.convert + tostring)", len(results), t["wall"], t["cpu"]), results


def run_conversion_workers(files: list[Path], workers: int) -> Timing:
    from crisbridge.batch import BatchItem, run
    from crisbridge.pipeline import Converter

    count = 0
    with clock() as t:
        for item in run(Converter(), [str(f) for f in files], workers):
            count += isinstance(item, BatchItem)
    return Timing(f"conversion, {workers} workers (batch.run, as convert --workers {workers})", count, t["wall"], t["cpu"])


def run_validation(results: list[Any], workers: int) -> tuple[Timing, Counter[str]]:
    """What validate does with the records it has read: RDF into a ShaclBatch, then finish."""
    from crisbridge.validation.shacl import default_validator
    from crisbridge.validation.shaclbatch import ShaclBatch

    validator = default_validator()
    with clock() as t:
        batch = ShaclBatch(validator, workers=workers)
        for n, r in enumerate(results):
            for e in r.entities:
                batch.add(n, e.entity, r.source, r.source_id)
        per_record, notes = batch.finish()
    counts = Counter(i.severity.value for issues in per_record.values() for i in issues)
    counts["notes"] = len(notes)
    label = f"validation, {'one core' if workers == 1 else f'{workers} workers'} ({validator.engine}, shares of records)"
    return Timing(label, len(results), t["wall"], t["cpu"]), counts


def run_plain_pyshacl(results: list[Any]) -> tuple[Timing, Counter[str]]:
    """RDF of the records in one rdflib graph, one pyshacl.validate call over it."""
    import pyshacl
    from rdflib import Graph

    from crisbridge.validation.shacl import SH, shapes_dir, shapes_graph
    from crisbridge.writers.rdf import RdfWriter, to_graph

    shapes = shapes_graph(shapes_dir())
    writer = RdfWriter()
    with clock() as t:
        graph = Graph()
        for r in results:
            for e in r.entities:
                to_graph(writer.triples(e.entity)[0], graph)
        _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=False)
    counts = Counter(str(s).rsplit("#", 1)[-1].lower() for s in report.objects(None, SH.resultSeverity))
    return Timing("pySHACL the plain way (one rdflib graph, one pyshacl.validate)", len(results), t["wall"], t["cpu"]), counts


# -- output --------------------------------------------------------------------------------


def show(rows: list[Timing]) -> None:
    print(f"{'':78} {'records':>8} {'wall s':>8} {'rec/s':>8} {'CPU s':>8} {'rec/CPU s':>10}")
    for r in rows:
        print(f"{r.label:78} {r.records:8d} {r.wall:8.1f} {r.rate:8.0f} {r.cpu:8.1f} {r.per_cpu_second:10.0f}")


def ratio(validation: Timing, conversion: Timing) -> str:
    return (f"{validation.wall / conversion.wall:.2f}x wall-clock, {validation.cpu / conversion.cpu:.2f}x CPU "
            f"({validation.label.split(' (')[0]} / {conversion.label.split(' (')[0]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--plain-records", type=int, default=1000, help="records for the plain pySHACL run (0: skip it)")
    parser.add_argument("--reference", type=Path, default=SHARED / "reference")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    from crisbridge.validation.shacl import default_validator

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print(f"SHACL engine: {default_validator().engine}")
    payloads = load_payloads(args.reference)
    with tempfile.TemporaryDirectory(prefix="crisbridge-bench-") as tmp:
        files = build_batch(Path(tmp) / "batch", payloads, args.records)
        warm = build_batch(Path(tmp) / "warm", payloads, min(500, args.records))
        print(f"batch: {args.records} records ({len(payloads)} real records repeated, each copy its own id), {len(files)} files")
        conversion, results = run_conversion(files, warm)
        run_validation(results[:200], 1)  # warm-up: shapes compiled, engine loaded
        validation, counts = run_validation(results, 1)
        rows = [conversion, validation]
        parallel: tuple[Timing, Timing] | None = None
        if args.workers > 1:
            conversion_n = run_conversion_workers(files, args.workers)
            validation_n, counts_n = run_validation(results, args.workers)
            assert counts_n == counts, (counts, counts_n)  # shares in processes find what one process finds
            rows += [conversion_n, validation_n]
            parallel = (validation_n, conversion_n)
        print()
        show(rows)
        print(f"\nfindings: {dict(counts)}")
        print(f"validation / conversion, one core: {ratio(validation, conversion)}")
        if parallel:
            print(f"validation / conversion, {args.workers} workers each: {ratio(*parallel)}")
            print(f"validation with {args.workers} workers / conversion on one core: {ratio(parallel[0], conversion)}")
        if args.plain_records:
            few = results[: args.plain_records]
            plain, plain_counts = run_plain_pyshacl(few)
            ours, ours_counts = run_validation(few, 1)
            print(f"\npySHACL the plain way, on the first {len(few)} records (at {args.records} records one call takes many minutes):")
            show([plain, ours])
            print(f"findings: plain pySHACL {dict(plain_counts)}; crisbridge {dict(ours_counts)}")
            print(f"crisbridge validation is {plain.wall / ours.wall:.1f}x faster than plain pySHACL (wall-clock), "
                  f"{plain.cpu / ours.cpu:.1f}x (CPU)")


if __name__ == "__main__":
    main()
