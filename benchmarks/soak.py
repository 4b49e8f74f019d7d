"""The soak (`make soak`): 100,000 GenServers under 100 supervisors, with chaos, for 10 minutes.

How this works: one `beamlab.run` builds a root supervisor of `supervisors`
supervisors of `servers / supervisors` GenServers each, takes a census
(processes, timers, greenlets, RSS), then for `seconds` runs beside them:

- chaos: kills `kills` random servers a second (seeded; a victim is a random
  pid number looked up in the process table, retried if it is not a started
  server: O(1) per kill, whatever the tree's size);
- a producer and a consumer: numbered messages with a window of acks; the
  consumer counts what came twice, out of order, or never;
- a pinger: up to `calls` GenServer.call's a second to random servers;
- a heartbeat: wakes every 100 ms and records how late it woke.

Meanwhile it times every garbage collection (`gc.callbacks`, wall and CPU
time) and the longest gap between two services of the scheduler (the longest
moment nothing could be switched: a collection, a long C call, the OS). Then it
stops the load, waits for the supervisors to restart what was killed, checks
that every supervisor has all its children and none escalated, and takes the
census again. It prints its figures and a `BENCH soak ...` line, and exits 1 if
a message was lost, duplicated or reordered, a process, timer or greenlet
leaked, or a kill was not healed. Timing figures are reported, not asserted
(they depend on the machine's load, printed beside them).

    SOAK_SECONDS=600 SOAK_SERVERS=100000 SOAK_SUPERVISORS=100 SOAK_KILLS=50 \\
    SOAK_CALLS=1000 SOAK_SEED=1 python -m benchmarks.soak     # or flags: --seconds 60 ...
    python -m benchmarks.soak --gc_policy 0      # the same without runtime/_gc.py's freezing
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time

import greenlet

import beamlab
from beamlab.runtime import (ANY, current_runtime, exit as exit_signal, process_flag, receive,
                             send, spawn_link, telemetry)
from beamlab.runtime import self as self_pid
from beamlab.runtime.otp import CallExit, GenServer, Ok, Reply, Supervisor

try:
    from benchmarks.common import format_line, percentile, rss_bytes
except ImportError:      # run as a file: python benchmarks/soak.py
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from benchmarks.common import format_line, percentile, rss_bytes

DEFAULTS = {"seconds": 600.0, "servers": 100_000, "supervisors": 100, "kills": 50.0,
            "calls": 1000.0, "seed": 1, "heartbeat": 0.1, "window": 2000, "gc_policy": 1}
STARTS = [0]      # Worker.init calls (the benchmark's own counter, read by main)


def say(text: str) -> None:
    """Print at once (inside a process print goes to its group leader's buffer)."""
    os.write(1, (text + "\n").encode())


class Worker(GenServer):
    """One of the many servers: answers ("ping") with its place in the tree."""

    def init(self, arg):
        STARTS[0] += 1
        return Ok(arg)

    def handle_call(self, request, from_, state):
        return Reply(state, state)


def _is_worker(proc) -> bool:
    return proc is not None and proc.alive and proc.started and \
        type(getattr(proc.reactor, "mod", None)) is Worker


def _random_worker(rt, rng, lo: int):
    """A random live, started server in O(1) expected: pick a pid number, look it up."""
    table = rt._table
    for probes in range(1, 1001):
        proc = table.get(rng.randrange(lo, rt._next_id))
        if _is_worker(proc):
            return proc, probes
    return None, 1000


# ======================================================================
# The load
# ======================================================================

def chaos(rate: float, seed: int, lo: int) -> None:
    rng = random.Random(seed)
    rt = current_runtime()
    kills = probes = 0
    t0 = time.monotonic()
    while True:
        msg = receive(("stop", ANY), timeout=0.02, default=None)
        if msg is not None:
            send(msg[1], ("chaos", kills, probes))
            return
        due = int((time.monotonic() - t0) * rate)
        while kills < due:
            proc, n = _random_worker(rt, rng, lo)
            probes += n
            if proc is None:
                break
            exit_signal(proc.pid, "kill")
            kills += 1


def pinger(rate: float, seed: int, lo: int) -> None:
    rng = random.Random(seed + 1)
    rt = current_runtime()
    ok = failed = 0
    batch = max(1, round(rate * 0.01))
    while True:
        # `batch` calls every 10 ms at most; a call slowed by the load is not made up for
        msg = receive(("stop", ANY), timeout=0.01, default=None)
        if msg is not None:
            send(msg[1], ("pinger", ok, failed))
            return
        for _ in range(batch if rate else 0):
            proc, _ = _random_worker(rt, rng, lo)
            if proc is None:
                continue
            try:
                GenServer.call(proc.pid, "ping", 1.0)
                ok += 1
            except CallExit:       # killed by chaos before it answered: noproc / killed
                failed += 1


def producer(consumer, window: int) -> None:
    seq = 0          # next number to send
    acked = -1       # highest number the consumer has confirmed
    while True:
        while seq - acked <= window:
            send(consumer, ("m", seq))
            seq += 1
        msg = receive()
        if msg[0] == "ack":
            acked = max(acked, msg[1])
        elif msg[0] == "stop":
            send(consumer, ("done", seq - 1, msg[1]))
            send(msg[1], ("producer", seq))
            return


def consumer(ack_every: int) -> None:
    prod = receive(("producer", ANY))[1]
    expected = received = duplicated = out_of_order = 0
    missing: set = set()
    while True:
        msg = receive()
        if msg[0] == "m":
            seq = msg[1]
            received += 1
            if seq == expected:
                expected += 1
            elif seq > expected:
                missing.update(range(expected, seq))
                expected = seq + 1
            elif seq in missing:
                missing.discard(seq)
                out_of_order += 1
            else:
                duplicated += 1
            if received % ack_every == 0:
                send(prod, ("ack", expected - 1))
        elif msg[0] == "done":
            lost = len(missing) + max(0, msg[1] + 1 - expected)
            send(msg[2], ("consumer", received, lost, duplicated, out_of_order))
            return


def heartbeat(period: float) -> None:
    late = []
    nxt = time.monotonic() + period
    while True:
        msg = receive(("stop", ANY), timeout=max(0.0, nxt - time.monotonic()), default=None)
        if msg is not None:
            send(msg[1], ("heartbeat", late))
            return
        now = time.monotonic()
        late.append(now - nxt)
        nxt += period
        if nxt < now:            # a beat was missed altogether: its lateness is recorded once
            nxt = now + period


# ======================================================================
# Watching from outside: collections and scheduler pauses
# ======================================================================

class GcWatch:
    """Times every collection, wall and CPU (a collection's wall time beyond its CPU
    time is the OS running other work)."""

    def __init__(self):
        self.count = [0, 0, 0]
        self.longest = (0.0, 0.0, None)          # (wall, cpu, generation)
        self.by_generation = [(0.0, 0.0)] * 3    # the longest (wall, cpu) of each generation
        self.over_100ms = 0
        self._t = None

    def __call__(self, phase, info):
        if phase == "start":
            self._t = (time.perf_counter(), time.thread_time())
            return
        if self._t is None:
            return
        wall = time.perf_counter() - self._t[0]
        cpu = time.thread_time() - self._t[1]
        self._t = None
        gen = info.get("generation", 2)
        self.count[gen] += 1
        if wall > 0.1:
            self.over_100ms += 1
        if wall > self.longest[0]:
            self.longest = (wall, cpu, gen)
        if wall > self.by_generation[gen][0]:
            self.by_generation[gen] = (wall, cpu)


class PauseWatch:
    """The longest gap between two services of the scheduler (every tick while busy),
    not counting idle waits."""

    def __init__(self, rt):
        self.rt = rt
        self.longest = 0.0
        self.longest_cpu = 0.0       # the most CPU time this thread spent between two services
        self.over_100ms = 0
        self.last = time.perf_counter()
        self.last_cpu = time.thread_time()
        service, idle = rt._service, rt._idle

        def watched_service():
            now, cpu = time.perf_counter(), time.thread_time()
            gap = now - self.last
            self.last = now
            if gap > self.longest:
                self.longest = gap
            if gap > 0.1:
                self.over_100ms += 1
            if cpu - self.last_cpu > self.longest_cpu:
                self.longest_cpu = cpu - self.last_cpu
            self.last_cpu = cpu
            service()

        def watched_idle():
            try:
                idle()
            finally:
                self.last, self.last_cpu = time.perf_counter(), time.thread_time()

        rt._service, rt._idle = watched_service, watched_idle

    def stop(self) -> None:
        del self.rt._service, self.rt._idle


def census(rt) -> dict:
    """Processes, live timers, greenlets and RSS. A greenlet leaks if it is not dead and
    no process, the pool or the loop holds it: its stack would never be freed. (A dead
    one can stay referenced from the frame that last switched to it, until that greenlet
    runs again: a few hundred bytes, at most one per suspended greenlet.)"""
    held = {id(g) for g in rt._pool} | {id(rt._loop_g), id(greenlet.getcurrent())}
    held.update(id(p.greenlet) for p in rt._table.values() if p.greenlet is not None)
    with rt.gc_policy.thawed():
        greenlets = [o for o in gc.get_objects() if isinstance(o, greenlet.greenlet)]
    orphans = sum(id(g) not in held and not g.dead for g in greenlets)
    return {"processes": len(rt._table), "timers": rt.stats()["timers"],
            "greenlets": len(greenlets), "orphan_greenlets": orphans, "rss": rss_bytes()}


# ======================================================================
# The run
# ======================================================================

def build_tree(servers: int, supervisors: int):
    per = servers // supervisors
    sups = [Supervisor.child_spec([{"id": i, "start": (Worker.start_link, (s, i))}
                                   for i in range(per)],
                                  id=f"sup{s}", max_restarts=100_000, max_seconds=5)
            for s in range(supervisors)]
    return Supervisor.start_link(sups, max_restarts=10, max_seconds=5), per


def soak(cfg: dict) -> dict:
    rt = current_runtime()
    me = self_pid()
    process_flag("trap_exit", True)
    rt.gc_policy.enabled = bool(cfg["gc_policy"])     # --gc_policy 0: to compare without it
    say(f"soak: {cfg['servers']} GenServers under {cfg['supervisors']} supervisors, "
        f"{cfg['seconds']:g} s, {cfg['kills']:g} kills/s, seed {cfg['seed']}, "
        f"GC policy {'on' if cfg['gc_policy'] else 'off'}; "
        f"load average {os.getloadavg()[0]:.2f}")
    t = time.perf_counter()
    gc_start = GcWatch()
    gc.callbacks.append(gc_start)
    root, per = build_tree(cfg["servers"], cfg["supervisors"])
    sups = [c[1] for c in Supervisor.which_children(root)]
    gc.callbacks.remove(gc_start)
    say(f"  started in {time.perf_counter() - t:.1f} s ({len(rt._table)} processes); "
        f"longest GC meanwhile {gc_start.longest[0] * 1000:.0f} ms "
        f"(generation {gc_start.longest[2]}, {gc_start.longest[1] * 1000:.0f} ms of it CPU)")
    before = census(rt)
    receive(("never", ANY), timeout=0.05, default=None)   # the census's collections reported
    lo = 1
    starts0 = STARTS[0]

    gcw = GcWatch()
    gc.callbacks.append(gcw)
    pauses = PauseWatch(rt)
    longs = []          # long_schedule events: who held the scheduler (a process, or the gc)
    telemetry.attach("soak-long-schedule", ("beamlab", "process", "long_schedule"),
                     lambda event, m, meta, cfg: longs.append((m["ms"], meta.get("name"),
                                                               meta.get("location"))))
    cons = spawn_link(consumer, 500)
    prod = spawn_link(producer, cons, cfg["window"])
    send(cons, ("producer", prod))
    beat = spawn_link(heartbeat, cfg["heartbeat"])
    monkey = spawn_link(chaos, cfg["kills"], cfg["seed"], lo)
    ping = spawn_link(pinger, cfg["calls"], cfg["seed"], lo)
    t0 = time.monotonic()
    end = t0 + cfg["seconds"]
    every = max(5.0, min(60.0, cfg["seconds"] / 10))
    while (left := end - time.monotonic()) > 0:
        receive(("never", ANY), timeout=min(every, left), default=None)
        say(f"  {time.monotonic() - t0:6.0f} s: {rt.messages_sent} messages sent, "
            f"{STARTS[0] - starts0} restarts, longest GC {gcw.longest[0] * 1000:.0f} ms, "
            f"longest pause {pauses.longest * 1000:.0f} ms, load {os.getloadavg()[0]:.2f}")
    elapsed = time.monotonic() - t0

    stopping = time.monotonic()
    send(monkey, ("stop", me))
    _, kills, probes = receive(("chaos", ANY, ANY))
    send(ping, ("stop", me))
    _, calls_ok, calls_failed = receive(("pinger", ANY, ANY))
    send(prod, ("stop", me))
    sent = receive(("producer", ANY))[1]
    _, received, lost, duplicated, out_of_order = receive(("consumer", ANY, ANY, ANY, ANY))
    send(beat, ("stop", me))
    late = receive(("heartbeat", ANY))[1]
    pauses.stop()
    gc.callbacks.remove(gcw)
    telemetry.detach("soak-long-schedule")
    if longs:
        ms, name, where = max(longs, key=lambda e: e[0])
        say(f"  {len(longs)} long_schedule events; the longest {ms:.0f} ms: {name or 'a process'} "
            f"at {where}")
    say(f"  load stopped in {time.monotonic() - stopping:.1f} s")
    load = os.getloadavg()[0]

    # the load processes end normally (their EXITs arrive, as we trap exits); the tree heals
    for _ in range(5):
        receive(("EXIT", ANY, "normal"), timeout=10, default=None)
    settle = time.monotonic()
    while STARTS[0] - starts0 < kills and time.monotonic() - settle < 120:
        receive(("never", ANY), timeout=0.2, default=None)
    restarts = STARTS[0] - starts0
    unhealed = sum(per - Supervisor.count_children(s)["active"] for s in sups)
    escalated = int([c[1] for c in Supervisor.which_children(root)] != sups)
    after = census(rt)
    gcp = rt.gc_policy.stats()
    late_ms = [x * 1000 for x in late] or [0.0]
    return {
        "seconds": elapsed, "servers": cfg["servers"], "supervisors": cfg["supervisors"],
        "sent": sent, "received": received, "lost": lost, "duplicated": duplicated,
        "out_of_order": out_of_order, "msgs_per_s": received / elapsed,
        "kills": kills, "restarts": restarts, "probes_per_kill": probes / max(kills, 1),
        "unhealed": unhealed, "escalated": escalated,
        "calls_ok": calls_ok, "calls_failed": calls_failed,
        "leaked_processes": after["processes"] - before["processes"],
        "leaked_timers": after["timers"] - before["timers"],
        "leaked_greenlets": after["orphan_greenlets"] - before["orphan_greenlets"],
        "greenlets_before": before["greenlets"], "greenlets_after": after["greenlets"],
        "rss_before_mb": before["rss"] / 2**20, "rss_after_mb": after["rss"] / 2**20,
        "heartbeats": len(late), "heartbeat_p50_ms": percentile(late_ms, 0.5),
        "heartbeat_p99_ms": percentile(late_ms, 0.99), "heartbeat_max_ms": max(late_ms),
        "start_longest_gc_ms": gc_start.longest[0] * 1000,
        "start_longest_gc_cpu_ms": gc_start.longest[1] * 1000,
        "longest_gc_ms": gcw.longest[0] * 1000, "longest_gc_cpu_ms": gcw.longest[1] * 1000,
        "longest_gc_generation": -1 if gcw.longest[2] is None else gcw.longest[2],
        **{f"longest_gc{g}_{k}": gcw.by_generation[g][i] * 1000
           for g in range(3) for i, k in enumerate(("ms", "cpu_ms"))},
        "gc_over_100ms": gcw.over_100ms, "gc_collections": sum(gcw.count),
        "gc_full_collections": gcw.count[2], "gc_freezes": gcp["freezes"],
        "gc_thaws": gcp["thaws"],
        "long_schedules": len(longs),
        "longest_pause_ms": pauses.longest * 1000, "pauses_over_100ms": pauses.over_100ms,
        "longest_pause_cpu_ms": pauses.longest_cpu * 1000, "gc_policy": int(cfg["gc_policy"]),
        "load_average": load,
    }


FAILURES = ("lost", "duplicated", "out_of_order", "unhealed", "escalated",
            "leaked_processes", "leaked_timers", "leaked_greenlets")


def report(f: dict) -> list[str]:
    """The figures for humans, and what failed."""
    say(f"soak: {f['seconds']:.0f} s, {f['servers']:.0f} servers under "
        f"{f['supervisors']:.0f} supervisors, load average {f['load_average']:.2f} "
        f"on {os.cpu_count()} cores")
    say(f"  messages: {f['sent']:.0f} sent, {f['received']:.0f} received "
        f"({f['msgs_per_s']:.0f}/s), {f['lost']:.0f} lost, {f['duplicated']:.0f} duplicated, "
        f"{f['out_of_order']:.0f} out of order")
    say(f"  chaos: {f['kills']:.0f} kills ({f['probes_per_kill']:.2f} probes each), "
        f"{f['restarts']:.0f} restarts, {f['unhealed']:.0f} children missing, "
        f"{'an escalation' if f['escalated'] else 'no escalation'}; calls "
        f"{f['calls_ok']:.0f} answered, {f['calls_failed']:.0f} to a killed server")
    say(f"  leaked: {f['leaked_processes']:.0f} processes, {f['leaked_timers']:.0f} timers, "
        f"{f['leaked_greenlets']:.0f} greenlets ({f['greenlets_before']:.0f} before, "
        f"{f['greenlets_after']:.0f} after, counting the pool); "
        f"RSS {f['rss_before_mb']:.0f} MB before, {f['rss_after_mb']:.0f} MB after")
    say(f"  heartbeat ({f['heartbeats']:.0f} beats of 100 ms) lateness: "
        f"p50 {f['heartbeat_p50_ms']:.1f} ms, p99 {f['heartbeat_p99_ms']:.1f} ms, "
        f"max {f['heartbeat_max_ms']:.1f} ms")
    say(f"  GC: {f['gc_collections']:.0f} collections ({f['gc_full_collections']:.0f} full), "
        f"longest {f['longest_gc_ms']:.1f} ms (generation {f['longest_gc_generation']:.0f}, "
        f"{f['longest_gc_cpu_ms']:.1f} ms of it CPU), {f['gc_over_100ms']:.0f} over 100 ms; "
        f"{f['gc_freezes']:.0f} freezes, {f['gc_thaws']:.0f} thaws; longest per generation "
        + ", ".join(f"{g}: {f[f'longest_gc{g}_ms']:.0f} ms ({f[f'longest_gc{g}_cpu_ms']:.0f} CPU)"
                    for g in range(3)))
    say(f"  longest pause overall (scheduler unserviced): {f['longest_pause_ms']:.1f} ms, "
        f"{f['pauses_over_100ms']:.0f} over 100 ms; the most CPU time between two services "
        f"{f['longest_pause_cpu_ms']:.1f} ms (the rest of a pause is the OS running others)")
    failed = [k for k in FAILURES if f[k]]
    say(f"  target no pause over 100 ms: "
        f"{'met' if f['longest_pause_ms'] <= 100 else 'missed'}")
    say(format_line("soak", f))
    say("soak: FAILED: " + ", ".join(f"{k}={f[k]:.0f}" for k in failed) if failed
        else "soak: correct (nothing lost, duplicated, reordered, leaked or left unhealed)")
    return failed


def config(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak",
                                     description=__doc__.split("\n")[0])
    for key, default in DEFAULTS.items():
        env = os.environ.get(f"SOAK_{key.upper()}")
        kind = type(default)
        parser.add_argument(f"--{key}", type=kind, default=kind(env) if env else default)
    cfg = vars(parser.parse_args(argv))
    if cfg["servers"] < cfg["supervisors"] or cfg["supervisors"] < 1:
        parser.error("need at least one supervisor and one server per supervisor")
    if cfg["seconds"] <= 0 or cfg["kills"] < 0 or cfg["calls"] < 0:
        parser.error("seconds must be positive; kills and calls not negative")
    return cfg


def main(argv=None) -> int:
    cfg = config(argv)
    figures = {}

    def run():
        figures.update(soak(cfg))
        failed = report(figures)
        # Skip tearing 100,000 processes down one by one: the figures are out.
        sys.stdout.flush()
        os._exit(1 if failed else 0)

    beamlab.run(run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
