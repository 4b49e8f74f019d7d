"""Peer: the smallest greenlet scheduler that has processes and mailboxes.

How this works: this is the "greenlet + minimal scheduler" row of DESIGN.md's
runtime table, the floor any greenlet runtime pays. A process is a greenlet
whose parent is the scheduler loop (the main greenlet), plus a deque mailbox.
`spawn` appends the new process to a FIFO run queue; `send` appends to the
mailbox and, if the receiver waits, queues it; `receive` switches back to the
scheduler until a message is there. No links, monitors, selective receive,
copying, timers or preemption: everything beamlab adds costs time above this.

    >>> run(lambda: send(self(), "hi") and receive())
    'hi'
"""
from __future__ import annotations

import time
from collections import deque

from greenlet import greenlet, getcurrent

from benchmarks.common import settled_rss


class Proc:
    __slots__ = ("glet", "mailbox", "waiting")

    def __init__(self, fn, args):
        self.glet = greenlet(lambda: fn(*args), parent=_hub)
        self.mailbox: deque = deque()
        self.waiting = False


_hub = getcurrent()
_runq: deque[Proc] = deque()
_current: Proc | None = None


def spawn(fn, *args) -> Proc:
    proc = Proc(fn, args)
    _runq.append(proc)
    return proc


def self() -> Proc:
    return _current


def send(proc: Proc, msg):
    proc.mailbox.append(msg)
    if proc.waiting:
        proc.waiting = False
        _runq.append(proc)
    return msg


def receive():
    proc = _current
    while not proc.mailbox:
        proc.waiting = True
        _hub.switch()
    return proc.mailbox.popleft()


def run(main, *args):
    """Run `main` as a process until it returns; return its result."""
    global _current
    result = []
    spawn(lambda: result.append(main(*args)))
    while _runq and not result:
        proc = _runq.popleft()
        _current = proc
        proc.glet.switch()
    _current = None
    return result[0]


# ---- workloads (same shapes as benchmarks/beamlab_workloads.py) -------------

def _idle():
    receive()


def _last(parent):
    send(parent, "done")


def _forward(nxt):
    while True:
        send(nxt, receive())


def _echo():
    while True:
        frm, msg = receive()
        send(frm, msg)


def spawn_rate(n: int) -> dict:
    def main():
        me = self()
        t0 = time.perf_counter()
        for _ in range(n):
            spawn(_idle)
        t1 = time.perf_counter()
        spawn(_last, me)
        receive()
        return {"us_per_spawn": (time.perf_counter() - t0) / n * 1e6,
                "us_spawn_call": (t1 - t0) / n * 1e6}
    return run(main)


def memory(n: int) -> dict:
    def main():
        me = self()
        before = settled_rss()
        for _ in range(n):
            spawn(_idle)
        spawn(_last, me)
        receive()
        return {"bytes_per_process": (settled_rss() - before) / n, "n": n}
    return run(main)


def ring(n: int, rounds: int) -> dict:
    def main():
        first = self()
        for _ in range(n - 1):
            first = spawn(_forward, first)
        send(first, "token")            # warm-up round: every node has run once
        receive()
        t0 = time.perf_counter()
        for _ in range(rounds):
            send(first, "token")
            receive()
        return {"us_per_hop": (time.perf_counter() - t0) / (n * rounds) * 1e6}
    return run(main)


def pingpong(n: int) -> dict:
    def main():
        echo, me = spawn(_echo), self()
        t0 = time.perf_counter()
        for i in range(n):
            send(echo, (me, i))
            receive()
        return {"us_per_round_trip": (time.perf_counter() - t0) / n * 1e6}
    return run(main)


def _notify(parent):
    send(parent, "exited")


def spawn_exit(n: int) -> dict:
    def main():
        me = self()
        t0 = time.perf_counter()
        for _ in range(n):
            spawn(_notify, me)
        for _ in range(n):
            receive()
        return {"us_per_spawn_exit": (time.perf_counter() - t0) / n * 1e6}
    return run(main)


# A gen_server's shape with none of its guarantees: a call is a tagged request
# and a reply carrying the tag (no monitor, no timeout, no selective receive:
# nothing else arrives meanwhile); a cast is a message the server counts.

def _server():
    count = 0
    while True:
        msg = receive()
        if msg[0] == "cast":
            count += 1
        else:
            _, frm, tag, request = msg
            send(frm, (tag, count if request == "count" else request[1]))


def _call(server, request):
    tag = object()
    send(server, ("call", self(), tag, request))
    reply = receive()
    assert reply[0] is tag
    return reply[1]


def call(n: int) -> dict:
    def main():
        server = spawn(_server)
        t0 = time.perf_counter()
        for i in range(n):
            _call(server, ("echo", i))
        return {"us_per_call": (time.perf_counter() - t0) / n * 1e6}
    return run(main)


def cast(n: int) -> dict:
    def main():
        server = spawn(_server)
        t0 = time.perf_counter()
        for _ in range(n):
            send(server, ("cast", "bump"))
        handled = _call(server, "count")
        elapsed = time.perf_counter() - t0
        assert handled == n, f"{handled} of {n} casts handled"
        return {"msgs_per_s": n / elapsed}
    return run(main)


WORKLOADS = {"spawn": spawn_rate, "memory": memory, "ring": ring, "pingpong": pingpong,
             "spawn_exit": spawn_exit, "call": call, "cast": cast}
