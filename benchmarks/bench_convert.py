"""Speed and memory of ``crisbridge convert`` against an XSLT baseline, on the same records.

    python benchmarks/bench_convert.py [--records 20000] [--workers 2] [--memory-records 5000]

What it does, in one run:

1. Builds a batch from the real oai_dc payloads under
   ``../shared/reference/real-records/*/records/oai_dc/*.xml`` (513 records, repeated to reach
   ``--records``), written as OAI-PMH ``ListRecords`` responses of ``--per-file`` records each
   in a temporary folder. Every copy gets its own header identifier, so every record gets its
   own entity id.
2. XSLT baseline (one core): for each record, lxml parses the payload bytes (held in memory),
   ``../shared/bench/baseline_dc2cerif.xsl`` transforms it, the result is serialised to bytes.
3. The bridge, library path (one core): ``Converter().convert(files)`` and
   ``etree.tostring`` of every entity.
4. The bridge, command path (one core, and with ``--workers N`` if N > 1): the ``convert``
   command run in this process, exactly as ``crisbridge convert FILES -o OUT.xml
   --report REPORT.json [--workers N]`` runs it (``batch.run`` + ``ListRecordsWriter`` +
   ``ReportStream``), reading the files, writing the ListRecords document and the JSON report.
   With N > 1 the output is compared with the one-worker output.
5. Peak memory: the same command in a fresh subprocess over N and 4N records
   (``--memory-records``); the peak resident set size of that process (VmHWM).

Figures are records per second of wall-clock time and per CPU second (process plus its
worker processes); "per core" divides the wall-clock rate by the processes converting. On a
quiet machine the two agree for one process; on a busy one the CPU-time figure is the one to
read (a process waiting for a core uses no CPU time).
Timed runs come after one warm-up pass so mapping compilation and imports are not counted;
``--repeat R`` keeps the fastest of R runs of each, and the load average is printed, since
other processes on the machine slow the wall-clock figures.
This is a script that prints figures, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

from _timing import Timing, clock  # benchmarks/ is on sys.path when a script runs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
# the same hardening as crisbridge.readers (DESIGN section 7), so both sides parse alike
PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


# -- the batch -----------------------------------------------------------------------------


def load_payloads(reference: Path) -> list[bytes]:
    """Every real oai_dc payload, re-serialised without its XML declaration (UTF-8)."""
    files = sorted(reference.glob("real-records/*/records/oai_dc/*.xml"))
    if not files:
        raise SystemExit(f"no oai_dc records under {reference}/real-records (see --reference)")
    parser = etree.XMLParser(**PARSER_OPTIONS)
    return [etree.tostring(etree.parse(str(f), parser).getroot(), encoding="utf-8") for f in files]


def build_batch(folder: Path, payloads: list[bytes], records: int, per_file: int) -> tuple[list[Path], list[bytes]]:
    """ListRecords response files holding ``records`` records; returns the files and the
    payload of each record in order (for the XSLT side)."""
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    used: list[bytes] = []
    for start in range(0, records, per_file):
        parts = [
            b'<?xml version="1.0" encoding="UTF-8"?>\n',
            f'<OAI-PMH xmlns="{OAI_NS}"><responseDate>2026-01-01T00:00:00Z</responseDate>'
            '<request verb="ListRecords" metadataPrefix="oai_dc">https://bench.example.org/oai</request>\n'
            "<ListRecords>\n".encode(),
        ]
        for i in range(start, min(start + per_file, records)):
            payload = payloads[i % len(payloads)]
            used.append(payload)
            parts.append(
                f"<record><header><identifier>oai:bench.example.org:{i + 1}</identifier>"
                f"<datestamp>2026-01-01</datestamp></header><metadata>".encode()
            )
            parts.append(payload)
            parts.append(b"</metadata></record>\n")
        parts.append(b"</ListRecords></OAI-PMH>\n")
        path = folder / f"listrecords-{len(files) + 1:05d}.xml"
        path.write_bytes(b"".join(parts))
        files.append(path)
    return files, used


# -- the measured runs -----------------------------------------------------------------------


def run_xslt(xsl: Path, payloads: list[bytes]) -> Timing:
    transform = etree.XSLT(etree.parse(str(xsl)))
    parser = etree.XMLParser(**PARSER_OPTIONS)
    size = 0
    for payload in payloads[:200]:  # warm-up
        size += len(bytes(transform(etree.fromstring(payload, parser))))
    with clock() as t:
        for payload in payloads:
            size += len(bytes(transform(etree.fromstring(payload, parser))))
    return Timing("XSLT baseline (lxml parse + transform + serialise)", len(payloads), t["wall"], t["cpu"], 1)


def run_library(files: list[Path], warm: list[Path]) -> Timing:
    from crisbridge.pipeline import Converter, RecordResult

    converter = Converter()
    for r in converter.convert(warm):
        pass
    count = 0
    with clock() as t:
        for r in converter.convert(files):
            if isinstance(r, RecordResult):
                count += 1
                for e in r.entities:
                    etree.tostring(e.element, encoding="utf-8")
    return Timing("bridge, library (Converter.convert + tostring)", count, t["wall"], t["cpu"], 1)


def run_command(files: list[Path], out: Path, report: Path, workers: int) -> tuple[Timing, dict[str, int]]:
    """``crisbridge convert FILES -o out --report report --workers N`` in this process."""
    from crisbridge.cli.app import app

    args = ["convert", *map(str, files), "-o", str(out), "--report", str(report), "--workers", str(workers)]
    with clock() as t, contextlib.redirect_stderr(io.StringIO()) as err:
        code = app(args, standalone_mode=False)
    if code not in (0, 1, None):
        raise SystemExit(f"crisbridge convert exited with {code}: {err.getvalue()}")
    summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    label = f"bridge, `crisbridge convert -o FILE --report R.json --workers {workers}`"
    return Timing(label, summary["records"], t["wall"], t["cpu"], workers), summary


# Run as ``python -c PEAK_WRAPPER convert ...``: the command exactly as ``python -m crisbridge``
# runs it, writing at exit its own peak resident set size (VmHWM, KiB) to the file named by
# CRISBRIDGE_BENCH_PEAK. ru_maxrss from wait4 would not do: Linux carries the parent's
# high-water mark across fork and exec, so the child of this (large) process would report
# this process's size, whatever the bridge used.
PEAK_WRAPPER = """
import atexit, os, resource, runpy, sys

