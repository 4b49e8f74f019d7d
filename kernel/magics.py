"""Magics for the lab: %observer, %tree, %crash, %%keep and %%beamlab_run.

How this works: magics run inside the cell, so as the shell process. Each of
%observer and %tree asks `beamlab.widgets` for a live widget (`observer()`,
`supervision_tree(pid)`) and falls back to a text picture when the widgets
are not there (a plain console, or a widget that failed to import). %crash
sends an exit signal, then waits a moment for the DOWN message to say what
happened. `%%keep` is handled by the kernel before the cell runs (it keeps
the processes of the cell's previous run); the magic here only runs the body
when `%%keep` is used somewhere else. `%%beamlab_run --seed 42` runs the cell as
the main process of a deterministic run (runtime/deterministic.py) in a runtime of
its own, and leaves its recording in the namespace for replay and fork.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import itertools
import linecache
import shlex

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_cell_magic, line_magic, magics_class

from beamlab.runtime import (ANY, Pid, current_runtime, demonitor, exit, format_reason, monitor,
                             receive, self as self_pid)

__all__ = ["BeamMagics", "resolve_process", "text_observer", "text_tree", "run_parser"]


def _widget(name: str):
    """A callable from beamlab.widgets, or None to fall back to text."""
    try:
        return getattr(importlib.import_module("beamlab.widgets"), name, None)
    except Exception:
        return None


def resolve_process(target: str, user_ns: dict | None = None) -> Pid:
    """A pid from what a learner types: "<0.42.0>", "0.42.0", a registered name, or a variable.

        >>> resolve_process("<0.42.0>")
        <0.42.0>
    """
    target = target.strip()
    if not target:
        raise ValueError("name a process: a pid like <0.42.0>, a registered name, or a variable")
    rt = current_runtime()
    try:
        return Pid.parse(target)
    except ValueError:
        pass
    name = target.strip("'\"")
    found = rt.whereis(name)
    if found is not None:
        return found
    value = (user_ns or {}).get(target)
    if isinstance(value, Pid):
        return value
    if isinstance(value, str) and rt.whereis(value) is not None:
        return rt.whereis(value)
    raise ValueError(f"no process called {target!r}: give a pid like <0.42.0>, a registered "
                     f"name (registered names now: {', '.join(sorted(rt.registered())) or 'none'}), "
                     f"or a variable holding a pid")


def _process_or_usage(target: str, user_ns: dict | None) -> Pid:
    """resolve_process for a magic: a mistake is a one-line UsageError, not a traceback
    through beamlab's own code."""
    try:
        return resolve_process(target, user_ns)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _parse_reason(text: str):
    text = text.strip()
    if not text:
        return "kill"
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _describe(info: dict) -> str:
    name = info.get("registered_name") or info.get("label") or info.get("initial_call") or ""
    return f"{info['pid']!r} {name}".rstrip()


def text_observer(rt=None, limit: int = 40) -> str:
    """The process table as text, busiest first (what %observer shows without widgets)."""
    rt = rt or current_runtime()
    infos = [i for i in (rt.process_info(p) for p in rt.processes()) if i is not None]
    infos.sort(key=lambda i: i["reductions"], reverse=True)
    stats = rt.stats()
    lines = [f"{stats['processes']} processes, run queue {stats['run_queue']}, "
             f"{stats['reductions']} reductions, {stats['messages_sent']} messages sent",
             f"{'PID':<12} {'NAME / INITIAL CALL':<34} {'STATUS':<9} {'REDS':>9} {'MSGS':>5} "
             f"{'MEMORY':>8}  CURRENT FUNCTION"]
    for i in infos[:limit]:
        name = i.get("registered_name") or i.get("label") or i["initial_call"]
        lines.append(f"{i['pid']!r:<12} {str(name)[:34]:<34} {i['status']:<9} {i['reductions']:>9} "
                     f"{i['message_queue_len']:>5} {i['memory']:>8}  {str(i['current_function'])[:40]}")
    if len(infos) > limit:
        lines.append(f"... and {len(infos) - limit} more")
    return "\n".join(lines)


