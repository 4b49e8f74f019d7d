"""The process record: everything the runtime knows about one process.

How this works: a `Pid` is the public handle; this record is private and lives
in the runtime's process table. A process is either a *function process* (its
greenlet runs `fn(*args)`), a *reactor* (an OTP behaviour: it borrows a greenlet
only while a callback runs, so an idle server costs a record and its state), or
an *external* process (the notebook shell: code runs as it from outside through
`Runtime.run_as`). A function process whose receives sit in its own body runs
*stackless* (`gen`): as a generator, holding a greenlet only while it runs, like a
reactor (see _receive.py). Fields are slots; the mailbox and the link/monitor tables are
made on first use so an idle process stays small.
"""

from __future__ import annotations

__all__ = ["Process", "RUNNABLE", "RUNNING", "WAITING", "EXITING"]

RUNNABLE = "runnable"   # in the run queue
RUNNING = "running"     # the one process executing now
WAITING = "waiting"     # blocked in receive, or an idle reactor / shell
EXITING = "exiting"     # dead; its greenlet is unwinding `finally` blocks (links and
                        # monitors learn of its death when that is done)


class Process:
    __slots__ = (
        "pid",          # Pid: the public handle
        "fn",           # callable run by a function process (None for reactors/external)
        "args",         # positional args for fn
        "kwargs",       # keyword args for fn (None when empty)
        "reactor",      # behaviour object with start()/handle(msg), or None
        "external",     # True for a process driven from outside (the shell)
        "greenlet",     # the greenlet running it now, or None (not started / idle reactor)
        "context",      # contextvars.Context the greenlet runs in (a copy of the spawner's)
        "mailbox",      # deque of messages, or None while empty-and-never-used
        "matcher",      # predicate of the blocked receive (None: any message)
        "blocked",      # True while waiting for a message that would wake it
        "queued",       # True while in the run queue
        "status",       # RUNNABLE | RUNNING | WAITING | EXITING
        "alive",        # False once dead (exit signals, names, links all done)
                        # (compiled, a C field `home` follows it: see _process.pxd)
        "exit_reason",  # why it died
        "throw",        # exception to raise in its greenlet when next switched in
        "wake",         # what woke a receive without a message to scan for (see _receive._wait)
        "timer",        # the Timer its waiting receive's timeout became, or None
        "wait_token",   # identifies the current receive, so a stale timer is ignored
        "links",        # set of Pid, or None
        "monitors",     # {Ref: Pid} monitors this process holds on others, or None
        "monitored_by", # {Ref: Pid} watchers of this process, or None
        "trap_exit",    # process_flag(trap_exit)
        "name",         # registered name or None
        "group_leader", # GroupLeader that print() goes to
        "reductions",   # work done: 1 per runtime call + 1 per µs of sampled CPU time
        "parent",       # Pid of the spawner (None for root processes)
        "started",      # reactor: start() has run
        "label",        # a short label for humans (shell, cell 3, ...)
        "dictionary",   # process dictionary (dict) or None
        "preempted",    # the frame the preemption tick interrupted while switched out, or None
        "traced",       # messages to/from it go to the runtime's traced-only send tracers
        "unwinds",      # killed, greenlet still unwinding: how often it swallowed the exit or
                        # was preempted since (None otherwise; its signals wait, see _signals)
        "gen",          # a stackless process's generator (see _receive, "Stackless"), or None
        "pending",      # a parked stackless process's receive: None for a plain receive(),
                        # else (scanned, timeout, default); the matcher is in `matcher`
    )

    def __init__(self, pid, fn, args, kwargs, group_leader, parent):
        self.pid = pid
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.reactor = None
        self.external = False
        self.greenlet = None
        self.context = None
        self.mailbox = None
        self.matcher = None
        self.blocked = False
        self.queued = False
        self.status = RUNNABLE
        self.alive = True
        self.exit_reason = None
        self.throw = None
        self.wake = None
        self.timer = None
        self.wait_token = 0
        self.links = None
        self.monitors = None
        self.monitored_by = None
        self.trap_exit = False
        self.name = None
        self.group_leader = group_leader
        self.reductions = 0
        self.parent = parent
        self.started = False
        self.label = None
        self.dictionary = None
        self.preempted = None
        self.traced = False
        self.unwinds = None
        self.gen = None
        self.pending = None

    def __repr__(self):
        return f"<process {self.pid!r} {self.status}{' ' + self.name if self.name else ''}>"


# Last: this module's compiled twin, when one was built, replaces it (see _accel.py).
from ._accel import swap as _swap  # noqa: E402
_swap(__name__)
