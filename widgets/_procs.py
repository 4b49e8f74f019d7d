"""Observer's process table and system figures, cheap enough for 100,000 processes.

How this works: the table shows one page (25 rows) of every process, sorted and
filtered. Sorting 100k processes by building `process_info` for each would cost
seconds, so `process_rows` sorts on the few cheap fields first (reductions,
mailbox length, name, status) straight from the runtime's process table, keeps
the page with `heapq.nsmallest/nlargest`, and builds the full row (current
function, memory) only for those 25. Memory is the one costly sort key; it is
computed per process only when the user sorts by it.

`SystemSampler` turns `runtime.stats()` into the observer's chart series:
process count, run queue, reductions/s, messages/s and memory, one point per
sample, keeping the last `keep` points.
"""
from __future__ import annotations

import heapq
import os
import sys
import sysconfig
from collections import deque

from ._runtime import pid_text

__all__ = ["COLUMNS", "process_rows", "SystemSampler"]

COLUMNS = [
    {"key": "pid", "label": "pid", "kind": "pid", "sortable": True},
    {"key": "name", "label": "name or initial call", "kind": "str", "sortable": True},
    {"key": "reductions", "label": "reductions", "kind": "int", "sortable": True},
    {"key": "memory", "label": "memory (B)", "kind": "int", "sortable": True},
    {"key": "message_queue_len", "label": "mailbox", "kind": "int", "sortable": True},
    {"key": "current_function", "label": "current function", "kind": "str", "sortable": False},
    {"key": "status", "label": "status", "kind": "str", "sortable": True},
]
SORTABLE = {c["key"] for c in COLUMNS if c["sortable"]}


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_INTERNAL = tuple(_PACKAGE + d + os.sep for d in ("kernel", "widgets", "src"))
_LIBRARY = tuple(sorted({os.path.realpath(p) + os.sep
                         for key in ("stdlib", "platstdlib", "purelib", "platlib")
                         if (p := sysconfig.get_paths().get(key))}
                        | {os.path.realpath(p) + os.sep for p in sys.path
                           if p and ("site-packages" in p or "dist-packages" in p)}))


def _is_internal(file: str) -> bool:
    """A library's or beamlab's kernel/widgets frame: not what a learner wrote or called."""
    if not file or file.startswith("<frozen"):
        return True
    real = os.path.realpath(file) if file.startswith(os.sep) else file
    return real.startswith(_INTERNAL) or real.startswith(_LIBRARY)


def learner_function(info: dict) -> str:
    """The function to show as "current function": the innermost frame of the learner's code
    or of the beamlab call it waits in (`receive`, `sleep`), skipping library frames (e.g.
    numpy's `_is_numpy` while a widget serialises an array); else what process_info says."""
    for frame in info.get("current_stacktrace") or ():
        if isinstance(frame, (tuple, list)) and len(frame) == 3 and not _is_internal(str(frame[0])):
            return str(frame[2])
    return _call(info.get("current_function"))


def _call(call) -> str:
    if isinstance(call, (tuple, list)):
        return "/".join(str(x) for x in call)
    return "" if call is None else str(call)


class _Records:
    """Uniform cheap access to every live process: the runtime's table, or process_info."""

    def __init__(self, runtime) -> None:
        self.rt = runtime
        table = getattr(runtime, "_table", None)
        if table is not None and hasattr(runtime, "initial_call"):
            self.items = [p for p in list(table.values()) if p.alive]
            self.fast = True
        else:
            self.items = [runtime.process_info(p) for p in runtime.processes()]
            self.items = [i for i in self.items if i]
            self.fast = False

    def pid(self, r):
        return r.pid if self.fast else r["pid"]

    def name(self, r) -> str:
        if self.fast:
            return r.name or (r.label if r.external and r.label else self.rt.initial_call(r))
        return r.get("registered_name") or _call(r.get("initial_call"))

    def key(self, column: str):
        if column == "pid":
            return (lambda r: r.pid.id) if self.fast else (lambda r: _pid_order(r["pid"]))
        if column == "name":
            return lambda r: self.name(r).lower()
        if column == "reductions":
            return (lambda r: r.reductions) if self.fast else (lambda r: r.get("reductions", 0))
        if column == "message_queue_len":
            return ((lambda r: len(r.mailbox) if r.mailbox else 0) if self.fast
                    else (lambda r: r.get("message_queue_len", 0)))
        if column == "status":
            return (lambda r: r.status) if self.fast else (lambda r: r.get("status", ""))
        if column == "memory":
            return (lambda r: self.rt.memory_of(r)) if self.fast else (lambda r: r.get("memory", 0))
        raise ValueError(f"cannot sort by {column!r}; sort by one of {', '.join(sorted(SORTABLE))}")


