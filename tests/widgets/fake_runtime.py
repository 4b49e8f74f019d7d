"""A stand-in runtime for widget tests that need no scheduler: a table of processes.

It answers what widgets ask a Runtime (process_info, processes, stats, whereis,
clock, exit, call_soon_threadsafe) and restarts a supervisor's child when it is
killed, one_for_one, so the tree widget can be driven end to end — in unit
tests and in the browser test's plain-Python notebook — before or without the
real runtime. Real-runtime behaviour is tested in test_tree_live.py.
"""
from __future__ import annotations

import itertools


class Pid:
    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n

    def __repr__(self) -> str:
        return f"<0.{self.n}.0>"

    __str__ = __repr__

    def __eq__(self, other) -> bool:
        return isinstance(other, Pid) and other.n == self.n

    def __hash__(self) -> int:
        return hash(("Pid", self.n))


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def advance(self, s: float) -> None:
        self.t += s


class FakeRuntime:
    def __init__(self) -> None:
        self.clock = FakeClock()
        self._n = itertools.count(40)
        self.procs: dict[Pid, dict] = {}
        self.names: dict[str, Pid] = {}
        self.exits: list[tuple] = []
        self.posted: list = []

    # ---- building
    def worker(self, name=None, *, links=(), state=None, messages=()):
        pid = Pid(next(self._n))
        self.procs[pid] = {"pid": pid, "status": "waiting", "reductions": 10, "message_queue_len": len(messages),
                           "messages": list(messages), "memory": 2600, "current_function": ("loop", 0),
                           "current_location": ("worker.py", 3), "initial_call": ("worker", 0),
                           "links": list(links), "monitors": [], "monitored_by": [], "trap_exit": False,
                           "registered_name": name, "group_leader": None,
                           "current_stacktrace": [("worker.py", 3, "loop")], "behaviour": "GenServer",
                           "state": state}
        for other in links:
            if other in self.procs:
                self.procs[other]["links"].append(pid)
        if name:
            self.names[name] = pid
        return pid

    def supervisor(self, children, *, name=None, strategy="one_for_one", intensity=3, period=5):
        """children: list of (id, pid, type)."""
        pid = self.worker(name)
        info = self.procs[pid]
        info["behaviour"] = "Supervisor"
        info["trap_exit"] = True
        info["state"] = {"strategy": strategy, "intensity": intensity, "period": period, "restarts": [],
                         "children": [{"id": cid, "pid": cpid, "restart": "permanent", "shutdown": 5000,
                                       "type": typ} for cid, cpid, typ in children]}
        for _, cpid, _ in children:
            info["links"].append(cpid)
            self.procs[cpid]["links"].append(pid)
        return pid

    # ---- what widgets call
    def process_info(self, pid):
        info = self.procs.get(pid)
        if info is None:
            return None
        out = dict(info)
        if isinstance(info.get("state"), dict) and "children" in info["state"]:
            st = dict(info["state"])
            st["children"] = [dict(c) for c in st["children"]]
            st["restarts"] = list(st["restarts"])
            out["state"] = st
        return out

    def processes(self):
        return list(self.procs)

    def stats(self):
        return {"processes": len(self.procs), "run_queue": 0, "reductions": 0, "messages_sent": 0,
                "memory": 2600 * len(self.procs)}

    def whereis(self, name):
        return self.names.get(name)

    def call_soon_threadsafe(self, fn, *args):
        fn(*args)

    def exit(self, pid, reason):
        """Kill `pid` (any reason but normal) and let its supervisor restart it, one_for_one."""
        self.exits.append((pid, reason))
        if reason == "normal" or pid not in self.procs:
            return
        info = self.procs.pop(pid)
        for name, p in list(self.names.items()):
            if p == pid:
                del self.names[name]
        for other in info["links"]:
            if other in self.procs:
                self.procs[other]["links"] = [x for x in self.procs[other]["links"] if x != pid]
        for sup in list(self.procs.values()):
            st = sup.get("state")
            if isinstance(st, dict) and "children" in st:
                for ch in st["children"]:
                    if ch["pid"] == pid:
                        new = self.worker(info.get("registered_name"))
                        ch["pid"] = new
                        sup["links"].append(new)
                        self.procs[new]["links"].append(sup["pid"])
                        st["restarts"].append(self.clock.now())
                        return


def demo(rt: FakeRuntime | None = None):
    """A small tree: app_sup -> [db, cache, workers_sup -> [w1, w2, w3]], w1 linked to a helper."""
    rt = rt or FakeRuntime()
    helper = rt.worker()
    rt.procs[helper]["behaviour"] = None
    w1 = rt.worker(links=[helper], state={"count": 1}, messages=[("ping", 1)])
    w2, w3 = rt.worker(), rt.worker()
    workers = rt.supervisor([("w1", w1, "worker"), ("w2", w2, "worker"), ("w3", w3, "worker")])
    db, cache = rt.worker("db"), rt.worker("cache")
    sup = rt.supervisor([("db", db, "worker"), ("cache", cache, "worker"),
                         ("workers", workers, "supervisor")], name="app_sup")
    return rt, sup
