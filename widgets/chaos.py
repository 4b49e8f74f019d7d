"""Chaos: kill random processes in a supervision subtree, at a rate, seeded and reproducible.

How this works: `Chaos(root)` is a small control panel (start/stop, rate,
seed) above the live supervision tree of `root`. Starting it spawns a "chaos
monkey" process inside the runtime. The monkey waits `1/rate` seconds in
`receive` (so it is scheduled like any process, and a MockClock drives it in
tests), picks a live child under `root` with its own `random.Random(seed)`,
and sends it `exit(pid, "kill")`. The same seed on the same tree gives the same
victims, so a classroom demo can be replayed.

Picking is O(1) amortised (`VictimPicker`), so 50 kills/s work on a tree of
100,000 processes: the children are listed once, in tree order, and each pick
draws an index. Supervisors' restart and child_start telemetry put a
restarted child's new pid in its slot as it happens; a slot found dead is
skipped and counted, and the list is walked again only when half of it is
stale or after as many picks as it has slots (which also finds children
added since).
Stop sends the monkey "stop". The panel shows every kill; the tree below shows
restart intensity being used up and, past it, the supervisor giving up and the
escalation to its parent.
"""
from __future__ import annotations

import html
import itertools
import random
from collections import deque

import ipywidgets as W

from ._runtime import behaviour_status, current_runtime, in_scheduler, pid_text
from ._snapshot import _is_pid, _resolve
from ._ticker import ticker_for

__all__ = ["Chaos", "chaos", "subtree_children", "VictimPicker"]


