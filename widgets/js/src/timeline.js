// The timeline under a live widget (tree, sequence trace): scrub back through the flight
// recorder, jump to a crash or restart, step and play through it, presenter keys.
//
// Python (widgets/timeline.py) keeps four traits: `timeline` {first, last} (empty when the
// runtime does not record), `marks` [{seq, from, kind, text}], `at` (the seq shown, -1 =
// live) and `moment` (the event at `at` and a few around it). This asks for a moment with {type: "scrub", seq}
// ({seq: null} = live) and waits for the answer (`at` changes) before asking for the
// next one, so dragging or playing never queues up more than one request. What an event
// means is recording.js's describe(), the same words as the exported player's.
//
// Keys (only while the widget has focus — click it, or Tab to it; never JupyterLab's
// elsewhere): space play/pause, ←/→ step, +/− speed, F full screen, L large font,
// Home/End first/last event. Escape leaves full screen.
import { h } from "./inspector.js";
import { SPEEDS, decisionAt, describe, indexEvents, presenterKey } from "./recording.js";

const ANSWER_MS = 5000;     // a scrub not answered by then is given up on
// The presenter's choices (speed, large font) per widget (its static_id), so a view drawn
// again (JupyterLab re-renders an output, e.g. when the notebook is saved) keeps them.
const PRESENTER = new Map();

