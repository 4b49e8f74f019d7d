// Live message sequence diagram (anywidget front-end).
// `participants` are the lifelines; `events` grows as Python drains the runtime's send
// trace ({seq, t, kind: "send"|"exit", from, to, label}). Drawn as one SVG; the view
// keeps itself scrolled to the newest message unless the user scrolled up to read.
// The timeline (timeline.js) scrubs back through the flight recorder: Python then sends
// the messages up to that moment (`queued` ones not yet received, the `now` one moving
// along its arrow) and `moment.queues`, each lifeline's mailbox drawn as a queue under
// it (at a receive: the message taken green, the skipped ones staying behind).
// A `{type: "error"}` message from Python (a bad message, a failed scrub) is shown as a
// notice. The saved notebook's picture is this SVG, written when the notebook is saved
// (saved.js); views.js tells Python whether the diagram is on screen at all.
import css from "./style.css";
import { h, noticeState, renderNotice, restoreNotice } from "./inspector.js";
import { attachToNotebook } from "./saved.js";
import { attachTimeline } from "./timeline.js";
import { keepAcrossRedraw, reportVisibility, restoreScroll, scrollOf } from "./views.js";

const SVGNS = "http://www.w3.org/2000/svg";
const COL = 170, ROW = 26, TOP = 46, LEFT = 70, QROW = 16;

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

function addStyle() {
  if (document.getElementById("beamlab-widget-style")) return;
  document.head.append(h("style", { id: "beamlab-widget-style" }, css));
}

