"""Pids and refs: the immutable handles that name processes and requests.

How this works: a `Pid` is a tiny immutable value wrapping the process number; the
process record behind it is private to the runtime and looked up by number, so a
pid can be copied into messages, stored, compared and printed (`<0.42.0>`, as in
Erlang) without keeping the process alive. A `Ref` is a unique value from
`make_ref()`, used to tag requests and monitors.
"""

from __future__ import annotations

import itertools
import re

__all__ = ["Pid", "Ref", "pid", "ref_numbering"]

_PID_RE = re.compile(r"^\s*<?\s*(\d+)\.(\d+)\.(\d+)\s*>?\s*$")


class Pid:
    """A process identifier, like Erlang's `#PID<0.42.0>`.

    Pids are made by the runtime (`spawn`, `self()`), never by hand; `pid(0, 42, 0)`
    or `Pid.parse("<0.42.0>")` rebuild one from what a pid prints as, like
    Erlang's `c:pid/3`.

        >>> p = spawn(lambda: receive())
        >>> p
        <0.42.0>
    """

    # `id` and `node` are what a pid is; the third slot is the runtime's, not the
    # learner's: see _ROUTE below
    __slots__ = ("id", "node", "_route")

    def __new__(cls, n: int, node: int = 0) -> "Pid":
        # the slots' own setters: a spawn makes a pid, and these cost what
        # one object.__setattr__ did when a pid had only its number
        self = _new(cls)
        _set_id(self, n)
        _set_node(self, node)
        return self

    def __setattr__(self, name, value):
        raise AttributeError("a Pid is immutable")

    def __reduce__(self):
        return (Pid, (self.id, self.node))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __eq__(self, other):
        # ids are unique across all nodes of a runtime; node is compared only on a tie
        return type(other) is Pid and other.id == self.id and other.node == self.node

    def __hash__(self):
        return self.id          # pids are hashed on every link, monitor and table lookup

    def __lt__(self, other):
        if type(other) is not Pid:
            return NotImplemented
        return self.id < other.id

    def __repr__(self):
        return f"<{self.node}.{self.id}.0>"

    @staticmethod
    def parse(text: str) -> "Pid":
        """Turn "<0.42.0>" (or "0.42.0") back into a Pid."""
        m = _PID_RE.match(str(text))
        if not m:
            raise ValueError(f"{text!r} is not a pid; pids print like <0.42.0>")
        return Pid(int(m.group(2)), int(m.group(1)))


_new = object.__new__
_set_id = Pid.__dict__["id"].__set__
_set_node = Pid.__dict__["node"].__set__

# The pid's route to its process record, for the compiled runtime's send (_core.pxd's
# inline _routed): spawn fills it with the new process's record, the process's exit
# empties it, and a send follows it only while that record is alive and of the sending
# runtime; otherwise (a pid rebuilt by `pid()`, parsed, unpickled; another runtime's;
# the pure build, which never fills it) the send looks the number up in its table as
# before. Its descriptor is taken out of the class, kept here: the slot shows in no
# dir(), help() or completion of a pid, and equality, hashing, repr, pickling and
# copying never read it.
_ROUTE = Pid.__dict__["_route"]
del Pid._route


def pid(node: int, number: int, serial: int = 0) -> Pid:
    """Build the pid that prints as `<node.number.serial>`, like Erlang's `c:pid/3`.

        >>> pid(0, 42, 0)
        <0.42.0>
    """
    if serial != 0:
        raise ValueError("beamlab pids end in .0: they look like <0.N.0> (or <K.N.0> for a "
                         "process on the K-th node of the cluster)")
    return Pid(int(number), int(node))


_ref_counter = itertools.count(1)


class ref_numbering:
    """While the block runs, refs first printed are numbered from 1 by a counter of
    their own (a deterministic run: the same run prints the same refs, whatever was
    printed before it in this Python process). `number(term)` numbers the refs in a
    term now, in order (a run's log, before the block ends).

        >>> with ref_numbering() as numbering:
        ...     ...                      # refs printed here: #Ref<0.0.0.1>, #Ref<0.0.0.2>...
        ...     numbering.number(events)
    """

    def __init__(self):
        self.counter = itertools.count(1)
        self._saved = None

    def __enter__(self):
        global _ref_counter
        self._saved, _ref_counter = _ref_counter, self.counter
        return self

    def __exit__(self, *exc):
        global _ref_counter
        _ref_counter = self._saved

    def number(self, term, _depth: int = 0) -> None:
        t = type(term)
        if t is Ref:
            term.id
        elif (t is tuple or t is list) and _depth < 8:
            for x in term:
                self.number(x, _depth + 1)
        elif t is dict and _depth < 8:
            for k, v in term.items():
                self.number(k, _depth + 1)
                self.number(v, _depth + 1)


class Ref:
    """A unique reference, like Erlang's `make_ref()`: equal only to itself.

        >>> r = make_ref()
        >>> r
        #Ref<0.0.0.7>

    Equality and hashing are identity (the inherited C ones), and making one
    runs no Python code: every `GenServer.call` makes a ref. Its number is
    given the first time it is printed, so refs number in the order they are
    first shown, like the opaque numbers Erlang prints.
    """

    __slots__ = ("_n",)

    def __setattr__(self, name, value):
        raise AttributeError("a Ref is immutable")

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        raise TypeError("a Ref is unique to the runtime that made it and cannot be pickled")

    @property
    def id(self) -> int:
        try:
            return self._n
        except AttributeError:
            n = next(_ref_counter)
            object.__setattr__(self, "_n", n)
            return n

    def __repr__(self):
        return f"#Ref<0.0.0.{self.id}>"