// `restored`: the state() of the view this one replaces (views.js keepAcrossRedraw), so a
// playing timeline plays on and full screen stays (as far as the browser allows).
export function attachTimeline({ model, root, send, onLarge, restored }) {
  const btn = (action, text, title) => h("button", { class: `bl-btn bl-tl-${action}`, "data-action": action, title }, text);
  const live = btn("live", "● Live", "back to now (the live picture)");
  const first = btn("first", "«", "first event (Home)");
  const prev = btn("prev", "‹", "step back (←)");
  const play = btn("play", "▶", "play / pause (space)");
  const next = btn("next", "›", "step forward (→)");
  const slower = btn("slower", "−", "slower (−)");
  const faster = btn("faster", "+", "faster (+)");
  const large = btn("large", "A+", "large font for projectors (L)");
  const full = btn("full", "Full", "full screen (F)");
  const speed = h("span", { class: "bl-tl-speed", "data-testid": "beamlab-speed" });
  const pos = h("span", { class: "bl-tl-pos", "data-testid": "beamlab-timeline-pos" });
  const scrub = h("input", { class: "bl-scrub", type: "range", "aria-label": "timeline", "data-testid": "beamlab-scrub" });
  const marks = h("div", { class: "bl-marks", "data-testid": "beamlab-marks" });
  const what = h("div", { class: "bl-what", "data-testid": "beamlab-what" });
  const decision = h("div", { class: "bl-decision", "data-testid": "beamlab-decision" });
  const bar = h("div", { class: "bl-timeline", "data-testid": "beamlab-timeline" },
    h("div", { class: "bl-tl-controls" }, live, first, prev, play, next, slower, speed, faster, large, full, pos),
    h("div", { class: "bl-tl-track" }, scrub, marks), what, decision);

  const sid = model.get("static_id") || "";
  const kept = PRESENTER.get(sid) || {};
  const keep = () => { if (sid) PRESENTER.set(sid, { speedIdx, large: root.classList.contains("bl-large") }); };
  let speedIdx = restored?.speedIdx ?? kept.speedIdx ?? 3;
  if (restored ? restored.large : kept.large) root.classList.add("bl-large");
  let timer = null;
  let waiting = false;
  let pending;               // the seq to ask for once the current request is answered
  let waitTimer = null;
  let asked = null;          // the seq last asked for

  const tl = () => model.get("timeline") || {};
  const at = () => model.get("at");
  const cursor = () => (at() === -1 ? (tl().last ?? 0) : at());

  function request(seq) {
    const t = tl();
    if (seq !== null) seq = Math.max((t.first ?? 1) - 1, Math.min(t.last ?? 0, seq));
    if (waiting) { pending = seq; return; }
    if (seq === (at() === -1 ? null : at())) return;
    waiting = true;
    asked = seq;
    bar.classList.add("bl-waiting");       // the first scrub of a long recording replays it (~1 s)
    pos.textContent = seq === null ? "back to live…" : `replaying to event ${seq}…`;
    send({ type: "scrub", seq });
    clearTimeout(waitTimer);
    waitTimer = setTimeout(answered, ANSWER_MS);
  }
  function answered() {
    waiting = false;
    bar.classList.remove("bl-waiting");
    clearTimeout(waitTimer);
    if (pending !== undefined) { const s = pending; pending = undefined; request(s); }
  }

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = "▶";
    bar.classList.remove("bl-playing");
  }
  function startPlay() {
    const t = tl();
    if (at() === -1 || cursor() >= t.last) {
      // from live: replay the latest crash or restart from just before it, else from the start
      const ms = model.get("marks") || [];
      const m = ms.length ? ms[ms.length - 1] : null;
      request(m ? Math.max((t.first ?? 1) - 1, (m.from ?? m.seq) - 1) : (t.first ?? 1) - 1);
    }
    play.textContent = "❚❚";
    bar.classList.add("bl-playing");
    timer = setInterval(() => {
      if (waiting) return;
      if (cursor() >= tl().last) { stop(); return; }
      request(cursor() + 1);
    }, 1000 / SPEEDS[speedIdx]);
  }
  const togglePlay = () => (timer !== null ? stop() : startPlay());
  function setSpeed(d) {
    speedIdx = Math.max(0, Math.min(SPEEDS.length - 1, speedIdx + d));
    if (timer !== null) { stop(); startPlay(); }
    speed.textContent = `${SPEEDS[speedIdx]}/s`;
    keep();
  }
  function toggleLarge() {
    root.classList.toggle("bl-large");
    keep();
    if (onLarge) onLarge(root.classList.contains("bl-large"));
  }
  function toggleFull() {
    const on = !root.classList.contains("bl-full");
    root.classList.toggle("bl-full", on);
    try {
      if (on && root.requestFullscreen) root.requestFullscreen().catch(() => {});
      else if (!on && document.fullscreenElement === root) document.exitFullscreen().catch(() => {});
    } catch (_) { /* no Fullscreen API: the class still makes the widget fill the window */ }
    root.focus({ preventScroll: true });
  }
  const onFullscreen = () => { if (document.fullscreenElement !== root && root.classList.contains("bl-full") && !document.fullscreenElement) root.classList.remove("bl-full"); };
  document.addEventListener("fullscreenchange", onFullscreen);

  function act(a) {
    const t = tl();
    const on = t.last !== undefined;
    if (a === "play" && on) togglePlay();
    else if (a === "next" && on) { stop(); if (at() !== -1) request(cursor() + 1); }
    else if (a === "prev" && on) { stop(); request(at() === -1 ? t.last : cursor() - 1); }
    else if (a === "first" && on) { stop(); request((t.first ?? 1) - 1); }
    else if (a === "last" && on) { stop(); request(t.last); }
    else if (a === "live" && on) { stop(); pending = undefined; waiting = false; request(null); }
    else if (a === "faster") setSpeed(1);
    else if (a === "slower") setSpeed(-1);
    else if (a === "large") toggleLarge();
    else if (a === "full") toggleFull();
    else return false;
    return true;
  }
  for (const b of [live, first, prev, play, next, slower, faster, large, full]) {
    b.addEventListener("click", (ev) => { ev.stopPropagation(); act(b.dataset.action); });
  }
  scrub.addEventListener("input", () => { stop(); request(+scrub.value); });

  // presenter keys: on the widget only (it takes focus when clicked), never the page's. Our
  // keys stop here, before JupyterLab's shortcuts (it listens on the document as the key
  // bubbles up); any other key (Ctrl+S, Shift+Enter) goes on to JupyterLab as usual.
  root.tabIndex = 0;
  const onKey = (ev) => {
    if (ev.key === "Escape" && root.classList.contains("bl-full")) { toggleFull(); ev.stopPropagation(); return; }
    const a = presenterKey(ev);
    if (a === null || !act(a)) return;
    ev.preventDefault();
    ev.stopPropagation();
  };
  root.addEventListener("keydown", onKey);
  const focusOnClick = (ev) => {
    const t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "BUTTON" || t.tagName === "TEXTAREA")) return;
    root.focus({ preventScroll: true });
  };
  root.addEventListener("mousedown", focusOnClick);

  function drawMarks() {
    const t = tl();
    marks.replaceChildren();
    if (t.last === undefined) return;
    const lo = (t.first ?? 1) - 1, span = Math.max(1, t.last - lo);
    for (const m of model.get("marks") || []) {
      const left = (100 * (m.seq - lo)) / span;
      marks.append(h("button", {
        class: `bl-mark bl-mark-${m.kind}`, style: `left: calc(${left.toFixed(3)}% - 4px)`, title: m.text,
        "data-seq": String(m.seq), "data-from": String(m.from ?? m.seq), "data-kind": m.kind,
        onclick: (ev) => { ev.stopPropagation(); stop(); request(Math.max(lo, (m.from ?? m.seq) - 1)); root.focus({ preventScroll: true }); },
      }));
    }
  }

  function show() {
    const t = tl();
    const on = t.last !== undefined;
    bar.style.display = on ? "" : "none";
    if (!on) return;
    const a = at();
    scrub.min = String((t.first ?? 1) - 1);
    scrub.max = String(t.last);
    if (!waiting || a === asked) scrub.value = String(a === -1 ? t.last : a);
    root.classList.toggle("bl-scrubbed", a !== -1);
    live.classList.toggle("bl-on", a === -1);
    live.setAttribute("aria-pressed", a === -1 ? "true" : "false");
    speed.textContent = `${SPEEDS[speedIdx]}/s`;
    const m = model.get("moment") || {};
    if (a === -1) {
      if (!waiting) pos.textContent = `live · events ${t.first}..${t.last}`;
      what.textContent = (model.get("marks") || []).length
        ? "Live. Drag the timeline back, or click a mark (red: a crash, green: a restart, black: gave up) and step with ›."
        : "Live. Drag the timeline back to see an earlier moment.";
      what.className = "bl-what";
      decision.textContent = "";
    } else {
      const tt = m.t !== null && m.t !== undefined && m.t0 !== null && m.t0 !== undefined
        ? ` · ${(m.t - m.t0).toFixed(3)} s in` : "";
      if (!waiting) pos.textContent = `event ${a} of ${t.first}..${t.last}${tt}`;
      const e = m.event && m.event.seq === a ? m.event : null;
      const ix = indexEvents(m.events || [], m.nodes);     // nodes: other nodes' pids (<K.N.0>)
      what.textContent = e ? describe(e, ix) : (a < t.first ? describe(null, ix) : `event ${a}`);
      what.className = `bl-what ${e ? "bl-kind-" + e.kind : ""}`;
      decision.textContent = decisionAt(e, ix) || "";
    }
    for (const b of marks.children) b.classList.toggle("bl-current", +b.dataset.seq === a);
  }

  const onTimeline = () => { drawMarks(); show(); };
  const onAt = () => { answered(); show(); };
  const onMsg = (msg) => { if (msg && msg.type === "error") { stop(); answered(); } };
  model.on("change:timeline", onTimeline);
  model.on("change:marks", onTimeline);
  model.on("change:at", onAt);
  model.on("change:moment", show);
  model.on("msg:custom", onMsg);
  onTimeline();
  if (restored?.full) {
    // the old view left full screen with the page; the class still fills the window, and
    // the browser's full screen comes back if it allows it without a click (Ctrl+S does)
    root.classList.add("bl-full");
    try { if (root.requestFullscreen) root.requestFullscreen().catch(() => {}); } catch (_) { /* no API */ }
  }
  if (restored?.playing && tl().last !== undefined && at() !== -1 && cursor() < tl().last) startPlay();

  return {
    el: bar,
    large: () => root.classList.contains("bl-large"),
    state: () => ({ playing: timer !== null, speedIdx, large: root.classList.contains("bl-large"),
                    full: root.classList.contains("bl-full") }),
    dispose() {
      stop();
      clearTimeout(waitTimer);
      document.removeEventListener("fullscreenchange", onFullscreen);
      root.removeEventListener("keydown", onKey);
      root.removeEventListener("mousedown", focusOnClick);
      model.off("change:timeline", onTimeline);
      model.off("change:marks", onTimeline);
      model.off("change:at", onAt);
      model.off("change:moment", show);
      model.off("msg:custom", onMsg);
    },
  };
}
