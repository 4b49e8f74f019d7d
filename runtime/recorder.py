"""The flight recorder: the runtime's events in a bounded ring (issue 13, point 1).

    >>> rt = Runtime(record=True)                    # the kernel's runtime records by default
    >>> rt.run(main)
    >>> rec = rt.recorder.recording()                # a Recording: plain data, safe to keep
    >>> [e["kind"] for e in rec.events()][:3]
    ['spawn', 'spawn', 'send']

or, in a script, `rec = Recorder(); beamlab.run(main, record=rec)`.

How this works: the runtime calls the recorder at the few places where
something happens (`rt._recorder`, None when not recording, so the cost of a
runtime that does not record is one attribute test). Each call does as little
as it can and leaves the rest to whoever reads the events: it appends the
event's eight slots to a flat list, the log's current chunk (`list.extend` of a
tuple that is freed at once: no object per event for the garbage collector to
walk; full chunks of CHUNK events wait in a deque, so evicting moves nothing else)

    t, kind, pid, other, a, b, c, size

`t` is the runtime clock's time (a MockClock's in tests), `pid`/`other` are pid
numbers (or None), `a`/`b`/`c` depend on `kind` (see KINDS) and `size` is the
event's estimated bytes. An event's seq is not stored: it is its position
(`_first`, the seq of the oldest, counts from 1). Readers get
`(seq, t, kind, pid, other, a, b, c, size)` tuples (`events()`, `recording()`),
made when read.

The caps: the ring holds at most `max_events` events and `max_bytes`
estimated bytes; the oldest go first (1/8 of both caps at once). The sizes
are summed (a slice of the log, in C) over the events added since the last
check, when the log's length reaches `_limit`:
that many events more fit in both caps even if each were as big as an event
can be (MAX_EVENT_BYTES: every kept term and preview is bounded). A delivery
checks the caps; taking a message does not (it follows the delivery that did:
an overshoot is at most the messages queued while nothing was recorded), and
every read (`len`, `bytes`, `events`, `recording`) checks first, so what is
read is always within the caps. What the evicted events said about the
structure (spawns, exits, links, names, supervisor restarts, GenServer
states) is folded into a baseline `State`, so a snapshot at the start of the
window still knows who was alive then; messages are not folded (a mailbox from
before the window is shown as partly unknown).

Terms are kept as previews (`preview`): a small immutable term (an int, a
short string, a pid, a small tuple of those) is kept as it is (cheap, and
immutable so it cannot change later; made text only when read); anything
else becomes a `Shown` string made with reprlib-style limits, which never
recurses more than a few levels (a 10,000-deep nested list previews as
`[[[[...]]]]` at once), clipped to MAX_SHOWN characters.

Hooks the runtime calls (each only when `rt._recorder` is set): `spawn`,
`exited`, `deliver` (a message queued in a mailbox), `lost` (sent to a process
that is gone), `take_head`/`take` (a receive took the message at an index),
`flushed`, `handoff` (a call's reply handed over without queueing), `dropped`,
`signal` (an exit signal and its outcome), `link`, `unlink`, `monitor`,
`demonitor`, `registered`, `unregistered`, `timer`, `callback` (a GenServer
callback returned, raised or called exit: for a message, it also stands for
the take of the mailbox's head), `supervisor` (a supervisor's telemetry event,
handed over where it is emitted), `cluster`, `reply_dropped` (a remote
GenServer reply that arrived after its caller gave up). The replay (state at a
moment) is in recording.py; docs/time-travel.md says it all.
"""

from __future__ import annotations

import collections
import reprlib
from itertools import compress, repeat

from .errors import Crash, format_reason
from .pid import Pid, Ref
from . import _process  # noqa: F401  (compiled against its Process: imported, so swapped, first)

__all__ = ["Recorder", "preview", "render", "Shown", "KINDS", "attach"]

DEFAULT_MAX_EVENTS = 200_000
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
EVENT_BYTES = 200          # one event's slots, its time and pid numbers (measured, see tests)
MAX_SHOWN = 1000           # a preview's characters at most
# An event's estimate at most: a callback's, with its state and reply each a preview or
# a small tuple (at most 1,000 bytes), or a supervisor's decision
MAX_EVENT_BYTES = EVENT_BYTES + 56 + 2 * (49 + MAX_SHOWN) + 400
_W = 8                     # slots an event takes in the flat log
CHUNK = 16384              # events a chunk of the log holds
_STR_EVENT = EVENT_BYTES + 49       # an event holding a string: plus its length

