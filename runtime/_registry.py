"""The name registry: `register`, `unregister`, `whereis`, as Erlang's.

How this works: a dict from name to Pid, and the name stored on the process
record so it is freed when the process exits. Errors follow OTP: a name that
is taken, a process that is dead or already has a name, an unknown name, each a
`BadArg` saying which.
"""

from __future__ import annotations

from .errors import BadArg
from .pid import Pid

__all__ = ["RegistryMixin"]


class RegistryMixin:
    def _registry_init(self):
        self._names: dict[str, Pid] = {}

    def register(self, name: str, pid: Pid) -> bool:
        if not isinstance(name, str) or not name or name == "undefined":
            raise BadArg(f"register({name!r}, ...): a name must be a non-empty string (and not 'undefined')")
        if not isinstance(pid, Pid):
            raise BadArg(f"register({name!r}, {pid!r}): the second argument must be a pid")
        names = self._names if self._dist is None else self._dist.registry_for(self.current, name,
                                                                                 pid)
        if name in names:
            raise BadArg(f"register({name!r}, {pid!r}): the name is already registered to "
                         f"{names[name]!r}; unregister it first or pick another name")
        proc = self._table.get(pid.id)
        if proc is None or not proc.alive:
            raise BadArg(f"register({name!r}, {pid!r}): that process is not alive")
        if proc.name is not None:
            raise BadArg(f"register({name!r}, {pid!r}): that process is already registered as "
                         f"{proc.name!r}; a process has at most one name")
        names[name] = pid
        proc.name = name
        if self._recorder is not None:
            self._recorder.registered(name, pid)
        return True

    def unregister(self, name: str) -> bool:
        pid = self._names_here().pop(name, None)
        if pid is None:
            raise BadArg(f"unregister({name!r}): no process is registered under that name")
        proc = self._table.get(pid.id)
        if proc is not None:
            proc.name = None
        if self._recorder is not None:
            self._recorder.unregistered(name, pid)
        return True

    def whereis(self, name: str):
        return self._names_here().get(name)

    def registered(self) -> list:
        return sorted(self._names_here())

    def _names_here(self) -> dict:
        """The registry of the running process's node (runtime/nodes: one per node)."""
        if self._dist is None:
            return self._names
        cur = self.current
        return self._dist.nodes[cur.pid.node if cur is not None else 0].names

    def resolve(self, dest) -> Pid:
        """A Pid for `dest` (a Pid or a registered name); BadArg if neither."""
        if type(dest) is Pid:
            return dest
        if isinstance(dest, str):
            pid = self._names_here().get(dest)
            if pid is None:
                raise BadArg(f"send({dest!r}, ...): no process is registered as {dest!r} "
                             f"(registered: {', '.join(self.registered()) or 'none'})")
            return pid
        if type(dest) is tuple and len(dest) == 2 and isinstance(dest[0], str):
            return self._resolve_remote(dest)
        raise BadArg(f"expected a pid or a registered name, got {dest!r}")

    def _resolve_remote(self, dest) -> Pid:
        """`(name, node)`: the pid with that name on that node. A name on another node
        that is unknown or unreachable is no error in Erlang: the message is lost, so
        this gives a pid that never lived (number 0) on that node."""
        name, node = dest
        dist = self._dist
        if dist is None:
            from ._signals import NODE
            if node != NODE:
                raise BadArg(f"send({dest!r}, ...): beamlab runs one node, {NODE!r}, until "
                             f"start_node starts another")
            return self.resolve(name)
        cur = self.current
        here = cur.pid.node if cur is not None else 0
        there = dist.find(node, f"send({dest!r}, ...)")
        if there is not None and there.index == here:
            return self.resolve(name)
        if there is None:
            return Pid(0, here)
        return there.names.get(name) or Pid(0, there.index)

    def _unregister_dead(self, proc) -> None:
        if proc.name is not None:
            if self._dist is None:
                self._names.pop(proc.name, None)
            else:
                names = self._dist.nodes[proc.pid.node].names
                if names.get(proc.name) == proc.pid:
                    del names[proc.name]
