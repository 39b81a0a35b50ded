"""Where a record's time goes on the command path, phase by phase, in CPU microseconds.

    python benchmarks/bench_phases.py [--records 5000] [--repeat 3]

Builds the same batch as ``bench_convert.py`` (real oai_dc payloads in ListRecords files) and
times, each on its own and the fastest of ``--repeat`` runs:

- reading: the streaming reader over the files, yielding each record's element;
- reading + mapping + model + CERIF writing: ``Converter.convert`` (the library path);
- CERIF writing alone, of the entities that run produced;
- the batch item (``batch.to_item``), the JSON report entry (``ReportStream.add``) and the
  ListRecords sink, each over the same results.

Mapping and model validation are what is left of the library path once reading and writing are
taken out. The XSLT baseline's time per record is printed beside them for scale. A script that
prints figures, not a test.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_convert import (  # benchmarks/ is on sys.path
    PARSER_OPTIONS,
    SHARED,
    build_batch,
    load_payloads,
)
from lxml import etree


def _best(fn: Callable[[], object], records: int, repeat: int) -> float:
    """CPU microseconds per record of the fastest of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best / records * 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--reference", type=Path, default=SHARED / "reference")
    ap.add_argument("--xsl", type=Path, default=SHARED / "bench" / "baseline_dc2cerif.xsl")
    args = ap.parse_args(argv)

    from crisbridge.batch import to_item
    from crisbridge.pipeline import Converter, RecordResult
    from crisbridge.readers import read_inputs
    from crisbridge.report import ReportStream
    from crisbridge.writers.oaipmh import ListRecordsWriter

    workdir = Path(tempfile.mkdtemp(prefix="crisbridge-phases-"))
    try:
        payloads = load_payloads(args.reference)
        paths, used = build_batch(workdir, payloads, args.records, 500)
        files = [str(p) for p in paths]
        n = args.records
        converter = Converter()
        for _ in converter.convert(files[:1]):  # warm-up: mapping compilation, imports
            pass
        results = [r for r in converter.convert(files) if isinstance(r, RecordResult)]
        entities = [e.entity for r in results for e in r.entities]
        stamps: dict[str, str] = {}
        items = [to_item(r, stamps) for r in results]
        writer = converter.writer

        def report() -> None:
            stream = ReportStream(io.StringIO())
            for item in items:
                stream.add(item.report)
            stream.close()

        def sink() -> None:
            out = ListRecordsWriter(io.BytesIO(), "bench.example.org", writer.profile.metadata_prefix, writer.ns)
            for item in items:
                for entity_id, kind, xml in item.outputs:
                    out.record(entity_id, kind, item.datestamp, xml)
            out.close()

        transform = etree.XSLT(etree.parse(str(args.xsl)))
        parser = etree.XMLParser(**PARSER_OPTIONS)
        phases = {
            "reading (streaming OAI-PMH reader)": lambda: sum(1 for _ in read_inputs(files, "auto")),
            "library path (reading, mapping, model, CERIF writing)": lambda: sum(1 for _ in converter.convert(files)),
            "CERIF writing alone": lambda: [writer.write_bytes(e, record="r", file="f") for e in entities],
            "batch item (to_item)": lambda: [to_item(r, stamps) for r in results],
            "JSON report entry": report,
            "ListRecords sink": sink,
            "XSLT baseline (parse + transform + serialise)": lambda: [bytes(transform(etree.fromstring(p, parser))) for p in used],
        }
        figures = {label: _best(fn, n, args.repeat) for label, fn in phases.items()}
        print(f"{n} records from {len(payloads)} real oai_dc payloads; CPU microseconds per record, fastest of {args.repeat}")
        for label, us in figures.items():
            print(f"  {us:7.1f}  {label}")
        mapping = figures["library path (reading, mapping, model, CERIF writing)"] - figures["reading (streaming OAI-PMH reader)"] - figures["CERIF writing alone"]
        print(f"  {mapping:7.1f}  mapping and model (the library path less reading and writing)")
        around = sum(figures[k] for k in ("reading (streaming OAI-PMH reader)", "CERIF writing alone", "batch item (to_item)", "JSON report entry", "ListRecords sink"))
        print(f"  {around:7.1f}  everything but mapping and model, on the command path")
        print(f"  {2 * figures['XSLT baseline (parse + transform + serialise)']:7.1f}  what 0.5x the XSLT's throughput allows for the whole")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
