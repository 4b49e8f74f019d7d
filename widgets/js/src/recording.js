// What a recorded event means, in words: shared by the exported player (player.js) and the
// live widgets' timeline (timeline.js), so an event reads the same in both.
//
// Events are runtime/recording.py's `Recording.events()` dicts. `indexEvents(events)` finds,
// once, the message each receive took (by seq) and a supervisor's decision as one group (the
// children it restarts after one failure); `describe(e, ix)` says what the event did, and
// `markOf(e)` whether a timeline marks it (a crash, a restart, giving up).

// A pid as the BEAM prints it, with its node (docs/distribution.md): `<0.N.0>` on the home
// node, `<K.N.0>` on the K-th node started. Events keep pids as bare numbers; `nodes`
// ({pid number: node}, only other nodes' processes) says where each lives, as
// runtime/recording.py's pid_text does; ix.nodes from indexEvents is one.
export const pidText = (n, nodes) =>
  (n === null || n === undefined ? "—" : `<${(nodes && nodes[n]) || 0}.${n}.0>`);
export const clip = (s, n) => (s && s.length > n ? s.slice(0, n - 1) + "…" : s || "");
export const abnormal = (r) => !!r && !["normal", "shutdown", "killed"].includes(r) && !r.startsWith("('shutdown'");

// {bySeq: Map(seq -> message {seq, from, to, text, direct, lost}),
//  groups: Map(seq of a restart -> {ids: [child ids], failed}),
//  nodes: {pid number: node} for other nodes' processes: `known` (what the caller knows,
//  e.g. the baseline's or the moment's) and the spawn/exists/exit events' own `node`}
export function indexEvents(events, known) {
  const bySeq = new Map();
  const groups = new Map();
  const open = new Map();           // supervisor pid -> the group being filled
  const nodes = Object.assign({}, known || {});
  for (const e of events) {
    if (e.node && (e.kind === "spawn" || e.kind === "exists" || e.kind === "exit")) nodes[e.pid] = e.node;
    if (e.kind === "send") {
      bySeq.set(e.seq, { seq: e.seq, from: e.other, to: e.pid, text: e.text, direct: e.direct || e.lost, lost: e.lost });
    } else if (e.kind === "sup") {
      const d = e.details || {};
      if (e.event === "child_exit" && d.restarting) open.set(e.pid, { ids: [], failed: d.child_id });
      else if (e.event === "restart") {
        if (!open.has(e.pid)) open.set(e.pid, { ids: [], failed: d.child_id });
        const g = open.get(e.pid);
        g.ids.push(d.child_id);
        groups.set(e.seq, g);
      }
    }
  }
  return { bySeq, groups, nodes };
}

// a supervisor's decision as one group: "one_for_all: b failed, restarting a, b, c — 1/3 in 5 s"
export function decision(e, ix) {
  const g = ix.groups.get(e.seq), d = e.details || {};
  if (!g || g.ids.length < 2) return e.text;
  const win = d.restarts_in_window !== undefined ? ` — ${d.restarts_in_window}/${d.max_restarts} in ${d.max_seconds} s` : "";
  return `${d.strategy}: ${g.failed} failed, restarting ${g.ids.join(", ")}${win} (now ${d.child_id} → ${pidText(d.new_pid, ix.nodes)})`;
}

// the decision text to spell out at this event, or null
export function decisionAt(e, ix) {
  if (!e || e.kind !== "sup" || !e.text) return null;
  return e.event === "restart" ? decision(e, ix) : e.text;
}

export function markOf(e) {
  if (e.kind === "exit" && abnormal(e.reason)) return { cls: "crash", label: `${pidText(e.pid, {[e.pid]: e.node})} crashed: ${e.reason}` };
  if (e.kind === "sup" && e.event === "restart") return { cls: "restart", label: e.text };
  if (e.kind === "sup" && e.event === "escalate") return { cls: "giveup", label: e.text };
  return null;
}

