"""Workers and helpers shared by the OTP tests.

Children report to the test's main process, registered as "test", so a test
can see the order things happen in and the pids that were started.
"""
from __future__ import annotations

from beamlab.runtime import ANY, exit, process_flag, receive, register, self, send, spawn_link
from beamlab.runtime.otp import GenServer, Ok, Reply, Stop


def as_test():
    """Register the calling process as "test" and trap exits (so escalations arrive as messages)."""
    register("test", self())
    process_flag("trap_exit", True)


def report(*msg):
    send("test", msg)


def worker(tag, trap=False):
    """A plain process child: reports ("started", tag, pid), then obeys ("exit", reason)."""
    if trap:
        process_flag("trap_exit", True)
    report("started", tag, self())
    while True:
        msg = receive()
        if type(msg) is tuple and msg[0] == "exit":
            exit(msg[1])
        if type(msg) is tuple and msg[0] == "EXIT":
            report("ignored_shutdown", tag, msg[2])     # a stubborn child: keeps running


def start_worker(tag, trap=False):
    """A start function for child specs: a linked `worker`."""
    return spawn_link(worker, tag, trap)


def spec(tag, restart="permanent", shutdown=None, trap=False):
    s = {"id": tag, "start": (start_worker, tag, trap), "restart": restart}
    if shutdown is not None:
        s["shutdown"] = shutdown
    return s


def wait_started(tag=ANY, timeout=1.0):
    """The pid of the next child that reported starting (with `tag`)."""
    return receive(("started", tag, ANY), timeout=timeout)[2]


def started_tags(timeout=0):
    """Tags of every ("started", tag, pid) report queued now, in order."""
    tags = []
    while (m := receive(("started", ANY, ANY), timeout=timeout, default=None)) is not None:
        tags.append(m[1])
    return tags


class Reporter(GenServer):
    """A GenServer child that reports its start and, trapping exits, its terminate."""

    def init(self, tag):
        process_flag("trap_exit", True)
        report("started", tag, self())
        return Ok(tag)

    def handle_call(self, request, from_, tag):
        return Reply(tag, tag)

    def handle_cast(self, request, tag):
        if request == "crash":
            raise RuntimeError(f"{tag} crashed on purpose")
        return Stop(request, tag)

    def terminate(self, reason, tag):
        report("terminated", tag, reason)


def children_pids(sup):
    from beamlab.runtime.otp import Supervisor
    return {cid: pid for cid, pid, _t, _m in Supervisor.which_children(sup)}