def text_tree(root: Pid, rt=None) -> str:
    """A supervision tree as indented text (what %tree shows without widgets)."""
    rt = rt or current_runtime()
    infos = {i["pid"]: i for i in (rt.process_info(p) for p in rt.processes()) if i is not None}
    lines: list[str] = []

    def children(pid):   # what it spawned and is still alive: a supervisor's children
        return sorted(p for p, i in infos.items() if i.get("parent") == pid)

    def field(state, name):
        return state.get(name) if isinstance(state, dict) else getattr(state, name, None)

    def label(pid):
        i = infos[pid]
        parts = [_describe(i)]
        if i.get("behaviour"):
            parts.append(str(i["behaviour"]))
        state = i.get("state")
        strategy = field(state, "strategy") if state is not None else None
        if isinstance(strategy, str):
            used = len(field(state, "restarts") or ())
            parts.append(f"{strategy}, restarts {used}/{field(state, 'intensity')} "
                         f"in {field(state, 'period')}s")
        parts.append(i["status"])
        return "  ".join(parts)

    def walk(pid, prefix, last, depth):
        branch = "" if depth == 0 else ("└── " if last else "├── ")
        lines.append(prefix + branch + label(pid))
        kids = children(pid) if depth < 20 else []
        ext = "" if depth == 0 else ("    " if last else "│   ")
        for n, kid in enumerate(kids):
            walk(kid, prefix + ext, n == len(kids) - 1, depth + 1)

    if root not in infos:
        return f"{root!r} is not alive"
    walk(root, "", True, 0)
    return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"%%beamlab_run: {message}\n{self.format_usage()}")


def run_parser() -> argparse.ArgumentParser:
    """The options of %%beamlab_run."""
    p = _Parser(prog="%%beamlab_run", add_help=False,
                description="Run the cell deterministically: the same seed, the same events.")
    p.add_argument("--seed", type=int, help="the run's seed (an int)")
    p.add_argument("--out", default="last_run", help="the name to leave the recording under")
    p.add_argument("--replay", metavar="NAME", help="run that recording again (the cell is not run)")
    p.add_argument("--fork", metavar="NAME",
                   help="run that recording to event --at, then on under --seed")
    p.add_argument("--at", type=int, help="with --fork: the seq of the event to fork at")
    p.add_argument("--slice", type=int, default=None, help="reductions a time slice has (4000)")
    p.add_argument("--tree", metavar="ROOT",
                   help="then show the supervision tree of ROOT (a variable holding its pid, or "
                        "a pid) with the run on its timeline, from the first event: press play "
                        "(left as OUT_tree, e.g. last_run_tree)")
    return p


_cells = itertools.count(1)


def _describe_run(recording, out: str) -> str:
    spec = recording.run
    t = recording.raw[-1][1] if recording.raw else 0.0
    seeds = ", then ".join(f"seed {s}" + (f" after event {at}" if at else "") for at, s in spec.seeds)
    return (f"deterministic run ({seeds}): {len(recording):,} events over {t:.3f} virtual s. "
            f"Its recording is `{out}`: replay({out}), fork({out}, at=SEQ, seed=N), "
            f"{out}.state_at(SEQ), beamlab.widgets.export_html({out}, 'run.html')")


def _replay_tree(root: str, recording, ns: dict):
    """The supervision tree of `root` in a finished deterministic run, its timeline at the
    first event: its play button shows the run again (a text tree without widgets)."""
    value = ns.get(root, root)
    try:
        pid = value if isinstance(value, Pid) else Pid.parse(str(value))
    except ValueError:
        raise UsageError(f"%%beamlab_run --tree {root}: give a variable holding the supervisor's "
                         f"pid (sup = Supervisor.start_link(...) in the cell: --tree sup), or a pid "
                         f"like <0.5.0>") from None
    view = _widget("supervision_tree")
    if view is None:
        print(f"(no widgets here: the run's recording `{recording!r}` can be scrubbed with "
              f".state_at(seq))")
        return None
    tree = view(pid, runtime=recording.runtime)
    if len(recording):
        tree.scrub(recording.first_seq)
    return tree