function render({ model, el }) {
  addStyle();
  const title = h("span", { class: "bl-title" });
  const status = h("span", { class: "bl-status" });
  let kernelGone = false;
  const send = (msg) => { if (!kernelGone) model.send(msg); };
  const pause = h("button", { class: "bl-btn", "data-action": "pause" });
  const clear = h("button", { class: "bl-btn", "data-action": "clear",
                              onclick: () => send({ type: "clear" }) }, "Clear");
  const notice = h("div", { class: "bl-notice" });
  const gone = h("div", { class: "bl-gone-banner", "data-testid": "beamlab-gone" });
  const box = h("div", { class: "bl-canvas bl-seq", style: "max-height:480px", "data-testid": "beamlab-sequence" });
  const root = h("div", { class: "beamlab-w beamlab-sequence" },
    h("div", { class: "bl-top" }, title, status, pause, clear), gone, notice, box);
  // a save redraws this output as a new view: it goes on where this one was (views.js)
  const { taken, forget } = keepAcrossRedraw({
    model, el,
    state: () => ({ timeline: timeline.state(), notice: noticeState(notice), box: scrollOf(box) }),
    retire: () => cleanup(),
  });
  restoreNotice(notice, taken?.notice);
  if (taken?.notice) renderNotice(notice, null);
  const timeline = attachTimeline({ model, root, send, onLarge: () => schedule(), restored: taken?.timeline });
  root.insertBefore(timeline.el, box);
  el.append(root);
  pause.addEventListener("click", () => { model.set("paused", !model.get("paused")); model.save_changes(); });

  let noticeSeq = 0;
  const onMsg = (msg) => {
    if (msg && msg.type === "error") {
      noticeSeq += 1;
      renderNotice(notice, { level: "error", seq: noticeSeq, text: String(msg.error || "error") });
    }
  };
  model.on("msg:custom", onMsg);

  let frame = null;
  function draw() {
    frame = null;
    const parts = model.get("participants") || [];
    const events = model.get("events") || [];
    const scrubbed = model.get("at") !== -1;
    const queues = scrubbed ? ((model.get("moment") || {}).queues || {}) : {};
    const qmax = Math.max(0, ...Object.values(queues).map((q) => q.length));
    const col = new Map(parts.map((p, i) => [p.id, LEFT + i * COL + COL / 2]));
    const width = LEFT + parts.length * COL + 20;
    const rowsEnd = TOP + (events.length + 1) * ROW;
    const height = rowsEnd + (scrubbed ? 24 + qmax * QROW : 0);
    const stick = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
    const svg = s("svg", { width, height, viewBox: `0 0 ${width} ${height}` });
    if (timeline.large()) svg.setAttribute("style", `width:${(width * 1.5).toFixed(0)}px;max-width:none`);
    const defs = s("defs");
    const marker = s("marker", { id: "bl-arrow", viewBox: "0 0 10 10", refX: 10, refY: 5,
                                 markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.append(s("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#37474f" }));
    defs.append(marker);
    svg.append(defs);
    for (const p of parts) {
      const x = col.get(p.id);
      svg.append(s("line", { x1: x, y1: TOP - 8, x2: x, y2: rowsEnd, stroke: "#b0bec5", "stroke-dasharray": "4 3" }));
      svg.append(s("rect", { x: x - COL / 2 + 8, y: 6, width: COL - 16, height: 26, rx: 4,
                             fill: p.id === "others" ? "#f5f5f5" : "#e3f2fd", stroke: "#90a4ae" }));
      svg.append(s("text", { x, y: 23, "text-anchor": "middle" }, p.label));
    }
    events.forEach((e, i) => {
      const y = TOP + (i + 1) * ROW;
      const a = col.get(e.from), b = col.get(e.to);
      const cls = [`bl-seq-${e.kind}`];
      if (e.queued) cls.push("bl-queued");
      if (e.now) cls.push("bl-now");
      if (e.reply) cls.push("bl-reply");
      if (e.lost) cls.push("bl-lost");
      const g = s("g", { "data-seq": String(e.seq), class: cls.join(" ") });
      const ink = e.now ? "#d9480f" : e.lost ? "#c62828" : e.queued ? "#9e9e9e" : "#37474f";
      g.append(s("text", { x: 4, y: y + 4, fill: "#78909c" }, `${Number(e.t).toFixed(3)}s`));
      if (e.kind === "exit") {
        g.append(s("text", { x: a, y: y + 5, "text-anchor": "middle", fill: "#c62828", "font-weight": "bold" }, "✕"));
        g.append(s("text", { x: a + 10, y: y - 4, fill: "#c62828" }, e.label));
      } else if (a === b) {
        g.append(s("path", { d: `M ${a} ${y - 6} h 24 v 12 h -24`, fill: "none", stroke: ink,
                             "marker-end": "url(#bl-arrow)" }));
        g.append(s("text", { x: a + 28, y: y + 4, fill: ink }, e.label));
      } else {
        const line = s("line", { x1: a, y1: y, x2: b, y2: y, stroke: ink, "stroke-width": e.now ? 2.5 : 1,
                                 "marker-end": "url(#bl-arrow)" });
        if (e.reply || e.queued) line.setAttribute("stroke-dasharray", e.reply ? "5 3" : "2 3");
        g.append(line);
        g.append(s("text", { x: (a + b) / 2, y: y - 5, "text-anchor": "middle", fill: ink }, e.label));
        if (e.now) {
          // the message travelling along its arrow
          const dot = s("circle", { cx: a, cy: y, r: 5, fill: "#d9480f", class: "bl-travel" });
          dot.append(s("animate", { attributeName: "cx", from: a, to: b, dur: "0.6s", fill: "freeze" }));
          g.append(dot);
        }
      }
      g.append(s("title", {}, `${e.from_pid} → ${e.to_pid}: ${e.label}${e.queued ? " (not received yet)" : ""}`));
      svg.append(g);
    });
    if (scrubbed) {
      for (const p of parts) {
        const q = queues[p.id];
        if (!q) continue;
        const x = col.get(p.id);
        const g = s("g", { class: "bl-mailbox", "data-lane": p.id });
        g.append(s("text", { x, y: rowsEnd + 14, "text-anchor": "middle", fill: "#546e7a" },
                   `mailbox: ${q.length}${q.length ? "" : " (empty)"}`));
        q.forEach((m, j) => {
          const y = rowsEnd + 20 + j * QROW;
          const fill = m.cls === "took" ? "#c8e6c9" : m.cls === "skipped" ? "#eceff1" : "#fff";
          const item = s("g", { class: m.cls ? `bl-q-${m.cls}` : "bl-q", "data-seq": String(m.seq) });
          item.append(s("rect", { x: x - COL / 2 + 12, y, width: COL - 24, height: QROW - 2, rx: 2, fill,
                                  stroke: m.cls === "took" ? "#2e7d32" : "#b0bec5" }));
          item.append(s("text", { x, y: y + QROW - 5, "text-anchor": "middle",
                                  fill: m.cls === "skipped" ? "#78909c" : "#263238" }, m.text));
          g.append(item);
        });
        svg.append(g);
      }
    }
    box.replaceChildren(svg);
    if (stick || scrubbed) box.scrollTop = box.scrollHeight;
    title.textContent = model.get("title");
    const dropped = model.get("dropped");
    status.textContent = `${events.length} message${events.length === 1 ? "" : "s"}` +
      (scrubbed ? ` up to event ${model.get("at")}` : "") +
      (dropped && !scrubbed ? ` (${dropped} older ones dropped)` : "") + (model.get("paused") ? " · paused" : "");
    pause.textContent = model.get("paused") ? "Resume" : "Pause";
  }
  const schedule = () => { if (frame === null) frame = requestAnimationFrame(draw); };
  for (const t of ["participants", "events", "paused", "dropped", "title", "moment", "at"]) model.on(`change:${t}`, schedule);
  draw();
  restoreScroll(box, taken?.box);

  // The picture a saved notebook keeps: the diagram as drawn now.
  function picture() {
    const svg = box.querySelector("svg");
    if (!svg) return null;
    const copy = svg.cloneNode(true);
    copy.setAttribute("style", `width:${copy.getAttribute("width")}px;max-width:100%;height:auto`);
    for (const a of copy.querySelectorAll("animate")) a.remove();
    const when = new Date().toLocaleString();
    return { caption: `${model.get("title")} — ${status.textContent} (saved ${when}; run the cell for the live diagram)`,
             body: copy.outerHTML };
  }
  const detach = attachToNotebook({
    model, el, picture,
    onGone: (why) => {
      kernelGone = true;
      root.classList.add("bl-gone");
      gone.textContent = `${why} — this diagram is no longer live; re-run this cell to see it again`;
    },
  });
  const hideView = reportVisibility({ model, el, canSend: () => !kernelGone });
  let disposed = false;
  function cleanup() {
    if (disposed) return;
    disposed = true;
    forget();
    if (frame !== null) cancelAnimationFrame(frame);
    model.off("msg:custom", onMsg);
    timeline.dispose(); hideView(); detach();
  }
  return cleanup;
}

export default { render };