export function describe(e, ix) {
  if (!e) return "Start of the recording: the processes alive then.";
  const nodes = (ix && ix.nodes) || {};
  if (e.node && (e.kind === "spawn" || e.kind === "exists" || e.kind === "exit")) nodes[e.pid] = e.node;
  const p = pidText(e.pid, nodes), o = pidText(e.other, nodes);
  switch (e.kind) {
    case "spawn": return e.parent === null ? `${p} started (${e.call})` : `${pidText(e.parent, nodes)} spawned ${p} (${e.call})`;
    case "exists": return `${p} (${e.call}) was alive when recording started`;
    case "exit": return `${p} exited: ${e.reason}`;
    case "link": return `${p} linked to ${o}`;
    case "unlink": return `${p} unlinked from ${o}`;
    case "monitor": return `${p} monitors ${e.target}`;
    case "demonitor": return `${p} stopped monitoring (${e.ref})`;
    case "signal": {
      const how = { trapped: "it traps exits: an EXIT message is queued for it",
                    ignored: "a normal exit: ignored", killed: "untrappable: it is killed",
                    exit: "it dies with that reason" }[e.outcome] || e.outcome;
      return `exit signal ${e.reason} from ${o} to ${p}${e.via_link ? " through their link" : ""} — ${how}`;
    }
    case "send":
      if (e.lost) return `${o} → ${p}: ${e.text} — lost: ${p} no longer exists, the message is dropped`;
      return e.direct ? `${o} → ${p}: ${e.text} (handed over)` : `${o} → ${p}: ${e.text}`;
    case "recv": case "drop": {
      const m = e.took !== undefined && e.took !== null ? ix.bySeq.get(e.took) : null;
      const text = m ? m.text : "a message queued before the recording";
      let s = `${p} ${e.kind === "drop" ? "dropped" : "took"} ${text}`;
      if (e.pattern) s += ` (pattern ${e.pattern})`;
      if (e.skipped && e.skipped.length) s += `, skipping ${e.skipped.length} queued before it`;
      if (e.result === "crash" || e.result === "exited") s += ` — the callback ${e.result === "crash" ? "raised" : "called exit"}: ${e.reason}`;
      else if (e.callback) s += ` — ${e.callback} → ${e.result}${e.reply !== null && e.reply !== undefined ? " " + e.reply : ""}; state ${e.state}`;
      return s;
    }
    case "gen": return `${p} ${e.callback} → ${e.result}; state ${e.state}`;
    case "register": return `${p} registered as ${e.name}`;
    case "unregister": return `${p} unregistered ${e.name}`;
    case "timer": return e.action === "timeout" ? `${p}'s receive timed out` : `timer ${e.timer}: ${e.action}${e.seconds !== null && e.seconds !== undefined ? " " + e.seconds + " s" : ""}`;
    case "sup": {
      if (e.event === "restart") return `${p} ${decision(e, ix)}`;
      if (e.text) return `${p} ${e.text}`;
      const d = e.details || {};
      return `${p} supervisor: ${e.event.replace("_", " ")} ${d.child_id !== undefined ? d.child_id : ""} ${e.other !== null && e.other !== undefined ? o : ""}${d.reason ? " (" + d.reason + ")" : ""}`;
    }
    default: return `${e.kind} ${p}`;
  }
}

// presenter keys (the player's and the widgets'): the action a key stands for, or null
export function presenterKey(ev) {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return null;
  const t = ev.target;
  if (t && ((t.tagName === "INPUT" && t.type !== "range") || t.tagName === "TEXTAREA" || t.isContentEditable)) return null;
  const k = ev.key;
  if (k === "ArrowRight") return "next";
  if (k === "ArrowLeft") return "prev";
  if (k === " " || k === "Spacebar") return "play";
  if (k === "+" || k === "=") return "faster";
  if (k === "-" || k === "_") return "slower";
  if (k === "f" || k === "F") return "full";
  if (k === "l" || k === "L") return "large";
  if (k === "Home") return "first";
  if (k === "End") return "last";
  return null;
}

export const SPEEDS = [1, 2, 5, 10, 20, 50, 100, 200];     // events per second