@magics_class
class BeamMagics(Magics):
    """%observer, %tree, %crash, %%keep and %%beamlab_run (see the module docstring)."""

    @line_magic
    def observer(self, line: str = ""):
        """Show the observer: every process, live (text when widgets are unavailable).

            %observer
        """
        view = _widget("observer")
        if view is not None:
            return view()
        print(text_observer())

    @line_magic
    def tree(self, line: str):
        """Show the supervision tree of a supervisor, by pid, registered name or variable.

            %tree my_sup
            %tree <0.80.0>
        """
        root = _process_or_usage(line, self.shell.user_ns)
        view = _widget("supervision_tree")
        if view is not None:
            return view(root)
        print(text_tree(root))

    @line_magic
    def crash(self, line: str):
        """Send a process an exit signal, like a fault would: `%crash <pid or name> [reason]`.

        The reason defaults to "kill" (untrappable: the process dies with "killed");
        any other reason is a Python literal or a word, e.g. `%crash worker "boom"`.

            %crash worker
            %crash <0.81.0> ('shutdown', 'maintenance')
        """
        target, _, rest = line.strip().partition(" ")
        pid = _process_or_usage(target, self.shell.user_ns)
        reason = _parse_reason(rest)
        ref = monitor(pid)
        exit(pid, reason)
        down = receive(("DOWN", ref, "process", pid, ANY), timeout=1.0, default=None)
        if down is not None:
            print(f"{pid!r} exited: {format_reason(down[4])}")
        else:
            demonitor(ref, flush=True)
            print(f"{pid!r} is still alive: it traps exits, so the signal arrived as the message "
                  f"('EXIT', {self_pid()!r}, {reason!r}). Use reason kill to stop it anyway.")

    @cell_magic
    def keep(self, line: str, cell: str):
        """Run the cell and keep the processes its previous run started (no re-run cleanup).

        Normally re-running a cell first stops what its previous run started,
        so "start my supervisor" can be re-run without `already_started`.

            %%keep
            spawn(worker)
        """
        result = self.shell.run_cell(cell, store_history=False)
        return None if result.success else result.raise_error()

    @line_cell_magic
    def beamlab_run(self, line: str, cell: str | None = None):
        """Run the cell as the main process of a deterministic run: a virtual clock,
        processes switched by counted work, every choice from the seed, so the same
        cell and seed give the same events (docs/time-travel.md).

            %%beamlab_run --seed 42
            sup = Supervisor.start_link(children)
            chaos_monkey(sup, rate=20)
            sleep(2)

        The recording is left as `last_run` (`--out NAME`); `--tree sup` then shows the
        supervision tree of `sup` with the run on its timeline (press play to see it
        again), left as `last_run_tree`. As a line magic,
        `%beamlab_run --replay NAME` runs a recording again and
        `%beamlab_run --fork NAME --at SEQ --seed N` runs it to event SEQ, then on
        under seed N. The kernel's own processes wait while it runs."""
        from beamlab.runtime import Recorder
        from beamlab.runtime.deterministic import DeterministicRun, fork, replay, run
        try:
            args = run_parser().parse_args(shlex.split(line))
        except ValueError as exc:       # shlex: an unclosed quote
            raise UsageError(f"%%beamlab_run: {exc}") from None
        if args.slice is not None and args.slice < 1:
            raise UsageError("%%beamlab_run --slice N: give a number of reductions >= 1 (4000)")
        ns = self.shell.user_ns
        rec = Recorder()
        try:
            if args.replay or args.fork:
                name = args.replay or args.fork
                if not isinstance(getattr(ns.get(name), "run", None), DeterministicRun):
                    raise UsageError(
                        f"%%beamlab_run: {name!r} is not the recording of a deterministic run; a "
                        f"%%beamlab_run --seed N cell leaves one as last_run (or --out NAME)")
                if args.fork and (args.at is None or args.at < 0 or args.seed is None):
                    raise UsageError("%%beamlab_run --fork NAME needs --at SEQ and --seed N: "
                                     "the event to fork at (>= 0) and the seed to go on with")
                if cell is not None and cell.strip():
                    print("(--replay/--fork run the recorded code; this cell's code is not run)")
                if args.replay:
                    replay(ns[name], record=rec)
                else:
                    fork(ns[name], at=args.at, seed=args.seed, record=rec)
            else:
                if args.seed is None:
                    raise UsageError("%%beamlab_run needs a seed: %%beamlab_run --seed 42")
                if cell is None:
                    raise UsageError("%beamlab_run --seed N runs a cell: write %%beamlab_run --seed N "
                                     "on the cell's first line (the line magic takes --replay "
                                     "NAME, or --fork NAME --at SEQ --seed N)")
                filename = f"<beamlab_run cell {next(_cells)}>"
                linecache.cache[filename] = (len(cell), None, cell.splitlines(True), filename)
                code = compile(cell, filename, "exec")

                def main():
                    exec(code, ns)
                main.__qualname__ = main.__name__ = "cell"
                options = {} if args.slice is None else {"slice": args.slice}
                run(main, seed=args.seed, record=rec, **options)
        finally:
            if rec.run is not None:      # it ran, even if the cell raised: keep what it did
                recording = ns[args.out] = rec.recording()
                recording.runtime = rec.rt      # stopped; a widget's timeline reads its recorder
        print(_describe_run(recording, args.out))
        if args.tree:
            tree = ns[f"{args.out}_tree"] = _replay_tree(args.tree, recording, ns)
            return tree
