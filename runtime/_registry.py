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
        if name in self._names:
            raise BadArg(f"register({name!r}, {pid!r}): the name is already registered to "
                         f"{self._names[name]!r}; unregister it first or pick another name")
        proc = self._table.get(pid.id)
        if proc is None or not proc.alive:
            raise BadArg(f"register({name!r}, {pid!r}): that process is not alive")
        if proc.name is not None:
            raise BadArg(f"register({name!r}, {pid!r}): that process is already registered as "
                         f"{proc.name!r}; a process has at most one name")
        self._names[name] = pid
        proc.name = name
        if self._recorder is not None:
            self._recorder.registered(name, pid)
        return True

    def unregister(self, name: str) -> bool:
        pid = self._names.pop(name, None)
        if pid is None:
            raise BadArg(f"unregister({name!r}): no process is registered under that name")
        proc = self._table.get(pid.id)
        if proc is not None:
            proc.name = None
        if self._recorder is not None:
            self._recorder.unregistered(name, pid)
        return True

    def whereis(self, name: str):
        return self._names.get(name)

    def registered(self) -> list:
        return sorted(self._names)

    def resolve(self, dest) -> Pid:
        """A Pid for `dest` (a Pid or a registered name); BadArg if neither."""
        if type(dest) is Pid:
            return dest
        if isinstance(dest, str):
            pid = self._names.get(dest)
            if pid is None:
                raise BadArg(f"send({dest!r}, ...): no process is registered as {dest!r} "
                             f"(registered: {', '.join(self.registered()) or 'none'})")
            return pid
        raise BadArg(f"expected a pid or a registered name, got {dest!r}")

    def _unregister_dead(self, proc) -> None:
        if proc.name is not None:
            self._names.pop(proc.name, None)
