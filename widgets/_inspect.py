"""The inspector: what one process is doing, and the actions a click can take on it.

How this works: `describe(runtime, pid)` turns `process_info(pid)` into plain
JSON-able data for the panel (state, mailbox, stack, links, monitors) with
everything repr'd and bounded, so a huge mailbox or state cannot flood the
browser. A pid that is no longer alive is not an error: the panel says when it
died, why (from the exit log), and who took its place in the tree.

`perform(runtime, pid, action, reason)` sends the signal the button names and
returns the notice to show. Actions are the exit signals a learner would send by
hand in the Erlang shell:

    kill      exit(pid, "kill")           untrappable; the process dies with `killed`
    crash     exit(pid, reason)           the typed reason, e.g. "boom" (not normal)
    normal    exit(pid, "normal")         exactly what it does typed in a cell: nothing, for a
                                          process that does not trap exits (Erlang drops a normal
                                          exit signal from another process); a trapping one gets
                                          an {'EXIT', from, normal} message. The notice says which.
    exit_self exit("normal") in it        the process itself exits with reason normal (sent as
                                          if by the process), e.g. a transient child that ends
    shutdown  exit(pid, "shutdown")       how a supervisor asks a child to stop
"""
from __future__ import annotations

import time

from ._events import long_schedule_log
from ._procs import learner_function
from beamlab.runtime.recording import pid_text as recorded_pid_text

from ._runtime import exit_signal, pid_text, safe_repr

__all__ = ["describe", "describe_then", "perform", "ACTIONS"]

ACTIONS = ("kill", "crash", "normal", "shutdown", "exit_self")
MAILBOX_SHOWN = 25


def _fmt_pid(runtime, pid) -> str:
    info = runtime.process_info(pid) if pid is not None and not isinstance(pid, str) else None
    name = info.get("registered_name") if info else None
    text = pid_text(pid)
    if name:
        text += f" ({name})"
    if info is None and pid is not None and not isinstance(pid, str):
        text += " — dead"
    return text


def _fmt_monitor(runtime, mon) -> str:
    if isinstance(mon, tuple) and len(mon) == 2:
        a, b = mon
        return f"{_fmt_pid(runtime, b) if not isinstance(b, str) else b} (ref {a})"
    return _fmt_pid(runtime, mon) if not isinstance(mon, str) else mon


def _fmt_frame(frame) -> str:
    if isinstance(frame, (tuple, list)) and len(frame) == 3:
        file, line, fn = frame
        return f"{fn}  {file}:{line}"
    return safe_repr(frame, 300)


def _call_text(call) -> str:
    if isinstance(call, (tuple, list)):
        return "/".join(str(x) for x in call)
    return str(call) if call is not None else ""


def describe(runtime, pid, *, key: str | None = None, name: str | None = None,
             exits=None, replaced_by=None) -> dict:
    """Inspector data for `pid`: fields, state, mailbox, stack, links, monitors.

    >>> describe(rt, pid)["fields"][0]                      # doctest: +SKIP
    ['status', 'waiting']
    """
    label = name or ""
    info = runtime.process_info(pid) if pid is not None else None
    if info is None:
        reason = exits.reason(pid) if exits is not None and pid in exits else None
        when = exits.when(pid) if exits is not None and pid in exits else None
        at = f" at {time.strftime('%H:%M:%S', time.localtime(when))}" if when is not None else ""
        msg = f"{pid_text(pid) or label} is no longer alive"
        msg += f": it exited with reason {safe_repr(reason, 300)}{at}." if reason is not None else "."
        if replaced_by is not None:
            msg += f" Its supervisor restarted it as {pid_text(replaced_by)} — click the node to inspect the new process."
        else:
            msg += " There is nothing left to inspect or kill."
        return {"key": key, "pid": pid_text(pid), "alive": False,
                "title": f"{label} {pid_text(pid)}".strip(), "message": msg, "actions": []}
    label = info.get("registered_name") or label
    fields = [
        ["status", info.get("status", "")],
        ["behaviour", info.get("behaviour") or "—"],
        ["initial call", _call_text(info.get("initial_call"))],
        ["current function", learner_function(info)],
        ["reductions", info.get("reductions", 0)],
        ["memory", f"{info.get('memory', 0):,} bytes"],
        ["trap_exit", bool(info.get("trap_exit"))],
    ]
    loc = info.get("current_location")
    if loc:
        fields.insert(4, ["location", ":".join(str(x) for x in loc)])
    log = long_schedule_log(runtime, attach=False)
    held = log.describe(pid) if log is not None else ""
    if held:
        fields.append(["long_schedule", held])
    messages = list(info.get("messages") or [])
    mailbox_len = info.get("message_queue_len", len(messages))
    has_state = "state" in info and info.get("state") is not None
    return {
        "key": key, "pid": pid_text(pid), "alive": True,
        "title": f"{label} {pid_text(pid)}".strip(),
        "message": "",
        "fields": [[k, v if isinstance(v, (int, bool)) else str(v)] for k, v in fields],
        "state": safe_repr(info.get("state")) if has_state else None,
        "mailbox": [safe_repr(m, 300) for m in messages[:MAILBOX_SHOWN]],
        "mailbox_len": mailbox_len,
        "stack": [_fmt_frame(f) for f in (info.get("current_stacktrace") or [])][-30:],
        "links": [_fmt_pid(runtime, p) for p in (info.get("links") or [])][:50],
        "monitors": [_fmt_monitor(runtime, m) for m in (info.get("monitors") or [])][:50],
        "monitored_by": [_fmt_pid(runtime, p) for p in (info.get("monitored_by") or [])][:50],
        "actions": list(ACTIONS),
    }


