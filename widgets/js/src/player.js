// beamlab recording player (issue 13, point 5): built by widgets/js/build.mjs into
// static/player.js as one dependency-free script (an IIFE, not a module), which
// widgets/export.py inlines into one self-contained HTML page with the recording as JSON
// in <script type="application/json" id="beamlab-recording">. What an event means
// (describe, the decision groups, the marks, the keys) is recording.js, shared with the
// live widgets' timeline.
//
// How this works: the recording is a baseline (who was alive when the window starts) and
// the events after it (runtime/recording.py, to_json). The player keeps a cursor (the index
// of the last event applied, -1 = the baseline) and draws the state there: the supervision
// tree (processes alive, parent -> child, supervisors' restarts and intensity window), the
// sequence trace (messages up to the cursor, lanes per process) and an inspector (the
// selected process's state and mailbox). State at any cursor = a keyframe (every 200
// events) plus the events after it; messages are precomputed once with the index of the
// event that queued and that took them. Keys: <- -> step, space play/pause, + - speed,
// F full screen, L large font, Home End.
import { SPEEDS, clip, decision as decisionOf, describe as describeEvent, indexEvents, markOf, pidText,
         presenterKey } from "./recording.js";

(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const data = JSON.parse(document.getElementById("beamlab-recording").textContent);
  const events = data.events;
  const N = events.length;
  const KEYFRAME = 200;

  // ---------------------------------------------------------------- text helpers
  const shortCall = (c) => {      // "Counter.init/1" stays; "my.module.worker" -> "worker"
    if (!c) return "";
    const parts = c.split(".");
    return c.length > 18 && parts.length > 1 ? parts[parts.length - 1] : c;
  };

  // ---------------------------------------------------------------- messages, once
  // every message: {idx, seq, from, to, text, direct, reply, takenIdx, goneIdx}
  const messages = [];
  const bySeq = new Map();
  const exitIdx = new Map();      // pid -> [indices of its exits]
  events.forEach((e, i) => {
    if (e.kind === "send") {
      const now = e.direct || e.lost;     // handed over, or lost: never queued
      const m = {idx: i, seq: e.seq, from: e.other, to: e.pid, text: e.text, direct: now,
                 lost: e.lost, reply: false, takenIdx: now ? i : null, goneIdx: now ? i : null};
      messages.push(m);
      bySeq.set(e.seq, m);
    } else if (e.kind === "recv" || e.kind === "drop") {
      for (const s of e.dropped || []) {      // taken unrecorded before (e.g. a GenServer's $system message)
        const d = bySeq.get(s);
        if (d && d.takenIdx === null) { d.takenIdx = i; d.goneIdx = i; }
      }
      if (e.took === undefined || e.took === null) return;
      const m = bySeq.get(e.took);
      if (m) { m.takenIdx = i; m.goneIdx = i; m.takenBy = e.kind; }
      if (e.result === "reply" && m) {
        messages.push({idx: i, seq: e.seq, from: e.pid, to: m.from, text: e.reply, direct: true,
                       reply: true, takenIdx: i, goneIdx: i});
      }
    } else if (e.kind === "exit") {
      if (!exitIdx.has(e.pid)) exitIdx.set(e.pid, []);
      exitIdx.get(e.pid).push(i);
    }
  });
  // what each event means, and a supervisor's decision as one group (recording.js)
  // (other nodes' pids print <K.N.0>: their nodes from the baseline and the spawn events)
  const ix = indexEvents(events, Object.fromEntries(data.base.procs.filter((p) => p.node).map((p) => [p.pid, p.node])));
  const decision = (e) => decisionOf(e, ix);
  const pidOf = (n) => pidText(n, ix.nodes);
  for (const m of messages) {        // a message still queued when its receiver died is gone then
    if (m.goneIdx !== null) continue;
    const ex = (exitIdx.get(m.to) || []).find((x) => x > m.idx);
    if (ex !== undefined) m.goneIdx = ex;
  }

  // ---------------------------------------------------------------- state replay
  function baseState() {
    const procs = {};
    for (const p of data.base.procs) procs[p.pid] = Object.assign({}, p, {links: undefined});
    const sups = {};
    for (const [k, v] of Object.entries(data.base.sups || {})) sups[k] = JSON.parse(JSON.stringify(v));
    return {procs, sups};
  }
  function proc(s, n) {
    if (!s.procs[n]) s.procs[n] = {pid: n, parent: null, call: "?", name: null, alive: true,
                                   reason: null, born: null, died: null, state: null};
    return s.procs[n];
  }
  function sup(s, n) {
    if (!s.sups[n]) s.sups[n] = {strategy: null, intensity: null, period: null, failures: [],
                                 restarts: 0, gave_up: false, children: {}, child_restarts: {},
                                 decision: null};
    return s.sups[n];
  }
  function apply(s, e) {
    switch (e.kind) {
      case "spawn": case "exists": {
        const p = proc(s, e.pid);
        Object.assign(p, {parent: e.parent, call: e.call, alive: true, born: e.seq, died: null, reason: null});
        if (e.name) p.name = e.name;
        break;
      }
      case "exit": Object.assign(proc(s, e.pid), {alive: false, reason: e.reason, died: e.seq}); break;
      case "register": proc(s, e.pid).name = e.name; break;
      case "unregister": proc(s, e.pid).name = null; break;
      case "gen": proc(s, e.pid).state = e.state; break;
      case "recv": if (e.callback) proc(s, e.pid).state = e.state; break;
      case "sup": {
        const x = sup(s, e.pid), d = e.details || {};
        if (d.strategy) x.strategy = d.strategy;
        if (d.max_restarts !== undefined && d.max_restarts !== null) x.intensity = d.max_restarts;
        if (d.max_seconds !== undefined && d.max_seconds !== null) x.period = d.max_seconds;
        if (e.event === "child_exit" && d.restarting) x.failures.push(e.t);
        if (e.event === "restart") {
          x.restarts += 1;
          x.child_restarts[d.child_id] = (x.child_restarts[d.child_id] || 0) + 1;
          x.decision = {seq: e.seq, text: e.text};
        }
        if (e.event === "escalate") { x.gave_up = true; x.decision = {seq: e.seq, text: e.text}; }
        break;
      }
    }
  }
  const keyframes = [baseState()];     // keyframes[k] = state after event k*KEYFRAME - 1
  let cache = {idx: -1, state: keyframes[0]};
  function clone(s) { return JSON.parse(JSON.stringify(s)); }
  function stateAt(i) {
    if (i === cache.idx) return cache.state;
    let from, s;
    if (i > cache.idx && cache.state !== keyframes[0]) { from = cache.idx; s = cache.state; }
    else {
      const k = Math.min(Math.floor((i + 1) / KEYFRAME), keyframes.length - 1);
      from = k * KEYFRAME - 1; s = clone(keyframes[k]);
    }
    for (let j = from + 1; j <= i; j++) {
      apply(s, events[j]);
      if ((j + 1) % KEYFRAME === 0 && keyframes.length === (j + 1) / KEYFRAME) keyframes.push(clone(s));
    }
    cache = {idx: i, state: s};
    return s;
  }

  // ---------------------------------------------------------------- the page
  const el = (tag, attrs, ...kids) => {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") n.className = v; else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v);
    }
    for (const k of kids) n.append(k);
    return n;
  };
  const svgEl = (tag, attrs, text) => {
    const n = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    return n;
  };
  const app = document.getElementById("app");
  const counter = el("span", {id: "counter"});
  const clock = el("span", {id: "clock"});
  const speedLabel = el("span", {id: "speed"});
  const playBtn = el("button", {id: "play", title: "play / pause (space)", onclick: () => togglePlay()}, "▶");
  const scrub = el("input", {id: "scrub", type: "range", min: "-1", max: String(N - 1), value: String(N - 1),
                             "aria-label": "timeline"});
  const marks = el("div", {id: "marks"});
  const what = el("div", {id: "what"});
  const treeBox = el("div", {id: "tree", class: "panel"});
  const seqBox = el("div", {id: "sequence", class: "panel"});
  const inspector = el("div", {id: "inspector", class: "panel"});
  app.append(
    el("header", {},
       el("strong", {}, document.title),
       el("span", {class: "controls"},
          el("button", {title: "first (Home)", onclick: () => { stop(); go(-1); }}, "«"),
          el("button", {id: "back", title: "step back (←)", onclick: () => step(-1)}, "‹"),
          playBtn,
          el("button", {id: "fwd", title: "step (→)", onclick: () => step(1)}, "›"),
          el("button", {title: "last (End)", onclick: () => { stop(); go(N - 1); }}, "»"),
          el("button", {title: "slower (−)", onclick: () => faster(-1)}, "−"), speedLabel,
          el("button", {title: "faster (+)", onclick: () => faster(1)}, "+"),
          el("button", {id: "large", title: "large font (L)", onclick: () => toggleLarge()}, "A+"),
          el("button", {id: "full", title: "full screen (F)", onclick: () => toggleFull()}, "Full")),
       counter, clock),
    el("div", {id: "timeline"}, scrub, marks),
    what,
    el("main", {}, treeBox, seqBox, inspector));
  if (data.evicted) app.prepend(el("div", {class: "note"},
    `The recording starts after ${data.evicted.toLocaleString()} earlier events (the recorder's ring was full).`));

  // crashes, restarts and give-ups on the timeline
  events.forEach((e, i) => {
    const mark = markOf(e);
    if (!mark) return;
    const left = N > 1 ? (100 * (i + 1)) / N : 100;
    marks.append(el("button", {class: `mark ${mark.cls}`, style: `left: calc(${left}% - 4px)`, title: mark.label,
                               "data-index": String(i), onclick: () => { stop(); go(i); }}));
  });

  // ---------------------------------------------------------------- describing an event
  const describe = (e) => describeEvent(e, ix);

  // ---------------------------------------------------------------- the tree
  let selected = null;
  function drawTree(i, s) {
    const e = events[i];
    const alive = Object.values(s.procs).filter((p) => p.alive || (e && e.kind === "exit" && p.pid === e.pid));
    const ids = new Set(alive.map((p) => p.pid));
    const kids = {};
    const roots = [];
    for (const p of alive.sort((a, b) => a.pid - b.pid)) {
      if (p.parent !== null && ids.has(p.parent)) (kids[p.parent] = kids[p.parent] || []).push(p.pid);
      else roots.push(p.pid);
    }
    const big = document.body.classList.contains("large");     // projector mode: bigger boxes
    const W = big ? 210 : 132, H = big ? 100 : 70, BH = big ? 48 : 32, F = big ? 1.45 : 1, pos = {};
    let leaf = 0, depthMax = 0, count = 0;
    const place = (n, depth) => {
      if (count++ > 600) return;
      depthMax = Math.max(depthMax, depth);
      const c = kids[n] || [];
      if (!c.length) { pos[n] = {x: leaf++ * W + W / 2, y: depth * H + 30}; return; }
      c.forEach((k) => place(k, depth + 1));
      pos[n] = {x: (pos[c[0]].x + pos[c[c.length - 1]].x) / 2, y: depth * H + 30};
    };
    roots.forEach((r) => place(r, 0));
    const width = Math.max(leaf * W, 300), height = (depthMax + 1) * H + 30;
    const svg = svgEl("svg", {viewBox: `0 0 ${width} ${height}`, width, height, class: "tree"});
    for (const [parent, cs] of Object.entries(kids)) {
      for (const c of cs) {
        if (!pos[parent] || !pos[c]) continue;
        const hot = e && e.kind === "signal" && ((e.pid === c && e.other === +parent) || (e.pid === +parent && e.other === c));
        svg.append(svgEl("line", {x1: pos[parent].x, y1: pos[parent].y + BH / 2 - 2, x2: pos[c].x, y2: pos[c].y - BH / 2 + 2,
                                  class: hot ? "edge signal" : "edge"}));
      }
    }
    for (const p of alive) {
      const at = pos[p.pid];
      if (!at) continue;
      const sp = s.sups[p.pid];
      const cls = ["node"];
      if (!p.alive) cls.push("dying");
      if (sp) cls.push("supervisor");
      if (e && e.pid === p.pid) cls.push("hot");
      if (e && e.other === p.pid) cls.push("hot2");
      if (selected === p.pid) cls.push("selected");
      const g = svgEl("g", {class: cls.join(" "), "data-pid": p.pid, transform: `translate(${at.x},${at.y})`});
      g.addEventListener("click", () => { selected = p.pid; render(); });
      g.append(svgEl("rect", {x: -W / 2 + 6, y: -BH / 2, width: W - 12, height: BH, rx: 6}));
      g.append(svgEl("text", {y: -2 * F, class: "pid"}, `${pidOf(p.pid)}${p.name ? " " + p.name : ""}`));
      g.append(svgEl("text", {y: 11 * F, class: "call"}, clip(shortCall(p.call), 20)));
      if (sp) {
        const win = sp.period !== null && sp.period !== undefined
          ? sp.failures.filter((t) => t >= (e ? e.t : data.base.t || 0) - sp.period).length : sp.failures.length;
        const lim = sp.intensity !== null && sp.intensity !== undefined ? ` · ${win}/${sp.intensity} in ${sp.period} s` : "";
        g.append(svgEl("text", {y: BH / 2 + 12 * F, class: "restarts"},
                       `${sp.strategy || ""} ↻${sp.restarts}${lim}${sp.gave_up ? " · gave up" : ""}`));
      }
      if (!p.alive) g.append(svgEl("text", {y: -BH / 2 - 4, class: "reason"}, clip(`✕ ${p.reason}`, 28)));
      g.append(svgEl("title", {}, `${pidOf(p.pid)} ${p.call}${p.state ? "\nstate " + p.state : ""}`));
      svg.append(g);
    }
    treeBox.replaceChildren(el("h3", {}, "Supervision tree"), svg);
    const d = e && e.kind === "sup" && e.text ? (e.event === "restart" ? decision(e) : e.text) : null;
    if (d) treeBox.append(el("div", {class: "decision"}, d));
  }

  // ---------------------------------------------------------------- the sequence trace
  function drawSequence(i) {
    const shown = messages.filter((m) => m.idx <= i).slice(-30);
    const lanes = [];
    for (const m of shown) for (const p of [m.from, m.to]) if (p !== null && !lanes.includes(p) && lanes.length < 10) lanes.push(p);
    const LW = 120, RH = 24, width = Math.max(lanes.length * LW, 200), height = shown.length * RH + 40;
    const svg = svgEl("svg", {viewBox: `0 0 ${width} ${height}`, width, height, class: "seq"});
    const x = (p) => lanes.indexOf(p) * LW + LW / 2;
    lanes.forEach((p) => {
      svg.append(svgEl("line", {x1: x(p), y1: 24, x2: x(p), y2: height, class: "lane"}));
      const t = svgEl("text", {x: x(p), y: 16, class: "lanehead", "data-pid": p}, pidOf(p));
      t.addEventListener("click", () => { selected = p; render(); });
      svg.append(t);
    });
    shown.forEach((m, r) => {
      if (!lanes.includes(m.from) || !lanes.includes(m.to)) return;
      const y = 40 + r * RH, x1 = x(m.from), x2 = x(m.to);
      const cls = ["msg"];
      if (m.idx === i) cls.push("now");
      if (m.reply) cls.push("reply");
      if (m.lost) cls.push("lost");
      if (m.takenIdx === null || m.takenIdx > i) cls.push("queued");
      const g = svgEl("g", {class: cls.join(" "), "data-seq": m.seq});
      if (x1 === x2) g.append(svgEl("path", {d: `M${x1},${y} c 30,0 30,${RH / 2} 0,${RH / 2}`, class: "arrow"}));
      else g.append(svgEl("line", {x1, y1: y, x2: x2 + (x2 > x1 ? -4 : 4), y2: y, class: "arrow"}));
      g.append(svgEl("text", {x: (x1 + x2) / 2, y: y - 4, class: "label"}, clip(m.text, 34)));
      g.append(svgEl("title", {}, `${pidOf(m.from)} → ${pidOf(m.to)}: ${m.text}`));
      svg.append(g);
    });
    seqBox.replaceChildren(el("h3", {}, "Sequence trace"), svg);
  }

  // ---------------------------------------------------------------- the inspector
  function mailboxAt(pid, i) {
    return messages.filter((m) => m.to === pid && !m.direct && m.idx <= i && (m.goneIdx === null || m.goneIdx > i));
  }
  function drawInspector(i, s) {
    const e = events[i];
    const pid = selected !== null ? selected : (e ? e.pid : null);
    inspector.replaceChildren(el("h3", {}, "Inspector"));
    const p = pid !== null ? s.procs[pid] : null;
    if (!p) { inspector.append(el("p", {class: "hint"}, "Click a process in the tree or a lane.")); return; }
    const dl = el("dl", {});
    const row = (k, v) => { dl.append(el("dt", {}, k), el("dd", {}, v === null || v === undefined ? "—" : String(v))); };
    row("pid", pidOf(p.pid) + (p.name ? ` (${p.name})` : ""));
    row("initial call", p.call);
    row("parent", pidOf(p.parent));
    row("status", p.alive ? "alive" : `exited: ${p.reason}`);
    if (p.state !== null && p.state !== undefined) row("state", p.state);
    const sp = s.sups[p.pid];
    if (sp) row("restarts", `${sp.restarts}${sp.strategy ? " (" + sp.strategy + ")" : ""}; last decision: ${sp.decision ? sp.decision.text : "none yet"}`);
    inspector.append(dl);
    // the mailbox as a queue: at a receive of this process, the one it takes and the skipped
    const taking = e && (e.kind === "recv" || e.kind === "drop") && e.pid === p.pid ? e : null;
    const queue = mailboxAt(p.pid, taking ? i - 1 : i);
    const ol = el("ol", {class: "mailbox"});
    for (const m of queue) {
      let cls = "";
      if (taking && m.seq === taking.took) cls = "took";
      else if (taking && (taking.skipped || []).includes(m.seq)) cls = "skipped";
      ol.append(el("li", {class: cls, "data-seq": String(m.seq)}, `${clip(m.text, 60)}  ← ${pidOf(m.from)}`));
    }
    inspector.append(el("h4", {}, `mailbox (${queue.length})`), queue.length ? ol : el("p", {class: "hint"}, "empty"));
  }

  // ---------------------------------------------------------------- cursor, play, keys
  let cursor = Math.min(0, N - 1), timer = null, speedIdx = 3;     // from the first event, paused
  function render() {
    const s = stateAt(cursor);
    const e = events[cursor];
    scrub.value = String(cursor);
    counter.textContent = `event ${cursor + 1} / ${N}`;
    clock.textContent = e ? `t = ${(+e.t).toFixed(3)} s · seq ${e.seq}` : "start";
    speedLabel.textContent = `${SPEEDS[speedIdx]}/s`;
    what.textContent = describe(e);
    what.className = e ? `kind-${e.kind}` : "";
    drawTree(cursor, s);
    drawSequence(cursor);
    drawInspector(cursor, s);
    for (const m of marks.children) m.classList.toggle("current", +m.dataset.index === cursor);
  }
  function go(i) { cursor = Math.max(-1, Math.min(N - 1, i)); render(); }
  function step(d) { stop(); go(cursor + d); }
  function stop() { if (timer) { clearInterval(timer); timer = null; } playBtn.textContent = "▶"; document.body.classList.remove("playing"); }
  function play() {
    if (cursor >= N - 1) go(-1);
    playBtn.textContent = "||";
    document.body.classList.add("playing");
    const tick = () => { if (cursor >= N - 1) { stop(); return; } go(cursor + 1); };
    timer = setInterval(tick, 1000 / SPEEDS[speedIdx]);
  }
  function togglePlay() { if (timer) stop(); else play(); }
  function faster(d) {
    speedIdx = Math.max(0, Math.min(SPEEDS.length - 1, speedIdx + d));
    if (timer) { clearInterval(timer); timer = null; play(); }
    render();
  }
  function toggleLarge() { document.body.classList.toggle("large"); render(); }
  function toggleFull() {
    const on = !document.body.classList.contains("full");
    document.body.classList.toggle("full", on);
    try {
      if (on && document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
      else if (!on && document.fullscreenElement) document.exitFullscreen().catch(() => {});
    } catch (err) { /* a viewer without the Fullscreen API: the page still fills the window */ }
  }
  scrub.addEventListener("input", () => { stop(); go(+scrub.value); });
  document.addEventListener("keydown", (ev) => {
    const act = presenterKey(ev);
    if (act === "next") step(1);
    else if (act === "prev") step(-1);
    else if (act === "play") togglePlay();
    else if (act === "faster") faster(1);
    else if (act === "slower") faster(-1);
    else if (act === "full") toggleFull();
    else if (act === "large") toggleLarge();
    else if (act === "first") { stop(); go(-1); }
    else if (act === "last") { stop(); go(N - 1); }
    else return;
    ev.preventDefault();
  });
  window.beamlabPlayer = {
    get cursor() { return cursor; }, get playing() { return timer !== null; },
    get speed() { return SPEEDS[speedIdx]; }, events, go, state: () => stateAt(cursor),
  };
  render();
})();