def _peak():
    try:
        with open("/proc/self/status") as status:
            kib = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    except OSError:
        kib = str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    with open(os.environ["CRISBRIDGE_BENCH_PEAK"], "w") as out:
        out.write(kib)

atexit.register(_peak)
runpy.run_module("crisbridge", run_name="__main__", alter_sys=True)
"""


def peak_memory(files: list[Path], out: Path, report: Path) -> tuple[int, float]:
    """Peak RSS (bytes) and wall seconds of ``python -m crisbridge convert FILES -o out
    --report report`` in a fresh process."""
    peak_file = out.with_suffix(".peak")
    args = ["convert", *map(str, files), "-o", str(out), "--report", str(report)]
    env = {**os.environ, "CRISBRIDGE_BENCH_PEAK": str(peak_file)}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", PEAK_WRAPPER, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"crisbridge convert ({len(files)} files) exited with {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    return int(peak_file.read_text()) * 1024, wall


def same_output(a: Path, b: Path) -> bool:
    """Two ListRecords documents hold the same records in the same order (responseDate aside)."""

    def body(p: Path) -> bytes:
        data = p.read_bytes()
        start = data.index(b"<request")
        return data[start:]

    return body(a) == body(b)


def same_report(a: Path, b: Path) -> bool:
    return bool(json.loads(a.read_text(encoding="utf-8")) == json.loads(b.read_text(encoding="utf-8")))


# -- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=20000, help="records in the timed batch (default 20000)")
    ap.add_argument("--per-file", type=int, default=500, help="records per ListRecords file (default 500)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes for the parallel run (default: all cores; 1 skips it)")
    ap.add_argument("--memory-records", type=int, default=5000, help="N for the peak-memory runs over N and 4N records (default 5000; 0 skips)")
    ap.add_argument("--reference", type=Path, default=SHARED / "reference", help="the shared reference folder")
    ap.add_argument("--xsl", type=Path, default=SHARED / "bench" / "baseline_dc2cerif.xsl", help="the XSLT baseline")
    ap.add_argument("--repeat", type=int, default=1, help="run each timing this many times and keep the fastest (default 1)")
    ap.add_argument("--skip-library", action="store_true", help="skip the library-path run")
    ap.add_argument("--keep", type=Path, default=None, metavar="DIR", help="build the batch and outputs in DIR and keep them")
    args = ap.parse_args(argv)

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="crisbridge-bench-"))
    try:
        return _run(args, workdir)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


def _run(args: argparse.Namespace, workdir: Path) -> int:
    from crisbridge._version import __version__

    payloads = load_payloads(args.reference)
    total = max(args.records, 4 * args.memory_records)
    files, used = build_batch(workdir / "batch", payloads, total, args.per_file)
    timed_files = files[: -(-args.records // args.per_file)]
    timed_records = min(args.records, len(timed_files) * args.per_file)
    print(f"crisbridge {__version__}, Python {sys.version.split()[0]}, lxml {etree.__version__}, {os.cpu_count()} cores")
    print(f"batch: {timed_records} records from {len(payloads)} real oai_dc payloads, "
          f"{len(timed_files)} ListRecords files of {args.per_file} in {workdir / 'batch'}")
    print()

    load_before = _load()
    xslt = _best([run_xslt(args.xsl, used[:timed_records]) for _ in range(args.repeat)])
    _line(xslt, xslt)
    if not args.skip_library:
        _line(_best([run_library(timed_files, files[:1]) for _ in range(args.repeat)]), xslt)
    out1, rep1 = workdir / "out-1.xml", workdir / "report-1.json"
    run_command(files[:1], out1, rep1, 1)  # warm-up
    runs = [run_command(timed_files, out1, rep1, 1) for _ in range(args.repeat)]
    one, summary = min(runs, key=lambda r: r[0].wall)
    _line(one, xslt)
    print(f"    {summary['records']} records: {summary['converted']} converted, {summary['deleted']} deleted, "
          f"{summary['failed']} failed; {summary['errors']} errors, {summary['warnings']} warnings, {summary['infos']} infos")
    if args.workers > 1:
        outn, repn = workdir / f"out-{args.workers}.xml", workdir / f"report-{args.workers}.json"
        many = _best([run_command(timed_files, outn, repn, args.workers)[0] for _ in range(args.repeat)])
        _line(many, xslt)
        print(f"    speed-up over one worker: {many.rate / one.rate:.2f}x with {args.workers} workers; "
              f"same ListRecords output: {'yes' if same_output(out1, outn) else 'NO'}; "
              f"same report: {'yes' if same_report(rep1, repn) else 'NO'}")
    print()
    print(f"bridge / XSLT, records per second per core (command path, one worker): "
          f"{one.per_cpu_second / xslt.per_cpu_second:.2f} by CPU time "
          f"({one.per_cpu_second:,.0f} vs {xslt.per_cpu_second:,.0f} records/CPU-s), "
          f"{one.per_core / xslt.per_core:.2f} by wall clock")
    print(f"load average (1 min) before the timed runs: {load_before}, after: {_load()} "
          f"(other processes slow the wall-clock figures; records/CPU-s is less affected)")

    if args.memory_records:
        n = args.memory_records
        nfiles = -(-n // args.per_file)
        out, rep = workdir / "out-mem.xml", workdir / "report-mem.json"
        peak_n, wall_n = peak_memory(files[:nfiles], out, rep)
        peak_4n, wall_4n = peak_memory(files[: 4 * nfiles], out, rep)
        mib = 1024 * 1024
        print(f"peak memory, `python -m crisbridge convert ... -o FILE --report R.json` in a fresh process: "
              f"{nfiles * args.per_file} records {peak_n / mib:.0f} MiB ({wall_n:.1f} s), "
              f"{4 * nfiles * args.per_file} records {peak_4n / mib:.0f} MiB ({wall_4n:.1f} s); ratio {peak_4n / peak_n:.2f}")
    return 0


def _best(timings: list[Timing]) -> Timing:
    """The fastest of repeated runs: what the code can do, less what other processes took."""
    return min(timings, key=lambda t: t.wall)


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def _line(t: Timing, xslt: Timing) -> None:
    print(f"{t.label}\n    {t.records} records in {t.wall:.2f} s: {t.rate:,.0f} records/s, {t.per_core:,.0f} records/s/core "
          f"({t.processes} process{'es' if t.processes > 1 else ''}), {t.per_cpu_second:,.0f} records/CPU-s"
          + ("" if t is xslt else f"; {t.per_core / xslt.per_core:.2f}x the XSLT per core"))


if __name__ == "__main__":
    sys.exit(main())
