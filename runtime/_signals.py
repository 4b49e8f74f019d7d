"""Exit signals, links and monitors, with OTP's rules.

How this works: when a process ends, `_exit_process` marks it dead, frees its
name, sends an exit signal to each linked process and a DOWN message to each
monitor. `_exit_signal` applies the receiving side's rules, exactly as OTP:

- reason "kill" sent with `exit(pid, "kill")` is untrappable: the target dies
  with "killed"; a "kill" arriving through a link is an ordinary reason;
- a process trapping exits gets `("EXIT", from, reason)` as a message instead;
- reason "normal" is ignored, except when a process sends it to itself;
- any other reason kills the target with that same reason.

A process killed while suspended is dead at once (not alive, gone from
`processes()`, its name free, messages to it dropped) and its greenlet is
unwound with `ProcessExit`, first in the run queue, so its `finally` blocks
run promptly. Its links and monitors learn of its death only when that is done
(`_finish`): on the BEAM a process is gone when its EXIT and DOWN arrive, so a
supervisor restarts a child only after the old one's cleanup. A process that
catches the exit and goes on gets it again at its next runtime call that would
wait; one that keeps running after `UNWIND_LIMIT` such swallows or time slices
is abandoned: its greenlet is never resumed, a warning names it, and its
signals go then. Nothing of it runs after its DOWN.
"""

from __future__ import annotations

import collections
from _thread import get_ident as _get_ident

import greenlet

from .errors import BadArg, NoProc, ProcessExit, format_reason
from .pid import Pid, Ref
from ._process import EXITING

__all__ = ["SignalsMixin", "SYSTEM_PID", "NODE", "UNWIND_LIMIT"]

SYSTEM_PID = Pid(0)   # the sender of signals that come from outside any process
NODE = "nonode@nohost"   # this node's name, as Erlang's node() before distribution starts
# A killed process still running after it swallowed its exit this many times (or
# was preempted this many times, ~1 ms each, while unwinding) is abandoned.
UNWIND_LIMIT = 20
# Greenlets of abandoned processes, kept for the life of the program: a greenlet
# that is collected gets GreenletExit thrown in, which would run its code again.
_ABANDONED: list = []


