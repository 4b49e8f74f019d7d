"""Chaos, the runtime's part: a monkey process that kills random processes under a supervisor.

    >>> monkey = chaos_monkey("app", rate=5)      # inside a process: 5 kills a second
    >>> sleep(2); monkey.stop()
    >>> monkey.kills[:2]                          # (seconds since start, pid, child id)
    [(0.2, <0.57.0>, 'w3'), (0.4, <0.61.0>, 'w1')]

How this works: `chaos_monkey` spawns the monkey, a process that waits `1/rate`
seconds in `receive` (so a MockClock or a deterministic run's virtual clock
drives it), picks a live child under `root` (`VictimPicker`) and sends it
`exit(pid, "kill")`. Its random choices come from `random.Random(seed)`; with
no seed, inside a deterministic run (deterministic.py) from the run's own
random generator, so the run's seed decides the victims (and a fork under
another seed picks others), elsewhere from an unseeded one.

Picking is O(1) amortised (`VictimPicker`), so 50 kills/s work on a tree of
100,000 processes: the children are listed once, in tree order, and each pick
draws an index. Supervisors' restart and child_start telemetry put a
restarted child's new pid in its slot as it happens; a slot found dead is
skipped and counted, and the list is walked again only when half of it is
stale or after as many picks as it has slots (which also finds children
added since).

The Chaos widget (widgets/chaos.py) is a panel over this monkey: it starts and
stops it and shows its kills; the monkey itself never imports Jupyter.
"""
from __future__ import annotations

import itertools
import random
from collections import deque

__all__ = ["chaos_monkey", "ChaosMonkey", "VictimPicker", "subtree_children"]


def _resolve(runtime, root):
    if isinstance(root, str):
        whereis = getattr(runtime, "whereis", None)
        return whereis(root) if whereis else None
    return root


def _is_pid(x) -> bool:
    """A child's pid slot holds a Pid, None (not running) or a "restarting" marker."""
    return type(x).__name__ == "Pid"


def behaviour_status(runtime, pid, info: dict | None = None) -> dict | None:
    """What the process's behaviour reports (`format_status()`, read from outside), or None.

    For a Supervisor that is {"behaviour", "strategy", "intensity", "period",
    "children": [{id, pid, restart, shutdown, type}], "restarts": [times]}.
    Erlang's counterpart is `sys:get_status/1`."""
    get = getattr(runtime, "get_status", None)
    if callable(get):
        return get(pid)
    table = getattr(runtime, "_table", None)
    if table is not None:
        proc = table.get(pid.id)
        hook = getattr(proc, "reactor", None) if proc is not None else None
        fmt = getattr(hook, "format_status", None)
        if fmt is None:
            return None
        try:
            status = fmt()
        except Exception:
            return None
        return status if isinstance(status, dict) else None
    info = info if info is not None else runtime.process_info(pid)
    state = (info or {}).get("state")
    return state if isinstance(state, dict) else None


def subtree_children(runtime, root, *, include_supervisors: bool = False) -> list[tuple]:
    """Every live child under `root`, as (pid, child id), in tree order (not `root` itself).

    Reads only the supervisors' child lists, never `process_info` of the workers,
    so it stays cheap for big trees (but it is a walk of the whole tree: the
    monkey picks from a `VictimPicker`, which walks rarely).
    """
    return [(pid, cid) for pid, cid, _sup in _walk(runtime, root, include_supervisors)[0]]


def _walk(runtime, root, include_supervisors: bool) -> tuple[list, set]:
    """([(pid, child id, supervisor pid)] in tree order, {supervisor pids walked})."""
    pid = _resolve(runtime, root)
    out: list = []
    sups: set = set()
    if pid is None:
        return out, sups
    stack = [pid]
    while stack:
        sup = stack.pop()
        status = behaviour_status(runtime, sup)
        if not isinstance(status, dict) or "children" not in status:
            continue
        sups.add(sup)
        kids = [c for c in status.get("children", ()) if _is_pid(c.get("pid"))]
        for ch in kids:
            if ch.get("type") != "supervisor" or include_supervisors:
                out.append((ch["pid"], ch.get("id"), sup))
        for ch in reversed(kids):
            if ch.get("type") == "supervisor":
                stack.append(ch["pid"])
    return out, sups


