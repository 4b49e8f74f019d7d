"""Chaos: kill random processes in a supervision subtree, at a rate, seeded and reproducible.

How this works: `Chaos(root)` is a small control panel (start/stop, rate,
seed) above the live supervision tree of `root`. Starting it spawns a "chaos
monkey" process inside the runtime (runtime/chaos.py, which the panel only
starts, stops and observes). The monkey waits `1/rate` seconds in
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

import ipywidgets as W

from beamlab.runtime.chaos import ChaosMonkey, VictimPicker, subtree_children

from ._runtime import current_runtime, in_scheduler, pid_text
from ._ticker import ticker_for

__all__ = ["Chaos", "chaos", "subtree_children", "VictimPicker"]


# The monkey and its victim picking are the runtime's (runtime/chaos.py): the same
# seeded core runs in scripts and deterministic runs; this panel starts, stops and shows it.
_Monkey = ChaosMonkey


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
