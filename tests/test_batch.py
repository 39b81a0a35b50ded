"""Batch conversion with several worker processes gives what one process gives: the same
records, in the same order, with the same reports; and ``workers=N`` really runs N processes."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from crisbridge import batch
from crisbridge.batch import BatchItem
from crisbridge.pipeline import Converter


def _plain(items: list[Any]) -> list[Any]:
    """Items as comparable values (a file note is an Issue, a record a BatchItem)."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, BatchItem):
            out.append((item.report.model_dump(), item.datestamp, item.outputs, item.deleted_ids))
        else:
            out.append(item.model_dump())
    return out


def test_two_workers_give_the_one_worker_output_in_order(reference: Path) -> None:
    # the whole real-record corpus: single records, multi-record responses, deleted
    # headers, resumption tokens, files that fail
    inputs = [str(reference / "real-records")]
    one = _plain(list(batch.run(Converter(), inputs, workers=1)))
    two = _plain(list(batch.run(Converter(), inputs, workers=2)))
    assert len(one) > 1100
    assert two == one


_ORIGINAL_WORK = batch._work
_PIDS: list[Path] = []  # where the workers note their process ids (set by the test)


def _work_noting_pid(job: tuple[str, bytes | None]) -> list[Any]:
    """``batch._work`` that first notes which process runs it (module level: the pool
    pickles the function by name)."""
    with _PIDS[0].open("a") as out:
        out.write(f"{os.getpid()}\n")
    time.sleep(0.05)  # long enough that every worker takes a document
    return _ORIGINAL_WORK(job)


def test_workers_run_in_that_many_processes(reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    sources = sorted((reference / "real-records" / "dspace-eur-pyoai" / "records" / "oai_dc").glob("*.xml"))[:8]
    for source in sources:
        shutil.copy(source, folder / source.name)
    pids = tmp_path / "pids"
    # the worker processes are forked after the patch, so they run the patched function
    _PIDS.append(pids)
    monkeypatch.setattr(batch, "_work", _work_noting_pid)
    try:
        items = list(batch.run(Converter(), [str(folder)], workers=2))
    finally:
        _PIDS.clear()
    assert len(items) == len(sources)
    seen = set(pids.read_text().split())
    assert len(seen) == 2
    assert str(os.getpid()) not in seen
