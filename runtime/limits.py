"""The process limit: how many processes may exist at once (Erlang's `+P`).

How this works: a process spawning in a loop would otherwise fill the memory
until Python raises MemoryError in the scheduler (a script dies) or the OS
kills the whole kernel. The BEAM has a limit on simultaneous processes (`erl +P
N`, default 1,048,576) and `spawn` beyond it fails with `system_limit`;
beamlab does the same, with `Runtime(process_limit=N)` (or
`runtime.process_limit = N` later) and a `SystemLimit` error.

The default is sized to the memory this OS process can still get when the
runtime is created: the smaller of `/proc/meminfo`'s MemAvailable and what the
container's cgroup (v2 `memory.max`, v1 `memory.limit_in_bytes`) leaves. A
process waiting in `receive` on a greenlet costs 6.5-8.7 KB (its greenlet's saved
stack, its interpreter data stack and frames; a stackless one, parked as a
generator, about 0.7 KB; an idle GenServer, which has no greenlet, about 0.9 KB), so
`PROCESS_BYTES` = 8 KiB is about the worst case of a plain process. The
default lets that many processes fill at most half of the available memory
(the other half is left for what they hold: mailboxes, state, the notebook),
capped at Erlang's default and never below Erlang's minimum of 1024:

    limit = clamp(available / 2 / 8 KiB, 1024, 1_048_576)

so 16 GB available gives 1,048,576 (the cap), 4 GB about 260,000, a 2 GB
Binder pod about 120,000. With no way to tell the memory, the limit is
Erlang's default.
"""

from __future__ import annotations

import os

__all__ = ["ERLANG_DEFAULT", "ERLANG_MINIMUM", "PROCESS_BYTES", "available_memory",
           "default_process_limit", "check_process_limit"]

ERLANG_DEFAULT = 1_048_576     # erl +P default (and beamlab's cap)
ERLANG_MINIMUM = 1024          # erl +P refuses less
PROCESS_BYTES = 8 * 1024       # a plain process waiting in receive on a greenlet: 6.5-8.7 KB
_UNLIMITED = 1 << 60           # cgroup v1 writes 2**63 - page size for "no limit"


def _read_int(path: str) -> int | None:
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    if not text or text == "max":
        return None
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value < _UNLIMITED else None


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:   # other Unixes: free physical pages
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _cgroup_headroom() -> int | None:
    """Bytes the container's memory cgroup still allows, or None if it sets no limit."""
    for limit_path, usage_path in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                                   ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                    "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        limit = _read_int(limit_path)
        if limit is not None:
            usage = _read_int(usage_path) or 0
            return max(limit - usage, 0)
    return None


def available_memory() -> int | None:
    """Bytes this OS process can still use (MemAvailable, within the cgroup's limit), or None.

        >>> available_memory() > 0
        True
    """
    found = [b for b in (_meminfo_available(), _cgroup_headroom()) if b is not None]
    return min(found) if found else None


def default_process_limit(available: int | None = None) -> int:
    """The process limit a new `Runtime` gets: half of the available memory at
    `PROCESS_BYTES` a process, between 1024 and Erlang's default 1,048,576.

        >>> default_process_limit(available=4 * 2**30)
        262144
    """
    if available is None:
        available = available_memory()
    if available is None:
        return ERLANG_DEFAULT
    return max(ERLANG_MINIMUM, min(ERLANG_DEFAULT, available // 2 // PROCESS_BYTES))


def check_process_limit(limit) -> int:
    """`limit` if it is a usable process limit (an int >= 1), else a ValueError saying so."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"process_limit={limit!r}: give the maximum number of processes "
                         f"that may exist at once, an int >= 1 (Erlang's +P; the default, "
                         f"{default_process_limit():,} here, is sized to the available memory)")
    return limit