def _pid_order(pid):
    text = str(pid).strip("<>").split(".")
    try:
        return tuple(int(x) for x in text)
    except ValueError:
        return (0,)


def process_rows(runtime, *, sort: str = "reductions", descending: bool = True, page: int = 0,
                 page_size: int = 25, query: str = "") -> tuple[int, list[dict]]:
    """(number of matching processes, the rows of one page), sorted over all of them.

    >>> total, rows = process_rows(rt, sort="message_queue_len", page_size=10)  # doctest: +SKIP
    >>> rows[0]["pid"], rows[0]["message_queue_len"]                            # doctest: +SKIP
    ('<0.42.0>', 1200)
    """
    recs = _Records(runtime)
    items = recs.items
    q = query.strip().lower()
    if q:
        items = [r for r in items if q in recs.name(r).lower() or q in pid_text(recs.pid(r))]
    total = len(items)
    keyf = recs.key(sort)
    want = (page + 1) * page_size
    if want >= total:
        chosen = sorted(items, key=keyf, reverse=descending)
    else:
        chosen = (heapq.nlargest if descending else heapq.nsmallest)(want, items, key=keyf)
    chosen = chosen[page * page_size: want]
    rows = []
    for r in chosen:
        pid = recs.pid(r)
        info = runtime.process_info(pid) if recs.fast else r
        if info is None:                   # died while we sorted
            continue
        rows.append({
            "pid": pid_text(pid),
            "name": info.get("registered_name") or (recs.name(r) if recs.fast else _call(info.get("initial_call"))),
            "reductions": info.get("reductions", 0),
            "memory": info.get("memory", 0),
            "message_queue_len": info.get("message_queue_len", 0),
            "current_function": learner_function(info),
            "status": info.get("status", ""),
        })
    return total, rows


class SystemSampler:
    """Observer's "System" and "Load charts": one sample of the runtime's figures per call.

    >>> s = SystemSampler(rt); s.sample(); s.series["processes"]   # doctest: +SKIP
    [12]
    Rates (reductions/s, messages/s) are differences between samples over the
    runtime clock's elapsed time; the first sample has none.
    """

    SERIES = ("processes", "run_queue", "reductions_per_s", "messages_per_s", "memory")

    def __init__(self, runtime, keep: int = 120) -> None:
        self.rt = runtime
        self.times: deque = deque(maxlen=keep)
        self.series = {k: deque(maxlen=keep) for k in self.SERIES}
        self._last: tuple | None = None

    def _now(self) -> float:
        clock = getattr(self.rt, "clock", None)
        return clock.now() if clock is not None else 0.0

    def _memory(self, stats: dict) -> int:
        if "memory" in stats:
            return int(stats["memory"])
        recs = getattr(self.rt, "_table", None)
        memory_of = getattr(self.rt, "memory_of", None)
        if recs is None or memory_of is None:
            return 0
        procs = list(recs.values())
        if not procs:
            return 0
        step = max(1, len(procs) // 500)          # estimate from a sample of ~500 processes
        sample = procs[::step]
        return int(sum(memory_of(p) for p in sample) * len(procs) / len(sample))

    def sample(self) -> dict:
        stats = self.rt.stats()
        now = self._now()
        reductions = stats.get("reductions", 0)
        sent = stats.get("messages_sent", 0)
        point = {"processes": stats.get("processes", 0), "run_queue": stats.get("run_queue", 0),
                 "memory": self._memory(stats), "reductions_per_s": None, "messages_per_s": None}
        if self._last is not None:
            t0, r0, m0 = self._last
            dt = now - t0
            if dt > 0:
                point["reductions_per_s"] = max(0.0, (reductions - r0) / dt)
                point["messages_per_s"] = max(0.0, (sent - m0) / dt)
        self._last = (now, reductions, sent)
        if point["reductions_per_s"] is None and self.times:
            return point                  # same instant as the last sample: nothing new
        self.times.append(now)
        for k in self.SERIES:
            v = point[k]
            self.series[k].append(0.0 if v is None else float(v))
        return point
