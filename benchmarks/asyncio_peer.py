"""Peer: asyncio tasks with an asyncio.Queue each as the mailbox.

How this works: the "asyncio tasks + asyncio.Queue" row of DESIGN.md's runtime
table. A process is a task plus its queue; `spawn` creates both (the task is
kept in a list, since the event loop holds tasks only weakly); `send` is
`put_nowait`, `receive` is `await get()`. Same workload shapes as the other
subjects, each run in a fresh event loop that is then dropped without
cancelling the idle tasks (cancelling 100k tasks takes longer than spawning them,
and the worker process exits right after anyway).

    >>> ring(n=10, rounds=2)["us_per_hop"] > 0
    True
"""
from __future__ import annotations

import asyncio
import time

from benchmarks.common import settled_rss


def _run(coro):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        asyncio.set_event_loop(None)


async def _idle(inbox: asyncio.Queue):
    await inbox.get()


async def _last(parent: asyncio.Queue):
    parent.put_nowait("done")


async def _forward(inbox: asyncio.Queue, nxt: asyncio.Queue):
    while True:
        nxt.put_nowait(await inbox.get())


async def _echo(inbox: asyncio.Queue):
    while True:
        frm, msg = await inbox.get()
        frm.put_nowait(msg)


def _spawn_idle(n: int, keep: list):
    for _ in range(n):
        inbox = asyncio.Queue()
        keep.append((asyncio.ensure_future(_idle(inbox)), inbox))


def spawn_rate(n: int) -> dict:
    async def main():
        me, keep = asyncio.Queue(), []
        t0 = time.perf_counter()
        _spawn_idle(n, keep)
        t1 = time.perf_counter()
        keep.append(asyncio.ensure_future(_last(me)))
        await me.get()
        return {"us_per_spawn": (time.perf_counter() - t0) / n * 1e6,
                "us_spawn_call": (t1 - t0) / n * 1e6}
    return _run(main())


def memory(n: int) -> dict:
    async def main():
        me, keep = asyncio.Queue(), []
        before = settled_rss()
        _spawn_idle(n, keep)
        keep.append(asyncio.ensure_future(_last(me)))
        await me.get()
        return {"bytes_per_process": (settled_rss() - before) / n, "n": n}
    return _run(main())


def ring(n: int, rounds: int) -> dict:
    async def main():
        me, keep = asyncio.Queue(), []
        first = me
        for _ in range(n - 1):
            inbox = asyncio.Queue()
            keep.append(asyncio.ensure_future(_forward(inbox, first)))
            first = inbox
        first.put_nowait("token")       # warm-up round: every node has run once
        await me.get()
        t0 = time.perf_counter()
        for _ in range(rounds):
            first.put_nowait("token")
            await me.get()
        elapsed = time.perf_counter() - t0
        for task in keep:
            task.cancel()
        return {"us_per_hop": elapsed / (n * rounds) * 1e6}
    return _run(main())


def pingpong(n: int) -> dict:
    async def main():
        me, inbox = asyncio.Queue(), asyncio.Queue()
        task = asyncio.ensure_future(_echo(inbox))
        t0 = time.perf_counter()
        for i in range(n):
            inbox.put_nowait((me, i))
            await me.get()
        elapsed = time.perf_counter() - t0
        task.cancel()
        return {"us_per_round_trip": elapsed / n * 1e6}
    return _run(main())


async def _notify(parent: asyncio.Queue):
    parent.put_nowait("exited")


def spawn_exit(n: int) -> dict:
    async def main():
        me = asyncio.Queue()
        t0 = time.perf_counter()
        for _ in range(n):
            asyncio.ensure_future(_notify(me))    # done before it is collected
        for _ in range(n):
            await me.get()
        return {"us_per_spawn_exit": (time.perf_counter() - t0) / n * 1e6}
    return _run(main())


# A gen_server's shape: a call puts (request, future) in the server's queue and
# awaits the future; a cast puts a message the server counts.

async def _server(inbox: asyncio.Queue):
    count = 0
    while True:
        request, reply = await inbox.get()
        if reply is None:
            count += 1
        else:
            reply.set_result(count if request == "count" else request[1])


async def _call(inbox: asyncio.Queue, request):
    reply = asyncio.get_running_loop().create_future()
    inbox.put_nowait((request, reply))
    return await reply


def call(n: int) -> dict:
    async def main():
        inbox = asyncio.Queue()
        task = asyncio.ensure_future(_server(inbox))
        t0 = time.perf_counter()
        for i in range(n):
            await _call(inbox, ("echo", i))
        elapsed = time.perf_counter() - t0
        task.cancel()
        return {"us_per_call": elapsed / n * 1e6}
    return _run(main())


def cast(n: int) -> dict:
    async def main():
        inbox = asyncio.Queue()
        task = asyncio.ensure_future(_server(inbox))
        t0 = time.perf_counter()
        for _ in range(n):
            inbox.put_nowait(("bump", None))
        handled = await _call(inbox, "count")
        elapsed = time.perf_counter() - t0
        task.cancel()
        assert handled == n, f"{handled} of {n} casts handled"
        return {"msgs_per_s": n / elapsed}
    return _run(main())


WORKLOADS = {"spawn": spawn_rate, "memory": memory, "ring": ring, "pingpong": pingpong,
             "spawn_exit": spawn_exit, "call": call, "cast": cast}