SUPERVISOR_EVENTS = [("beamlab", "supervisor", "restart"), ("beamlab", "supervisor", "child_start")]
_picker_ids = itertools.count(1)


class VictimPicker:
    """Picks a random live child under `root` in O(1) amortised time, reproducibly.

    >>> picker = VictimPicker(rt, sup, rng=random.Random(42))   # doctest: +SKIP
    >>> picker.pick()                                           # doctest: +SKIP
    (<0.57.0>, 'w3')

    Slots hold [pid, child id, supervisor] in tree order. A pick draws a slot
    with `rng`; a dead slot is marked stale and another drawn. Supervisor
    telemetry (restart, child_start) refreshes a slot's pid in O(1) as the
    restart happens. The tree is walked again when half the slots are stale,
    after as many picks as there are slots, or when nothing live was drawn in
    a few tries; `walks` counts those walks.
    """

    TRIES = 4

    def __init__(self, runtime, root, *, include_supervisors: bool = False, rng=None) -> None:
        self.rt = runtime
        self.root = root
        self.include_supervisors = include_supervisors
        self.rng = rng if rng is not None else random.Random()
        self.walks = 0
        self._slots: list[list] = []
        self._index: dict = {}          # (supervisor pid, child id) -> slot number
        self._sups: set = set()
        self._stale = 0
        self._picks_left = 0
        alive = getattr(runtime, "is_process_alive", None)
        self._alive = alive if callable(alive) else (lambda p: runtime.process_info(p) is not None)
        self._events: deque = deque(maxlen=100_000)
        self._handler = None
        tele = getattr(runtime, "telemetry", None)
        if tele is not None:
            self._handler = f"beamlab.chaos.{next(_picker_ids)}"
            tele.attach_many(self._handler, SUPERVISOR_EVENTS, self._on_event, None)

    def close(self) -> None:
        """Detach from telemetry (idempotent)."""
        if self._handler is not None:
            try:
                self.rt.telemetry.detach(self._handler)
            except Exception:
                pass
            self._handler = None

    def _on_event(self, event, measurements, metadata, config) -> None:
        pid = metadata.get("new_pid") if event[-1] == "restart" else metadata.get("pid")
        if pid is not None:            # only record: the picker applies it at its next pick
            self._events.append((metadata.get("supervisor"), metadata.get("child_id"), pid,
                                 metadata.get("type")))

    def _apply_events(self) -> None:
        events, slots, index = self._events, self._slots, self._index
        while events:
            sup, cid, pid, kind = events.popleft()
            i = index.get((sup, cid)) if cid is not None else None
            if i is not None:
                slot = slots[i]
                if slot[0] is None:
                    self._stale -= 1
                slot[0] = pid
            elif sup in self._sups and (kind != "supervisor" or self.include_supervisors):
                if cid is not None:
                    index[(sup, cid)] = len(slots)
                slots.append([pid, cid, sup])   # a child added since the last walk

    def _rebuild(self) -> None:
        self.walks += 1
        found, self._sups = _walk(self.rt, self.root, self.include_supervisors)
        self._slots = [[pid, cid, sup] for pid, cid, sup in found]
        self._index = {(sup, cid): i for i, (_pid, cid, sup) in enumerate(found) if cid is not None}
        self._stale = 0
        self._picks_left = max(64, len(self._slots))
        self._events.clear()            # the walk saw everything they said

    def pick(self) -> tuple | None:
        """A live (pid, child id) under root, or None if there is none."""
        self._apply_events()
        if not self._slots or self._picks_left <= 0 or self._stale * 2 >= len(self._slots):
            self._rebuild()
        self._picks_left -= 1
        for attempt in range(2 * self.TRIES):
            if attempt == self.TRIES:
                self._rebuild()         # unlucky draws, or the tree changed under us
            slots = self._slots
            if not slots:
                return None
            slot = slots[self.rng.randrange(len(slots))]
            pid = slot[0]
            if pid is not None and self._alive(pid):
                return pid, slot[1]
            if pid is not None:
                slot[0] = None
                self._stale += 1
        return None