def perform(runtime, pid, action: str, reason: str | None = None) -> dict:
    """Send the exit signal `action` names to `pid`; returns the notice to show.

    >>> perform(rt, pid, "kill")                             # doctest: +SKIP
    {'level': 'info', 'text': 'sent exit(<0.42.0>, "kill") ...'}
    """
    if action not in ACTIONS:
        return {"level": "error", "text": f"unknown action {action!r}; use one of {', '.join(ACTIONS)}"}
    info = runtime.process_info(pid) if pid is not None else None
    if info is None:
        return {"level": "warning",
                "text": f"{pid_text(pid)} is no longer alive — it exited before the click arrived, "
                        "so there was nothing to {action}. Click its node again to see what replaced it."
                        .replace("{action}", action)}
    if action == "crash":
        sig = (reason or "boom").strip() or "boom"
        if sig in ("normal", "kill"):
            sig = f"crash: {sig}"
    else:
        sig = {"kill": "kill", "normal": "normal", "exit_self": "normal", "shutdown": "shutdown"}[action]
    exit_signal(runtime, pid, sig, from_self=(action == "exit_self"))
    if action == "normal":
        if info.get("trap_exit"):
            what = ("it traps exits, so the signal became a message in its mailbox: "
                    f"('EXIT', from, 'normal'); it keeps running unless its code decides otherwise")
        else:
            what = ("nothing happened, as on the BEAM: a normal exit signal from another process is "
                    "ignored by a process that does not trap exits. To end it normally, use "
                    '"Make it exit normally" (as if it called exit("normal") itself)')
        return {"level": "info", "text": f'exit({pid_text(pid)}, "normal") — {what}.'}
    if action == "exit_self":
        return {"level": "info", "text": (
            f'{pid_text(pid)} called exit("normal") itself — it ends with reason normal; its links '
            "and monitors are told, and a supervisor restarts it only if it is permanent.")}
    what = {
        "kill": "an untrappable kill: it dies with reason killed",
        "crash": f"it exits with reason {sig!r}",
        "shutdown": "it exits with reason shutdown (a supervisor treats that as an orderly stop)",
    }[action]
    return {"level": "info", "text": f'exit({pid_text(pid)}, "{sig}") — {what}.'}


def _then(n, state=None) -> str:
    """Recorded pid number `n` as it prints, with its node (<1.57.0> on the first node
    started: the recording's spawn events say which node; runtime/recording.pid_text)."""
    return recorded_pid_text(n, getattr(state, "node_of", None))


def describe_then(state, n, *, key: str | None = None, name: str = "", before=None,
                  event: dict | None = None, t0: float | None = None) -> dict:
    """Inspector data for process number `n` as a recording says it was at `state`'s moment
    (a `State` from `Recording.state_at`): its state after its last callback, its mailbox
    then, links, parent; no actions (the past cannot be killed).

    At a receive of this process (`event` is that recv/drop event, `before` the state just
    before it), `queue` is the mailbox as it was before the receive, each message marked
    "took" (the one the receive takes) or "skipped" (queued before it; they stay behind).
    """
    at = f"event {state.seq}" + (f" ({state.t - t0:.3f} s in)" if state.t is not None and t0 is not None else "")
    p = state.process(n) if n is not None else None
    label = (p or {}).get("name") or name or ""
    pid = _then(n, state)
    title = f"{label} {pid}".strip()
    if p is None:
        return {"key": key, "pid": pid, "alive": False, "title": title or "?", "actions": [],
                "message": f"{pid or label} is not in the recording at {at}: it had not started "
                           "then (or it left the recorder's window)."}
    if not p["alive"]:
        return {"key": key, "pid": pid, "alive": False, "title": title, "actions": [],
                "message": f"At {at} {pid} had exited with reason {p['reason']}."}
    fields = [["status", "alive"], ["initial call", p.get("call") or "?"],
              ["parent", _then(p.get("parent"), state) or "—"]]
    if p.get("trap"):
        fields.append(["trap_exit", True])
    cb = p.get("callback")
    if cb:
        last = f"{cb['callback']} → {cb['result']}"
        if cb.get("reply") is not None:
            last += f" {cb['reply']}"
        fields.append(["last callback", f"{last} (event {cb['seq']})"])
    queued = state.mailbox(n)
    unknown = state.mailbox_unknown(n) or 0
    data = {
        "key": key, "pid": pid, "alive": True, "title": title,
        "message": f"As it was at {at}. Drag the timeline or press Live for now.",
        "fields": fields,
        "state": p.get("state"),
        "mailbox": [f"{m['text']}  ← {_then(m['from'], state)}" for m in queued[:MAILBOX_SHOWN]],
        "mailbox_len": len(queued) + unknown,
        "links": [_then(m, state) for m in p.get("links", [])][:50],
        "actions": [],
    }
    if unknown:
        data["mailbox"].insert(0, f"({unknown} queued before the recording started)")
    if event is not None and before is not None and event.get("pid") == n \
            and event.get("kind") in ("recv", "drop"):
        skipped = set(event.get("skipped") or ())
        queue = []
        for m in before.mailbox(n)[:MAILBOX_SHOWN]:
            cls = "took" if m["seq"] == event.get("took") else "skipped" if m["seq"] in skipped else ""
            queue.append({"text": f"{m['text']}  ← {_then(m['from'], before)}", "cls": cls, "seq": m["seq"]})
        data["queue"] = queue
        data["queue_note"] = ("the receive takes the green one" + (
            "; the grey ones before it do not match its pattern and stay queued" if skipped else ""))
    return data