# kind -> what a, b, c hold
KINDS = {
    "spawn": "a: initial call; other: parent; c: its node's number if not the home node",
    "exists": "a process alive when recording started; a: initial call; other: parent; b: name; "
              "c: its node's number if not the home node",
    "exit": "a: reason preview; c: its node's number if not the home node",
    "link": "other: the linked pid", "unlink": "other: the unlinked pid",
    "monitor": "other: monitored pid or name; a: ref", "demonitor": "a: ref",
    "signal": "pid: receiver; other: sender; a: reason; b: outcome (killed|exit|trapped|ignored); "
              "c: True if through a link",
    "send": "pid: receiver; other: sender; a: message preview; c: 'direct' when a call's "
            "reply was handed over without queueing, 'call' (a: the request), 'lost' when the "
            "receiver no longer existed (the message is dropped), or (b: 'late') a GenServer "
            "reply from another node that arrived after its caller gave up (dropped on arrival)",
    "recv": "pid: receiver; a: index in its mailbox; b: pattern, or for a GenServer's message "
            "(callback, result, state preview, reply or reason); c: mailbox length after",
    "drop": "a message removed without a receive (demonitor flush); a: index; c: length after",
    "register": "a: name", "unregister": "a: name",
    "timer": "pid: who set it; a: set|fire|cancel; b: timer number; c: seconds (set)",
    "gen": "a: callback; b: result (ok|reply|noreply|stop); c: (new state preview, reply preview)",
    "sup": "pid: supervisor; other: child pid; a: event (child_start|child_exit|restart|escalate|"
           "child_terminate|shutdown); b: details dict",
    "node": "the simulated cluster (runtime/nodes): a: start|stop; b: the node's name",
    "connection": "a: up|down; b: the two nodes' names; c: for down, (why, messages lost) with "
                  "why disconnect|partition|node_stopped",
}


class Shown(str):
    """A preview that is already text (a bounded repr), not the term itself."""
    __slots__ = ()