class SignalsMixin:
    # -- links ------------------------------------------------------------
    def link(self, proc, pid) -> bool:
        if type(pid) is not Pid:
            raise BadArg(f"link({pid!r}): link takes a pid")
        if pid == proc.pid:
            return True
        if self._dist is not None and pid.node != proc.pid.node \
                and not self._dist.reach(proc.pid.node, pid.node):
            self._exit_signal(proc, pid, "noconnection", via_link=True)   # as Erlang's
            return True
        other = self._table.get(pid.id)
        if other is None or not other.alive:
            if proc.trap_exit:
                self._deliver(proc, ("EXIT", pid, "noproc"))
                return True
            raise NoProc(f"link({pid!r}): that process is not alive (noproc)")
        if proc.links is None:
            proc.links = set()
        if other.links is None:
            other.links = set()
        proc.links.add(pid)
        other.links.add(proc.pid)
        if self._recorder is not None:
            self._recorder.link(proc, pid)
        return True

    def unlink(self, proc, pid) -> bool:
        if type(pid) is not Pid:
            raise BadArg(f"unlink({pid!r}): unlink takes a pid")
        if proc.links:
            proc.links.discard(pid)
        if self._dist is not None:
            self._dist.links_in_flight.pop((proc.pid, pid), None)
        other = self._table.get(pid.id)
        if other is not None and other.links:
            other.links.discard(proc.pid)
        if self._recorder is not None:
            self._recorder.unlink(proc, pid)
        return True

    # -- monitors ---------------------------------------------------------
    _exits_pending = None   # deque of (process, reason) whose signals _exit_process will send
    _name_monitors = None   # {Ref: (name, node)} of monitors set up by name, made on first use

    def monitor(self, proc, pid) -> Ref:
        if type(pid) is not Pid:
            return self._monitor_name(proc, pid)
        ref = Ref()
        if self._dist is not None and pid.node != proc.pid.node \
                and not self._dist.reach(proc.pid.node, pid.node):
            self._deliver(proc, ("DOWN", ref, "process", pid, "noconnection"))
            return ref
        other = self._table.get(pid.id)
        if other is None or not other.alive:
            self._deliver(proc, ("DOWN", ref, "process", pid, "noproc"))
            return ref
        self._watch(proc, other, pid, ref)
        if self._recorder is not None:
            self._recorder.monitor(proc, pid, ref)
        return ref

    @staticmethod
    def _watch(proc, other, pid, ref) -> None:
        """Enter the monitor `ref` of `proc` on `other` (alive, with pid `pid`) in both tables."""
        if proc.monitors is None:
            proc.monitors = {}
        if other.monitored_by is None:
            other.monitored_by = {}
        proc.monitors[ref] = pid
        other.monitored_by[ref] = proc.pid

    def _monitor_name(self, proc, target) -> Ref:
        """`monitor(name)` or `monitor((name, node))`: watch whoever has the name now.

        As in Erlang, the DOWN message names the process as `(name, node)`, not
        by its pid, and a name with nobody behind it gives `noproc` at once."""
        name = target
        dist = self._dist
        here = NODE if dist is None else dist.name_of(proc.pid.node)
        names = self._names if dist is None else dist.nodes[proc.pid.node].names
        if type(target) is tuple and len(target) == 2 and isinstance(target[0], str):
            name, node = target
            if node != here:
                if dist is None:
                    raise BadArg(f"monitor({target!r}): beamlab runs one node, {NODE!r}, until "
                                 f"start_node starts another; monitor a name on it as "
                                 f"({name!r}, {NODE!r}) or just {name!r}")
                there = dist.find(node, f"monitor({target!r})")
                if there is None or not dist.reach(proc.pid.node, there.index):
                    ref = Ref()
                    self._deliver(proc, ("DOWN", ref, "process", target, "noconnection"))
                    return ref
                here, names = there.name, there.names
        elif not isinstance(target, str):
            raise BadArg(f"monitor({target!r}): monitor takes a pid or a registered name "
                         f"(or a (name, node) tuple)")
        item = (name, here)
        ref = Ref()
        pid = names.get(name)
        other = self._table.get(pid.id) if pid is not None else None
        if other is None or not other.alive:
            self._deliver(proc, ("DOWN", ref, "process", item, "noproc"))
            return ref
        self._watch(proc, other, pid, ref)
        if self._name_monitors is None:
            self._name_monitors = {}
        self._name_monitors[ref] = item
        if self._recorder is not None:
            self._recorder.monitor(proc, name, ref)
        return ref

    def demonitor(self, proc, ref, flush: bool = False) -> bool:
        if type(ref) is not Ref:
            raise BadArg(f"demonitor({ref!r}): demonitor takes the ref monitor() returned")
        if self._recorder is not None:
            self._recorder.demonitor(proc, ref, flush)
        if self._name_monitors:
            self._name_monitors.pop(ref, None)
        if self._dist is not None:
            self._dist.downs_in_flight.discard(ref)
        pid = proc.monitors.pop(ref, None) if proc.monitors else None
        if pid is not None:
            other = self._table.get(pid.id)
            if other is not None and other.monitored_by:
                other.monitored_by.pop(ref, None)
        if flush and proc.mailbox:
            keep = [m for m in proc.mailbox
                    if not (type(m) is tuple and len(m) == 5 and m[0] == "DOWN" and m[1] == ref)]
            proc.mailbox.clear()
            proc.mailbox.extend(keep)
        return True

    # -- exit signals -----------------------------------------------------
    def send_exit(self, sender_pid, pid, reason) -> bool:
        """`exit(pid, reason)`: send an exit signal (not through a link). From
        another OS thread it is handed to the scheduler, like `send`."""
        if type(pid) is not Pid:
            raise BadArg(f"exit({pid!r}, {reason!r}): the first argument must be a pid")
        if _get_ident() != self._thread:
            self.call_soon_threadsafe(self.send_exit, sender_pid, pid, reason)
            return True
        target = self._table.get(pid.id)
        if target is None or not target.alive:
            return True
        if self._dist is not None and pid.node != sender_pid.node and sender_pid.id:
            self._dist.exit_signal(sender_pid, target, reason)  # (not from outside processes)
            return True
        self._exit_signal(target, sender_pid, reason, via_link=False)
        return True

    def _exit_signal(self, target, from_pid, reason, via_link: bool) -> None:
        if not target.alive:
            return
        if self._recorder is not None:
            self._recorder.signal(target, from_pid, reason, via_link)
        if reason == "kill" and not via_link:
            self._kill(target, "killed")
        elif target.trap_exit:
            self._deliver(target, ("EXIT", from_pid, reason))
        elif reason == "normal":
            if from_pid == target.pid and not via_link:
                self._kill(target, "normal")
        else:
            self._kill(target, reason, now=not via_link)

    def _kill(self, target, reason, now: bool = True) -> None:
        """Make `target` dead with `reason` now; unwind its greenlet, then signal.

        A process with no greenlet (not started yet, an idle reactor, a stackless
        process parked in receive) is gone at once. One with a greenlet is dead at once, and `ProcessExit(reason)` is
        raised in it right away (`_unwind_now`: the killer waits while its
        `finally` blocks run, so `exit(pid, "kill")` returns when the EXIT and
        DOWN have gone, as before), or, when it dies through a link (`now`
        false: a chain of 10,000 linked processes must not nest 10,000
        switches) or is a reactor in the middle of a callback, first thing
        from the front of the run queue. Its links and
        monitors hear of it when it has unwound (`_finish`). If the target is
        the running process itself, its `throw` is set and the API call that
        caused this raises it on the way out (see api.exit)."""
        if not target.alive:
            return
        if target.greenlet is None:
            if target.gen is not None:
                # a stackless process parked in receive: its generator has nothing to
                # unwind (no try/with around a receive it parks in), dropped unrun; its
                # receive ends as any other does (_unpark: no timer left behind)
                target.gen = None
                target.pending = None
                self._unpark(target)
            self._exit_process(target, reason)
            return
        self._mark_dead(target, reason)
        target.unwinds = 0
        target.throw = ProcessExit(reason)
        if target is self.current:
            return
        target.blocked = False
        if target.queued:      # runnable at the back: move it to the front
            try:
                self._runq.remove(target)
            except ValueError:
                pass
            target.queued = False
        g = target.greenlet
        if now and target.reactor is None and g and not self._stopped:
            self._unwind_now(target, g)
        else:
            self._ready(target, front=True)

    def _unwind_now(self, target, g) -> None:
        """Switch into the killed `target` so it unwinds, from the killer's greenlet,
        which its greenlet returns to when done. If the unwinding is preempted,
        the target stays first in the run queue and the killer goes on when it
        has finished (or is abandoned)."""
        me = greenlet.getcurrent()
        cur = self.current
        try:
            g.parent = me
        except ValueError:      # it is an ancestor of the killer: unwind it later
            self._ready(target, front=True)
            return
        if self._driving:
            self._preemptor.arm()   # so a spinning `finally` is still bounded
        try:
            self._enter(target)
        finally:
            self.current = cur

    def _mark_dead(self, proc, reason) -> None:
        """A process has died: not alive, out of the process table, its name free."""
        proc.alive = False
        proc.exit_reason = reason
        proc.status = EXITING
        self._table.pop(proc.pid.id, None)
        self._unregister_dead(proc)

    def _exit_process(self, proc, reason) -> None:
        """A process has died and none of its code runs any more: mark it dead
        (if it is not yet), then send its exit signals and DOWN messages. For a
        killed process whose signals already went, nothing."""
        if proc.alive:
            self._mark_dead(proc, reason)
        elif proc.unwinds is None:
            return
        else:
            proc.unwinds = None
            reason = proc.exit_reason
        pending = self._exits_pending
        if pending is not None:     # inside another's exit: after it, so a chain of
            pending.append((proc, reason))      # linked processes is a loop, not a recursion
            return
        self._exits_pending = pending = collections.deque(((proc, reason),))
        try:
            while pending:
                self._exit_signals(*pending.popleft())
        finally:
            self._exits_pending = None

    def _exit_signals(self, proc, reason) -> None:
        """Send a dead process's exit signals to its links and DOWN to its monitors."""
        pid = proc.pid
        if self._recorder is not None:
            self._recorder.exited(proc, reason)
        links = proc.links
        dist = self._dist
        if links:
            proc.links = None
            for other_pid in links:
                other = self._table.get(other_pid.id)
                # only if it still links to us (it may have unlinked while we unwound)
                if other is not None and other.links and pid in other.links:
                    other.links.discard(pid)
                    if dist is not None and other_pid.node != pid.node:
                        dist.link_exit(other, pid, reason)     # across nodes, in order
                    else:
                        self._exit_signal(other, pid, reason, via_link=True)
        mons = proc.monitored_by
        if mons:
            proc.monitored_by = None
            names = self._name_monitors
            for ref, watcher_pid in mons.items():
                w = self._table.get(watcher_pid.id)
                if w is not None:
                    if not (w.monitors and w.monitors.pop(ref, None) is not None):
                        continue    # demonitored while we unwound
                    # a monitor set up by name names the process as (name, node)
                    item = names.pop(ref, pid) if names else pid
                    if dist is not None and watcher_pid.node != pid.node:
                        dist.down(w, pid.node, ref, item, reason)
                    else:
                        self._deliver(w, ("DOWN", ref, "process", item, reason))
        if proc.monitors:
            names = self._name_monitors
            for ref, other_pid in proc.monitors.items():
                if names:
                    names.pop(ref, None)
                other = self._table.get(other_pid.id)
                if other is not None and other.monitored_by:
                    other.monitored_by.pop(ref, None)
            proc.monitors = None
        self._on_exit(proc, reason)

    # -- a killed process that will not die ---------------------------------------
    def _exit_again(self, proc):
        """Raise a dead process's exit again: it called a runtime function that
        would wait (receive, sleep, call) after it was killed, so it caught the
        exit. Abandons it once it has done so `UNWIND_LIMIT` times."""
        n = proc.unwinds
        if n is not None:
            proc.unwinds = n = n + 1
            if n > UNWIND_LIMIT:
                self._abandon_unwinding(proc, "kept catching its exit")
        raise ProcessExit(proc.exit_reason)

    def _unwind_slice(self, proc) -> None:
        """The preemption tick interrupted a killed process still unwinding: it
        stays first in line (its links and monitors wait for it), for at most
        `UNWIND_LIMIT` time slices."""
        proc.unwinds += 1
        if proc.unwinds > UNWIND_LIMIT:
            self._abandon_unwinding(proc, f"was still running {UNWIND_LIMIT} time slices later")
        proc.queued = True
        self._runq.appendleft(proc)
        self._switch_away()

    def _abandon_unwinding(self, proc, why: str) -> None:
        """Give up on a killed process whose code goes on: its greenlet is never
        resumed again, and its links and monitors learn of its death now.
        Called in its own greenlet, it does not return."""
        g, proc.greenlet = proc.greenlet, None
        if g is not None and not g.dead:
            _ABANDONED.append(g)
        proc.throw = None
        proc.queued = False
        try:
            reason = format_reason(proc.exit_reason)
            proc.group_leader.write_err(
                f"=WARNING REPORT==== process {proc.pid!r} ({self.initial_call(proc)}) was told to "
                f"exit ({reason}) but {why}: its code catches BaseException (a bare `except:` or "
                f"`except BaseException:`) and goes on. It has been abandoned: none of its code "
                f"will run again, and its links and monitors now get '{reason}'. Catch Exception "
                f"instead, so that exits pass through.\n")
        except Exception:
            pass
        self._exit_process(proc, proc.exit_reason)
        proc.status = "dead"
        if g is not None and g is greenlet.getcurrent():
            self.current = None
            g.parent.switch()      # the loop, or a killer waiting in _unwind_now
            raise greenlet.GreenletExit    # never switched back to; if it were, unwind

    def process_flag(self, proc, flag: str, value):
        if flag == "trap_exit":
            old = proc.trap_exit
            proc.trap_exit = bool(value)
            return old
        raise BadArg(f"process_flag({flag!r}, ...): beamlab supports the 'trap_exit' flag")