class ChaosMonkey:
    """One monkey: its settings in, its kills out (what the monkey process and a panel share).

    `seed`: its own `random.Random(seed)`; None draws from the deterministic run's
    generator when there is one (see the module docstring). `kills` lists
    (seconds since it started, pid, child id); `ended` says why it stopped by itself."""

    def __init__(self, root, rate: float = 1.0, seed: int | None = None,
                 include_supervisors: bool = False, reason="kill"):
        if not (isinstance(rate, (int, float)) and rate > 0):
            raise ValueError(f"rate={rate!r}: give kills per second, a number > 0")
        self.root = root
        self.rate = rate
        self.seed = seed
        self.include_supervisors = include_supervisors
        self.reason = reason
        self.kills: list[tuple] = []        # (seconds since start, pid, child id)
        self.ended = ""                     # why the monkey stopped by itself
        self.pid = None
        self.picker: VictimPicker | None = None

    def __repr__(self):
        return f"<ChaosMonkey {self.pid!r} under {self.root!r}: {len(self.kills)} kills>"

    def _rng(self, rt):
        if self.seed is not None:
            return random.Random(self.seed)
        det = getattr(rt, "_det", None)
        return det.random if det is not None else random.Random()

    def run(self) -> None:
        """The body of the monkey process."""
        from ._core import current_runtime
        from .api import exit as exit_, receive
        rt = current_runtime()
        picker = self.picker = VictimPicker(rt, self.root, include_supervisors=self.include_supervisors,
                                            rng=self._rng(rt))
        t0 = rt.clock.now()
        try:
            while True:
                msg = receive(timeout=1.0 / max(self.rate, 1e-3), default=None)
                if msg == "stop":
                    return
                if msg is not None:             # "wake": the rate changed; wait again with the new one
                    continue
                root = _resolve(rt, self.root)
                if root is None or not rt.is_process_alive(root):
                    self.ended = "the supervisor under attack is gone (it gave up and escalated)"
                    return
                victim = picker.pick()
                if victim is None:
                    continue
                pid, cid = victim
                exit_(pid, self.reason)
                self.kills.append((rt.clock.now() - t0, pid, cid))
        finally:
            picker.close()

    def stop(self) -> None:
        """Stop killing (from any process, or from outside: it sends the monkey "stop")."""
        if self.pid is not None:
            from ._core import current_runtime
            current_runtime().send(self.pid, "stop")


def chaos_monkey(root, *, rate: float = 1.0, seed: int | None = None,
                 include_supervisors: bool = False, reason="kill") -> ChaosMonkey:
    """Spawn a monkey killing a random child under `root` (a pid or registered name)
    `rate` times a second; returns the `ChaosMonkey` (its `pid`, `kills`, `stop()`).

        >>> monkey = chaos_monkey(sup, rate=10)            # inside a process
        >>> beamlab.run(main, seed=42)                     # same seed: same victims, same moments

    Not in OTP (it is the "chaos monkey" of resilience testing); the kill is
    `exit(pid, "kill")` as a supervisor's child would get from a crashed peer.
    `include_supervisors=True` may kill nested supervisors too (never `root`)."""
    from .api import spawn
    monkey = ChaosMonkey(root, rate, seed, include_supervisors, reason)
    monkey.pid = spawn(monkey.run)
    return monkey
