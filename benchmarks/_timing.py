"""Timing shared by the benchmark scripts: wall-clock and CPU seconds of a block, and the
rates printed from them."""

from __future__ import annotations

import contextlib
import resource
import time
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass
class Timing:
    label: str
    records: int
    wall: float
    cpu: float
    processes: int = 1

    @property
    def rate(self) -> float:
        return self.records / self.wall

    @property
    def per_core(self) -> float:
        return self.rate / self.processes

    @property
    def per_cpu_second(self) -> float:
        return self.records / self.cpu if self.cpu else float("nan")


@contextlib.contextmanager
def clock() -> Iterator[dict[str, float]]:
    """Wall-clock and CPU seconds (this process and its reaped children) of the block."""
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    s0, c0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    yield out
    out["wall"] = time.perf_counter() - t0
    s1, c1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    out["cpu"] = sum(getattr(b, f) - getattr(a, f) for a, b in ((s0, s1), (c0, c1)) for f in ("ru_utime", "ru_stime"))