def subtree_children(runtime, root, *, include_supervisors: bool = False) -> list[tuple]:
    """Every live child under `root`, as (pid, child id), in tree order (not `root` itself).

    Reads only the supervisors' child lists, never `process_info` of the workers,
    so it stays cheap for big trees (but it is a walk of the whole tree: Chaos
    picks from a `VictimPicker`, which walks rarely).
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
            self._handler = f"beamlab.widgets.chaos.{next(_picker_ids)}"
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


class _Monkey:
    """What the monkey process and the panel share: settings in, kills out."""

    def __init__(self, root, rate, seed, include_supervisors, reason):
        self.root = root
        self.rate = rate
        self.seed = seed
        self.include_supervisors = include_supervisors
        self.reason = reason
        self.kills: list[tuple] = []        # (seconds since start, pid, child id)
        self.ended = ""                     # why the monkey stopped by itself
        self.pid = None
        self.picker: VictimPicker | None = None

    def run(self) -> None:
        """The body of the monkey process."""
        from beamlab.runtime import current_runtime, exit as exit_, receive
        rt = current_runtime()
        picker = self.picker = VictimPicker(rt, self.root, include_supervisors=self.include_supervisors,
                                            rng=random.Random(self.seed))
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


class Chaos(W.VBox):
    """Kill random processes under `root` at `rate` per second, seeded; with a stop control.

    >>> Chaos("app", rate=2, seed=42)          # press Start in the panel   # doctest: +SKIP
    >>> c = Chaos(sup, rate=50, seed=1, show_tree=False); c.start()         # doctest: +SKIP
    >>> c.stop(); len(c.kills)                                              # doctest: +SKIP

    `include_supervisors=True` may kill nested supervisors too (never `root`).
    """

    def __init__(self, root, *, rate: float = 1.0, seed: int = 0, runtime=None,
                 include_supervisors: bool = False, reason: str = "kill", show_tree: bool = True,
                 autostart: bool = False, interval: float = 0.5, **kwargs) -> None:
        self.runtime = runtime if runtime is not None else current_runtime()
        self.root = root
        self.reason = reason
        self._monkey: _Monkey | None = None
        self.toggle = W.ToggleButton(value=False, description="Start chaos", icon="bolt",
                                     button_style="danger", tooltip="start / stop killing processes")
        self.rate = W.FloatLogSlider(value=rate, base=10, min=-1, max=2, step=0.05,
                                     description="kills/s", readout_format=".2g",
                                     continuous_update=False)
        self.seed = W.IntText(value=seed, description="seed", layout=W.Layout(width="150px"))
        self.supervisors = W.Checkbox(value=include_supervisors, description="supervisors too",
                                      indent=False)
        self.status = W.HTML()
        self.tree = None
        if show_tree:
            from .tree import SupervisionTree
            self.tree = SupervisionTree(root, runtime=self.runtime)
        controls = W.HBox([self.toggle, self.rate, self.seed, self.supervisors])
        super().__init__([controls, self.status] + ([self.tree] if self.tree is not None else []),
                         **kwargs)
        self.toggle.observe(self._toggled, names="value")
        self.rate.observe(self._rate_changed, names="value")
        self._show()
        self._ticker = ticker_for(self.runtime)
        self._handle = self._ticker.subscribe(self._show, interval)
        if autostart:
            self.start()

    # ------------------------------------------------------------------ control
    @property
    def running(self) -> bool:
        m = self._monkey
        return m is not None and m.pid is not None and self.runtime.process_info(m.pid) is not None

    @property
    def kills(self) -> list[tuple]:
        """Every kill so far: (seconds since start, pid, child id)."""
        return list(self._monkey.kills) if self._monkey is not None else []

    def start(self) -> None:
        """Start killing (a new monkey, seeded with the current seed)."""
        m = self._monkey
        if m is not None and (m.pid is None or self.running) and not m.ended:
            return                          # already running, or about to

        self._monkey = _Monkey(self.root, float(self.rate.value), int(self.seed.value),
                               bool(self.supervisors.value), self.reason)
        in_scheduler(self.runtime, self._spawn, self._monkey)
        if not self.toggle.value:
            self.toggle.value = True

    def _spawn(self, monkey: _Monkey) -> None:
        monkey.pid = self.runtime.spawn(monkey.run)
        self._show()

    def stop(self) -> None:
        """Stop killing; what was killed stays killed (and restarted, by its supervisor)."""
        m = self._monkey
        if m is not None and m.pid is not None:
            in_scheduler(self.runtime, self.runtime.send, m.pid, "stop")
        if self.toggle.value:
            self.toggle.value = False
        self._show()

    def _toggled(self, change) -> None:
        if change["new"]:
            self.start()
        else:
            self.stop()

    def _rate_changed(self, change) -> None:
        m = self._monkey
        if m is not None:
            m.rate = float(change["new"])
            if m.pid is not None:
                in_scheduler(self.runtime, self.runtime.send, m.pid, "wake")

    def close(self) -> None:
        self.stop()
        self._ticker.unsubscribe(self._handle)
        if self.tree is not None:
            self.tree.close()
        super().close()

    # ------------------------------------------------------------------ display
    def summary(self) -> str:
        m = self._monkey
        if m is None:
            return f"ready: press Start to kill a random process under {self.root} at the chosen rate"
        kills = m.kills
        state = "running" if self.running else "stopped"
        text = f"{state} · seed {m.seed} · {len(kills)} kill{'s' if len(kills) != 1 else ''}"
        if kills:
            t, pid, cid = kills[-1]
            text += f" · last: {cid} {pid_text(pid)} at {t:.2f} s"
        if m.ended:
            text += f" · {m.ended}"
        return text

    def _show(self) -> None:
        m = self._monkey
        if m is not None and not self.running and self.toggle.value and m.pid is not None:
            self.toggle.value = False        # the monkey ended by itself
        self.toggle.description = "Stop chaos" if self.toggle.value else "Start chaos"
        recent = "".join(f"<li>{t:.2f} s: killed {html.escape(str(cid))} {html.escape(pid_text(pid))}</li>"
                         for t, pid, cid in (m.kills[-5:] if m is not None else []))
        body = f"<div>{html.escape(self.summary())}</div>" + (f"<ul style='margin:0'>{recent}</ul>" if recent else "")
        if body != self.status.value:
            self.status.value = body

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
        tree = self.tree.static_html() if self.tree is not None else ""
        data["text/html"] = f"<div>chaos: {html.escape(self.summary())}</div>{tree}"
        return data, meta


def chaos(root, **kwargs) -> Chaos:
    """A chaos panel for the supervision tree under `root` — see `Chaos`."""
    return Chaos(root, **kwargs)
