"""Exit signals, links and monitors, with OTP's rules.

How this works: when a process ends, `_exit_process` marks it dead, frees its
name, sends an exit signal to each linked process and a DOWN message to each
monitor. `_exit_signal` applies the receiving side's rules, exactly as OTP:

- reason "kill" sent with `exit(pid, "kill")` is untrappable: the target dies
  with "killed"; a "kill" arriving through a link is an ordinary reason;
- a process trapping exits gets `("EXIT", from, reason)` as a message instead;
- reason "normal" is ignored, except when a process sends it to itself;
- any other reason kills the target with that same reason.

A process killed while suspended is dead at once (links and monitors fire, the
name is free); its greenlet is then unwound with `ProcessExit` so its
`finally` blocks still run.
"""

from __future__ import annotations

from .errors import BadArg, NoProc, ProcessExit
from .pid import Pid, Ref
from ._process import EXITING

__all__ = ["SignalsMixin", "SYSTEM_PID", "NODE"]

SYSTEM_PID = Pid(0)   # the sender of signals that come from outside any process
NODE = "nonode@nohost"   # this node's name, as Erlang's node() before distribution starts


class SignalsMixin:
    # -- links ------------------------------------------------------------
    def link(self, proc, pid) -> bool:
        if type(pid) is not Pid:
            raise BadArg(f"link({pid!r}): link takes a pid")
        if pid == proc.pid:
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
        return True

    def unlink(self, proc, pid) -> bool:
        if type(pid) is not Pid:
            raise BadArg(f"unlink({pid!r}): unlink takes a pid")
        if proc.links:
            proc.links.discard(pid)
        other = self._table.get(pid.id)
        if other is not None and other.links:
            other.links.discard(proc.pid)
        return True

    # -- monitors ---------------------------------------------------------
    _name_monitors = None   # {Ref: (name, node)} of monitors set up by name, made on first use

    def monitor(self, proc, pid) -> Ref:
        if type(pid) is not Pid:
            return self._monitor_name(proc, pid)
        ref = Ref()
        other = self._table.get(pid.id)
        if other is None or not other.alive:
            self._deliver(proc, ("DOWN", ref, "process", pid, "noproc"))
            return ref
        if proc.monitors is None:
            proc.monitors = {}
        if other.monitored_by is None:
            other.monitored_by = {}
        proc.monitors[ref] = pid
        other.monitored_by[ref] = proc.pid
        return ref

    def _monitor_name(self, proc, target) -> Ref:
        """`monitor(name)` or `monitor((name, node))`: watch whoever has the name now.

        As in Erlang, the DOWN message names the process as `(name, node)`, not
        by its pid, and a name with nobody behind it gives `noproc` at once."""
        name = target
        if type(target) is tuple and len(target) == 2 and isinstance(target[0], str):
            name, node = target
            if node != NODE:
                raise BadArg(f"monitor({target!r}): beamlab runs one node, {NODE!r}; "
                             f"monitor a name on it as ({name!r}, {NODE!r}) or just {name!r}")
        elif not isinstance(target, str):
            raise BadArg(f"monitor({target!r}): monitor takes a pid or a registered name "
                         f"(or a (name, node) tuple)")
        item = (name, NODE)
        ref = Ref()
        pid = self._names.get(name)
        other = self._table.get(pid.id) if pid is not None else None
        if other is None or not other.alive:
            self._deliver(proc, ("DOWN", ref, "process", item, "noproc"))
            return ref
        if proc.monitors is None:
            proc.monitors = {}
        if other.monitored_by is None:
            other.monitored_by = {}
        proc.monitors[ref] = pid
        other.monitored_by[ref] = proc.pid
        if self._name_monitors is None:
            self._name_monitors = {}
        self._name_monitors[ref] = item
        return ref

    def demonitor(self, proc, ref, flush: bool = False) -> bool:
        if type(ref) is not Ref:
            raise BadArg(f"demonitor({ref!r}): demonitor takes the ref monitor() returned")
        if self._name_monitors:
            self._name_monitors.pop(ref, None)
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
        """`exit(pid, reason)`: send an exit signal (not through a link)."""
        if type(pid) is not Pid:
            raise BadArg(f"exit({pid!r}, {reason!r}): the first argument must be a pid")
        target = self._table.get(pid.id)
        if target is None or not target.alive:
            return True
        self._exit_signal(target, sender_pid, reason, via_link=False)
        return True

    def _exit_signal(self, target, from_pid, reason, via_link: bool) -> None:
        if not target.alive:
            return
        if reason == "kill" and not via_link:
            self._kill(target, "killed")
        elif target.trap_exit:
            self._deliver(target, ("EXIT", from_pid, reason))
        elif reason == "normal":
            if from_pid == target.pid and not via_link:
                self._kill(target, "normal")
        else:
            self._kill(target, reason)

    def _kill(self, target, reason) -> None:
        """Make `target` dead with `reason` now, and unwind its greenlet later.

        If the target is the running process itself, its `throw` is set and the
        API call that caused this raises it on the way out (see api.exit)."""
        if not target.alive:
            return
        self._exit_process(target, reason)
        if target.greenlet is None:
            return
        target.throw = ProcessExit(reason)
        if target is self.current:
            return
        target.status = EXITING
        target.blocked = False
        self._ready(target)

    def _exit_process(self, proc, reason) -> None:
        """Bookkeeping for a process that has just died: names, links, monitors."""
        if not proc.alive:
            return
        proc.alive = False
        proc.exit_reason = reason
        proc.status = EXITING
        self._table.pop(proc.pid.id, None)
        self._unregister_dead(proc)
        pid = proc.pid
        links = proc.links
        if links:
            proc.links = None
            for other_pid in links:
                other = self._table.get(other_pid.id)
                if other is not None:
                    if other.links:
                        other.links.discard(pid)
                    self._exit_signal(other, pid, reason, via_link=True)
        mons = proc.monitored_by
        if mons:
            proc.monitored_by = None
            names = self._name_monitors
            for ref, watcher_pid in mons.items():
                w = self._table.get(watcher_pid.id)
                if w is not None:
                    if w.monitors:
                        w.monitors.pop(ref, None)
                    # a monitor set up by name names the process as (name, node)
                    item = names.pop(ref, pid) if names else pid
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

    def process_flag(self, proc, flag: str, value):
        if flag == "trap_exit":
            old = proc.trap_exit
            proc.trap_exit = bool(value)
            return old
        raise BadArg(f"process_flag({flag!r}, ...): beamlab supports the 'trap_exit' flag")