class _Repr(reprlib.Repr):
    def __init__(self):
        super().__init__()
        self.maxlevel = 4
        self.maxtuple = self.maxlist = self.maxarray = 8
        self.maxdict = self.maxset = self.maxfrozenset = self.maxdeque = 6
        self.maxstring = 60
        self.maxlong = 40
        self.maxother = 60

    def repr_instance(self, x, level):
        t = type(x)
        if t.__repr__ is object.__repr__:
            return f"<{t.__qualname__}>"
        try:
            s = repr(x)
        except Exception:           # a repr that raises or recurses too deep
            return f"<{t.__qualname__}>"
        if len(s) > self.maxother:
            i = max(0, (self.maxother - 3) // 2)
            j = max(0, self.maxother - 3 - i)
            s = s[:i] + "..." + s[len(s) - j:]
        return s

    def repr_Pid(self, x, level):
        return repr(x)

    def repr_Ref(self, x, level):
        return repr(x)

    def repr_Crash(self, x, level):
        return _clip(format_reason(x), 120)


_repr = _Repr()
_CODE = type((lambda: 0).__code__)
_NONE = type(None)
MAX_STR = 60


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[:n - 3] + "..."


_FREE = frozenset({bool, _NONE, Pid, Ref})     # kept by reference: no bytes of their own
_BIG = 1 << 62


def _tuple_cost(x, depth: int) -> int:
    """Bytes a small tuple of small immutable terms costs to keep, or -1 (written out for
    speed: every message sent comes here when recording; commonest types first)."""
    if len(x) > 6:
        return -1
    total = 40 + 8 * len(x)
    for v in x:
        tv = type(v)
        if tv is str:
            if len(v) <= MAX_STR:
                total += 49 + len(v)
                continue
            return -1
        if tv is int:
            if -_BIG < v < _BIG:
                total += 28
                continue
            return -1
        if tv in _FREE:
            continue
        if tv is float:
            total += 24
            continue
        if tv is tuple and depth < 2:
            c = _tuple_cost(v, depth + 1)
            if c < 0:
                return -1
            total += c
            continue
        return -1
    return total if total <= 1000 else -1


def _small(x, depth: int = 0) -> int:
    """Bytes a small immutable term costs to keep as it is, or -1 if it is not one."""
    t = type(x)
    if t is tuple:
        return _tuple_cost(x, depth)
    if t in _FREE:
        return 0
    if t is int:
        return 28 if -_BIG < x < _BIG else -1
    if t is str:
        return 49 + len(x) if len(x) <= MAX_STR else -1
    if t is float:
        return 24
    return -1


def preview(x):
    """`(p, bytes)`: the term itself if small and immutable, else a `Shown` bounded repr."""
    c = _small(x, 0)
    if c >= 0:
        return x, c
    try:
        s = _repr.repr(x)
    except Exception:
        s = f"<{type(x).__qualname__}>"
    if len(s) > MAX_SHOWN:      # reprlib bounds each level, not the whole (8**4 leaves)
        s = s[:MAX_SHOWN - 3] + "..."
    return Shown(s), 49 + len(s)


def _cost(p) -> int:
    """Bytes a preview (what `preview` returned) keeps: its own estimate."""
    c = _small(p, 0)
    return c if c >= 0 else 49 + len(p)


def render(p) -> str:
    """The text of a preview."""
    if type(p) is Shown:
        return str(p)
    try:
        return _repr.repr(p)
    except Exception:
        return f"<{type(p).__qualname__}>"


def _reason(reason):
    """An exit reason's preview: a string reason shows as Erlang prints an atom (no quotes)."""
    if type(reason) is str:
        return Shown(_clip(reason, MAX_STR))
    if isinstance(reason, Crash):
        return Shown(_clip(format_reason(reason), 200))
    return preview(reason)[0]


def _pattern(matcher) -> str | None:
    """A short description of a receive's pattern (the compiled matcher)."""
    if matcher is None:
        return None
    if type(matcher) is _CODE:
        return matcher.co_name
    if type(matcher) is str:
        return matcher
    name = getattr(matcher, "__qualname__", None) or type(matcher).__name__
    if name.endswith("<lambda>"):
        # a compiled pattern (patterns.py): `pattern` in its closure, or `preds`, one each
        code, cells = getattr(matcher, "__code__", None), getattr(matcher, "__closure__", None)
        if code is not None and cells:
            free = dict(zip(code.co_freevars, cells))
            try:
                if "pattern" in free:
                    return render(preview(free["pattern"].cell_contents)[0])
                if "preds" in free:
                    return " | ".join(_pattern(p) or "ANY" for p in free["preds"].cell_contents)
            except ValueError:
                pass
        return "a predicate"
    return name.rsplit(".", 1)[-1]


# Kinds a baseline does not fold (recording.State.fold: a baseline keeps no messages);
# of them only a GenServer callback's "recv" (a tuple in b) says something it keeps.
MESSAGE_KINDS = frozenset({"send", "recv", "drop", "timer", "monitor", "demonitor"})
_FOLDED = frozenset(KINDS) - MESSAGE_KINDS

_RESULT_KIND: dict = {}
_KIND_NAMES = {"Crash": "crash", "ProcessExit": "exited"}
_NOT_FOR_A_MESSAGE = frozenset({"init", "handle_continue"})
_SUP_EVENTS = ("child_start", "child_exit", "restart", "escalate", "child_terminate", "shutdown")
_SUP_KEYS = ("child_id", "reason", "restart", "restarting", "old_pid", "new_pid",
             "restarts_in_window", "max_restarts", "max_seconds", "strategy", "error", "type",
             "shutdown", "name")


class _Events:
    """The ring's events as `(seq, t, kind, pid, other, a, b, c, size)` tuples, each made when
    read: a live view (len, index, iterate, reversed) for readers that walk the ring
    (`Recorder._ring`, as the timeline widget does from its end)."""
    __slots__ = ("_rec",)

    def __init__(self, rec):
        self._rec = rec

    def __len__(self):
        return self._rec._count()

    def __getitem__(self, i):
        rec = self._rec
        n = rec._count()
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("event index out of range")
        seq = rec._first + i
        for part in rec._parts():
            m = len(part) // _W
            if i < m:
                return (seq, *part[i * _W:(i + 1) * _W])
            i -= m

    def __iter__(self):
        return iter(self._rec._tuples())

    def __reversed__(self):
        rec = self._rec
        seq = rec._seq
        for part in reversed(rec._parts()):
            for i in range(len(part) // _W - 1, -1, -1):
                yield (seq, *part[i * _W:(i + 1) * _W])
                seq -= 1


class Recorder:
    """A bounded ring of the runtime's events (the flight recorder, docs/time-travel.md).

        >>> rec = Recorder(max_events=100_000, max_bytes=32 * 2**20)
        >>> beamlab.run(main, record=rec)          # or Runtime(record=rec)
        >>> rec.recording().state_at(120).alive()  # who was alive at event 120
        >>> beamlab.widgets.export_html(rec, "run.html")
    """

    def __init__(self, max_events: int = DEFAULT_MAX_EVENTS, max_bytes: int = DEFAULT_MAX_BYTES):
        if isinstance(max_events, bool) or not isinstance(max_events, int) or max_events < 1:
            raise ValueError(f"Recorder(max_events={max_events!r}): give a positive number of events")
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < EVENT_BYTES:
            raise ValueError(f"Recorder(max_bytes={max_bytes!r}): give a number of bytes "
                             f">= {EVENT_BYTES} (one event)")
        from .recording import State
        self.max_events = max_events
        self.max_bytes = max_bytes
        self.rt = None
        # The log in chunks of at most CHUNK events, so that evicting the oldest moves
        # nothing but them: `_log`, the chunk being filled (8 slots an event), and
        # `_chunks`, the full ones (`_sealed` events), oldest first.
        self._log: list = []
        self._chunks: collections.deque = collections.deque()
        self._sealed = 0
        self._first = 1             # the seq of the oldest event
        self._measured = 0          # slots of `_log` whose bytes are in _bytes
        self._bytes = 0
        self._limit = 0             # the log's length at which the caps are checked
        self.evicted = 0
        self.run = None     # how a deterministic run was made (deterministic.py), for replay/fork
        self._base = State()
        self._now = None
        self._reply_tag = None      # the call whose reply a callback's event holds (see handoff)
        self._kept = None           # the last small immutable tuple checked, and its cost
        self._kept_x = 0
        self._check()

    def __repr__(self):
        return (f"<beamlab Recorder: {len(self):,} events, ~{self.bytes:,} bytes "
                f"(max {self.max_events:,} / {self.max_bytes:,}), {self.evicted:,} evicted>")

    def __len__(self):
        self._check()
        return self._count()

    def _count(self) -> int:
        return self._sealed + len(self._log) // _W

    def _parts(self) -> list:
        return [*self._chunks, self._log]

    def __bool__(self):
        return True

    @property
    def _seq(self) -> int:
        """The seq of the newest event (0 before the first)."""
        return self._first + self._sealed + len(self._log) // _W - 1

    @property
    def _ring(self) -> _Events:
        return _Events(self)

    # ------------------------------------------------------------ attach
    def attach(self, rt) -> "Recorder":
        """Start recording `rt`'s events (processes alive now are recorded as "exists")."""
        if self.rt is not None and self.rt is not rt:
            raise ValueError("this Recorder already records another runtime; make a new Recorder()")
        if getattr(rt, "_recorder", None) not in (None, self):
            raise ValueError("that runtime already has a recorder; detach it first "
                             "(rt.recorder.detach())")
        self.rt = rt
        self._now = rt.clock.now
        for proc in list(rt._table.values()):
            self._add("exists", proc.pid, proc.parent, rt.initial_call(proc), proc.name,
                      proc.pid.node or None, 0)
        rt._recorder = self
        return self

    def detach(self) -> None:
        """Stop recording (what was recorded stays readable)."""
        rt = self.rt
        if rt is None:
            return
        if getattr(rt, "_recorder", None) is self:
            rt._recorder = None

    def clear(self) -> None:
        """Forget every event (the sequence numbers go on)."""
        from .recording import State
        self._first = self._seq + 1
        self._log = []
        self._chunks.clear()
        self._sealed = self._measured = self._bytes = 0
        self._base = State()
        self._check()

    # ------------------------------------------------------------ the ring
    def _add(self, kind, pid, other, a, b, c, size) -> None:
        # pids are kept as their numbers (and read as numbers: the widgets compare them)
        if type(pid) is Pid:
            pid = pid.id
        if type(other) is Pid:
            other = other.id
        log = self._log
        log.extend((self._now(), kind, pid, other, a, b, c, size + EVENT_BYTES))
        if len(log) >= self._limit:
            self._check()

    @property
    def bytes(self) -> int:
        """Estimated bytes the events in the ring hold."""
        self._check()
        return self._bytes

    def _check(self) -> None:
        """Add up the sizes of the events added since the last check (a slice, in C: no
        Python per event), start a new chunk if this one is full, evict if over a cap,
        and set `_limit` to what fits in both caps (and the chunk) even if every event to
        come were as big as one can be."""
        log = self._log
        n = len(log)
        m = self._measured
        if m < n:
            self._bytes += sum(log[m + 7:n:_W])
            self._measured = n
        if n >= CHUNK * _W:
            self._seal()
            log, n = self._log, 0
        if self._sealed + n // _W > self.max_events or self._bytes > self.max_bytes:
            self._evict()
            log = self._log
            n = len(log)
        room = min(self.max_events - self._sealed - n // _W, CHUNK - n // _W,
                   (self.max_bytes - self._bytes) // MAX_EVENT_BYTES)
        self._limit = n + _W * max(room, 1)

    def _seal(self) -> None:
        log = self._log
        if log:
            self._chunks.append(log)
            self._sealed += len(log) // _W
            self._log = []
            self._measured = 0

    def _evict(self) -> None:
        """Over a cap: drop the oldest events down to 7/8 of both caps at once (whole
        chunks, then the head of one) and fold them into the baseline."""
        self._seal()
        chunks = self._chunks
        keep_events = self.max_events - self.max_events // 8
        keep_bytes = self.max_bytes - self.max_bytes // 8
        held = self._bytes
        first = self._first
        total = self._sealed
        while chunks and (total > keep_events or held > keep_bytes):
            c = chunks[0]
            cn = len(c) // _W
            k = min(cn, max(0, total - keep_events))
            gone = sum(c[7:k * _W:_W])
            while k < cn and held - gone > keep_bytes:     # the byte cap binds: one at a time
                gone += c[k * _W + 7]
                k += 1
            self._fold(first, c, k)
            if k == cn:
                chunks.popleft()
            else:
                del c[:k * _W]
            held -= gone
            first += k
            total -= k
        self.evicted += self._sealed - total
        self._first, self._sealed, self._bytes = first, total, held

    def _fold(self, first: int, c: list, k: int) -> None:
        """Fold the first `k` events of chunk `c` (the first's seq: `first`) into the
        baseline: only what it keeps, the structure's events and GenServer callbacks (a
        tuple in b); messages are not (picked in C: no Python per message)."""
        if not k:
            return
        j = k * _W
        base = self._base
        picked = set(compress(range(k), map(_FOLDED.__contains__, c[1:j:_W])))
        # of a GenServer's callbacks (a tuple in b) only each one's last says what the
        # baseline keeps (a tuple in a structure event's b is picked above anyway)
        calls = list(map(isinstance, c[5:j:_W], repeat(tuple)))
        picked.update(dict(zip(compress(c[2:j:_W], calls), compress(range(k), calls))).values())
        base.fold_many([(first + i, *c[i * _W:(i + 1) * _W]) for i in sorted(picked)])
        base.seq, base.t = first + k - 1, c[j - _W]

    def _tuples(self) -> list:
        out = []
        seq = self._first
        for part in self._parts():
            n = len(part) // _W
            out += zip(range(seq, seq + n), *([iter(part)] * _W))
            seq += n
        return out

    def events(self) -> list:
        """The raw event tuples in the ring, oldest first: (seq, t, kind, pid, other, a, b,
        c, size)."""
        self._check()
        return self._tuples()

    def recording(self):
        """A `Recording` of what the ring holds now (a copy: recording goes on)."""
        from .recording import Recording
        events = self.events()
        rec = Recording(self._base.copy(), events, evicted=self.evicted,
                        max_events=self.max_events, max_bytes=self.max_bytes)
        rec.run = self.run
        return rec

    # ------------------------------------------------------------ hooks (hot ones first)
    # deliver, take_head and callback run for every message and every call: each builds
    # one tuple of the event's slots and extends the log with it, with locals bound and
    # the commonest cases first (a short string; a tuple seen last time: `_kept`, the
    # last small immutable tuple checked, which a forwarded message and an echoed
    # request meet again). Measured in instructions (callgrind), see docs/time-travel.md
    # "Cost". In the compiled build (runtime/_accel.py) recorder.pxd makes Recorder an
    # extension type and these hooks C functions: the compiled send and receive call them
    # with no Python frame (their `_recorder` is typed), and they read a process's pid and
    # mailbox from its C struct; a ring hop with the recorder on costs 1.2x off, not 1.65x.
    def deliver(self, target, msg) -> None:
        if type(msg) is str:
            n = len(msg)
            if n <= MAX_STR:        # kept as it is
                cur = self.rt.current
                now = self._now
                log = self._log
                log.extend((now(), "send", target.pid.id, cur and cur.pid.id, msg, None, None,
                            _STR_EVENT + n))
                if len(log) >= self._limit:
                    self._check()
                return
        cur = self.rt.current
        frm = cur and cur.pid.id
        how = None
        t = type(msg)
        if t is tuple:
            if len(msg) == 3 and msg[0] == "$gen_call":     # (tag, (pid, ref), request)
                who = msg[1]        # the caller (from another node it arrives while no
                if type(who) is tuple and who and type(who[0]) is Pid:     # one runs)
                    frm = who[0].id
                msg = msg[2]        # kept: the request (the rest is the sender and a ref)
                how = "call"
                t = type(msg)
            elif msg and (msg[0] == "EXIT" or msg[0] == "DOWN"):
                # from the process that exited, not whoever ran its exit (a killer)
                who = msg[1] if msg[0] == "EXIT" else (msg[3] if len(msg) == 5 else None)
                if type(who) is Pid:
                    frm = who.id
        if t is tuple:
            if msg is self._kept:
                size = self._kept_x
            else:
                size = _tuple_cost(msg, 0)
                if size >= 0:
                    self._kept, self._kept_x = msg, size
                else:
                    msg, size = preview(msg)
        elif t is str and len(msg) <= MAX_STR:
            size = 49 + len(msg)
        elif t in _FREE:
            size = 0
        else:
            msg, size = preview(msg)
        now = self._now
        log = self._log
        log.extend((now(), "send", target.pid.id, frm, msg, None, how, size + EVENT_BYTES))
        if len(log) >= self._limit:
            self._check()

    def take_head(self, proc) -> None:
        """`proc` takes its mailbox's head with no pattern (`take(proc, 0, None)`, written
        out: a plain receive() in every forwarding process). It does not check the caps:
        the delivery of what it takes did."""
        now = self._now
        self._log.extend((now(), "recv", proc.pid.id, None, 0, None, len(proc.mailbox) - 1,
                          EVENT_BYTES))

    def take(self, proc, index: int, matcher) -> None:
        """`proc` takes the message at `index` of its mailbox (before removal)."""
        size = EVENT_BYTES
        if matcher is not None:
            code = getattr(matcher, "__code__", None)
            if code is not None and code.co_name != "<lambda>":
                matcher = code          # shared by every call: keeps nothing alive
            else:
                size += 200             # a compiled pattern: kept to describe it later
        now = self._now
        self._log.extend((now(), "recv", proc.pid.id, None, index, matcher,
                          len(proc.mailbox) - 1, size))

    def handoff(self, proc, tag, value) -> None:
        """A call's reply `(tag, value)` handed straight to the caller waiting for it, when
        no callback's event holds it already (the hook in rt.reply skips the reply to the
        call whose tag `callback` noted in `_reply_tag`: a tag answers one call only)."""
        cur = self.rt.current
        msg, c = preview((tag, value))
        self._add("send", proc.pid, cur.pid if cur is not None else None, msg, None, "direct", c)

    def lost(self, pid, msg) -> None:
        """A message sent to a process that no longer exists: dropped, as on the BEAM."""
        cur = self.rt.current
        msg, c = preview(msg)
        self._add("send", pid, cur.pid if cur is not None else None, msg, None, "lost", c)

    def reply_dropped(self, pid, server, tag, value) -> None:
        """A GenServer reply `(tag, value)` from `server` on another node reached `pid`'s
        node after its caller gave up (timed out, or died): dropped on arrival, as OTP's
        alias does (runtime/nodes)."""
        msg, c = preview((tag, value))
        self._add("send", pid, server, msg, "late", "lost", c)

    def dropped(self, proc, index: int) -> None:
        mb = proc.mailbox
        self._add("drop", proc.pid, None, index, None, (len(mb) - 1) if mb else 0, 0)

    def flushed(self, proc) -> None:
        """`flush()` takes every queued message at once."""
        n = len(proc.mailbox) if proc.mailbox else 0
        for k in range(n):
            self._add("recv", proc.pid, None, 0, "flush", n - 1 - k, 0)

    def callback(self, server, name: str, result, tag=None) -> None:
        """A GenServer callback returned `result` (or raised: "raised", a Crash; called
        exit: "exited"). One for a message (handle_call/cast/info) is one "recv" event: the
        server took the head of its mailbox (the reactor took it just before; the event sits
        after what the callback itself did, with the mailbox's length now) and what the
        callback made of it. init and handle_continue are "gen" events. `tag`: a
        handle_call's call tag, whose reply this event holds (rt.reply records no other)."""
        t = type(result)
        kind = _RESULT_KIND.get(t)
        if kind is None:
            kind = _RESULT_KIND[t] = _KIND_NAMES.get(t.__name__, t.__name__.lower())
        if name == "exited":
            kind = "exited"
        state = server.state
        if type(state) is int and -_BIG < state < _BIG:
            x = EVENT_BYTES + 84        # the event's tuple of four, and the int
        elif state is self._kept:
            x = EVENT_BYTES + 56 + self._kept_x
        else:
            c = _small(state, 0)
            if c < 0:           # a mutable or large state: a bounded repr of it now
                state, c = preview(state)
            x = EVENT_BYTES + 56 + c
        reply = None
        if kind == "reply":
            self._reply_tag = tag
            reply = result.value
            if reply is self._kept:     # an echoed request
                x += self._kept_x
            else:
                tr = type(reply)
                if tr is str and len(reply) <= MAX_STR:
                    x += 49 + len(reply)
                elif tr is int and -_BIG < reply < _BIG:
                    x += 28
                else:
                    c = _small(reply, 0)
                    if c < 0:
                        reply, c = preview(reply)
                    elif tr is tuple:
                        self._kept, self._kept_x = reply, c
                    x += c
        elif kind == "crash" or kind == "exited":
            reply = _reason(result) if kind == "crash" else _reason(result.reason)
            x += _cost(reply)
        proc = self.rt.current
        if proc is not None and name not in _NOT_FOR_A_MESSAGE:
            now = self._now
            log = self._log
            log.extend((now(), "recv", proc.pid.id, None, 0, (name, kind, state, reply),
                        len(proc.mailbox or ()), x))
            if len(log) >= self._limit:
                self._check()
            return
        self._add("gen", proc.pid if proc is not None else None, None, name, kind,
                  (state, reply), x - EVENT_BYTES + 8)
        if name == "init":      # a supervisor's strategy and intensity, known from the start
            st = server.state
            intensity = getattr(st, "intensity", None)
            if type(intensity) is int and hasattr(st, "period") and hasattr(st, "restarts"):
                self._add("sup", proc.pid if proc is not None else None, None, "init",
                          {"strategy": getattr(st, "strategy", "one_for_one"),
                           "max_restarts": intensity, "max_seconds": st.period}, None, 400)

    def spawn(self, proc) -> None:
        call = "shell" if proc.fn is None and proc.reactor is None else self.rt.initial_call(proc)
        self._add("spawn", proc.pid, proc.parent, call, None, proc.pid.node or None, 64)

    def cluster(self, event, meta: dict, measurements: dict) -> None:
        """A node started or stopped, a connection came up or went down (runtime/nodes)."""
        what = event[1]
        if what == "node":
            self._add("node", None, None, event[2], meta["node"], None, 96)
        else:
            lost = (meta.get("reason"), measurements.get("lost", 0)) if event[2] == "down" else None
            self._add("connection", None, None, event[2], tuple(meta["nodes"]), lost, 128)

    def exited(self, proc, reason) -> None:
        self._add("exit", proc.pid, None, _reason(reason), None, proc.pid.node or None, 64)

    def signal(self, target, from_pid, reason, via_link: bool) -> None:
        """An exit signal reaches `target`; called before it is applied, so the
        outcome is worked out here by the same rules as `_exit_signal`."""
        if reason == "kill" and not via_link:
            outcome = "killed"
        elif target.trap_exit:
            outcome = "trapped"
        elif reason == "normal":
            outcome = "exit" if (from_pid == target.pid and not via_link) else "ignored"
        else:
            outcome = "exit"
        self._add("signal", target.pid, from_pid, _reason(reason), outcome, via_link, 64)

    def link(self, proc, pid) -> None:
        self._add("link", proc.pid, pid, None, None, None, 0)

    def unlink(self, proc, pid) -> None:
        self._add("unlink", proc.pid, pid, None, None, None, 0)

    def monitor(self, proc, target, ref) -> None:
        self._add("monitor", proc.pid, target, ref, None, None, 0)

    def demonitor(self, proc, ref, flush: bool) -> None:
        self._add("demonitor", proc.pid, None, ref, None, None, 0)
        if flush and proc.mailbox:
            mb = proc.mailbox
            hits = [i for i, m in enumerate(mb)
                    if type(m) is tuple and len(m) == 5 and m[0] == "DOWN" and m[1] is ref]
            for i in reversed(hits):
                self._add("drop", proc.pid, None, i, None, len(mb) - 1 - (len(hits) - 1), 0)

    def registered(self, name, pid) -> None:
        self._add("register", pid, None, name, None, None, 49 + len(name))

    def unregistered(self, name, pid) -> None:
        self._add("unregister", pid, None, name, None, None, 0)

    def timer(self, action: str, timer, seconds=None) -> None:
        cur = self.rt.current
        pid = cur.pid if cur is not None else None
        if action == "fire" and getattr(timer.fn, "__name__", None) == "_receive_timeout":
            action, pid = "timeout", timer.args[0].pid     # a receive's `timeout` passed
        self._add("timer", pid, None, action, timer.seq, seconds, 0)

    def supervisor(self, event: tuple, meta: dict) -> None:
        """A supervisor's telemetry event (("beamlab", "supervisor", name), metadata), handed
        over by otp/_rt.emit as it is emitted: attaching a telemetry handler would make every
        spawn and exit build its telemetry event too (~1.7 µs a spawn here)."""
        if event[-1] not in _SUP_EVENTS:
            return
        try:
            details = {}
            for k in _SUP_KEYS:
                if k in meta:
                    v = meta[k]
                    details[k] = v if type(v) in (int, float, bool, str, Pid, type(None)) and \
                        (type(v) is not str or len(v) <= MAX_STR) else _reason(v) if k in ("reason", "error") \
                        else preview(v)[0]
            child = meta.get("new_pid") or meta.get("pid")
            self._add("sup", meta.get("supervisor"), child if type(child) is Pid else None,
                      event[-1], details, None, 400)
        except Exception:      # never let a recorder bug detach itself or break a supervisor
            pass


def attach(rt, record) -> Recorder | None:
    """What `Runtime(record=...)` does: True (defaults), a dict of Recorder options, or
    a Recorder; False/None records nothing."""
    if record is None or record is False:
        return None
    if record is True:
        rec = Recorder()
    elif isinstance(record, dict):
        rec = Recorder(**record)
    elif isinstance(record, Recorder):
        rec = record
    else:
        raise ValueError(f"record={record!r}: give True, False, a Recorder(max_events=..., "
                         f"max_bytes=...), or a dict of those options")
    return rec.attach(rt)


# Last: this module's compiled twin, when one was built, replaces it (see _accel.py).
from ._accel import swap as _swap  # noqa: E402
_swap(__name__)
