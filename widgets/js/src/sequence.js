// Live message sequence diagram (anywidget front-end).
// `participants` are the lifelines; `events` grows as Python drains the runtime's send
// trace ({seq, t, kind: "send"|"exit", from, to, label}). Drawn as one SVG; the view
// keeps itself scrolled to the newest message unless the user scrolled up to read.
import css from "./style.css";
import { h } from "./inspector.js";

const SVGNS = "http://www.w3.org/2000/svg";
const COL = 170, ROW = 26, TOP = 46, LEFT = 70;

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
  const pause = h("button", { class: "bl-btn", "data-action": "pause" });
  const clear = h("button", { class: "bl-btn", "data-action": "clear",
                              onclick: () => model.send({ type: "clear" }) }, "Clear");
  const box = h("div", { class: "bl-canvas bl-seq", style: "max-height:480px", "data-testid": "beamlab-sequence" });
  el.append(h("div", { class: "beamlab-w beamlab-sequence" },
    h("div", { class: "bl-top" }, title, status, pause, clear), box));
  pause.addEventListener("click", () => { model.set("paused", !model.get("paused")); model.save_changes(); });

  let frame = null;
  function draw() {
    frame = null;
    const parts = model.get("participants") || [];
    const events = model.get("events") || [];
    const col = new Map(parts.map((p, i) => [p.id, LEFT + i * COL + COL / 2]));
    const width = LEFT + parts.length * COL + 20;
    const height = TOP + (events.length + 1) * ROW;
    const stick = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
    const svg = s("svg", { width, height, viewBox: `0 0 ${width} ${height}` });
    const defs = s("defs");
    const marker = s("marker", { id: "bl-arrow", viewBox: "0 0 10 10", refX: 10, refY: 5,
                                 markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.append(s("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#37474f" }));
    defs.append(marker);
    svg.append(defs);
    for (const p of parts) {
      const x = col.get(p.id);
      svg.append(s("line", { x1: x, y1: TOP - 8, x2: x, y2: height, stroke: "#b0bec5", "stroke-dasharray": "4 3" }));
      svg.append(s("rect", { x: x - COL / 2 + 8, y: 6, width: COL - 16, height: 26, rx: 4,
                             fill: p.id === "others" ? "#f5f5f5" : "#e3f2fd", stroke: "#90a4ae" }));
      svg.append(s("text", { x, y: 23, "text-anchor": "middle" }, p.label));
    }
    events.forEach((e, i) => {
      const y = TOP + (i + 1) * ROW;
      const a = col.get(e.from), b = col.get(e.to);
      const g = s("g", { "data-seq": String(e.seq), class: `bl-seq-${e.kind}` });
      g.append(s("text", { x: 4, y: y + 4, fill: "#78909c" }, `${Number(e.t).toFixed(3)}s`));
      if (e.kind === "exit") {
        g.append(s("text", { x: a, y: y + 5, "text-anchor": "middle", fill: "#c62828", "font-weight": "bold" }, "✕"));
        g.append(s("text", { x: a + 10, y: y - 4, fill: "#c62828" }, e.label));
      } else if (a === b) {
        g.append(s("path", { d: `M ${a} ${y - 6} h 24 v 12 h -24`, fill: "none", stroke: "#37474f",
                             "marker-end": "url(#bl-arrow)" }));
        g.append(s("text", { x: a + 28, y: y + 4 }, e.label));
      } else {
        g.append(s("line", { x1: a, y1: y, x2: b, y2: y, stroke: "#37474f", "marker-end": "url(#bl-arrow)" }));
        g.append(s("text", { x: (a + b) / 2, y: y - 5, "text-anchor": "middle" }, e.label));
      }
      const tip = s("title", {}, `${e.from_pid} → ${e.to_pid}: ${e.label}`);
      g.append(tip);
      svg.append(g);
    });
    box.replaceChildren(svg);
    if (stick) box.scrollTop = box.scrollHeight;
    title.textContent = model.get("title");
    const dropped = model.get("dropped");
    status.textContent = `${events.length} message${events.length === 1 ? "" : "s"}` +
      (dropped ? ` (${dropped} older ones dropped)` : "") + (model.get("paused") ? " · paused" : "");
    pause.textContent = model.get("paused") ? "Resume" : "Pause";
  }
  const schedule = () => { if (frame === null) frame = requestAnimationFrame(draw); };
  for (const t of ["participants", "events", "paused", "dropped", "title"]) model.on(`change:${t}`, schedule);
  draw();
  return () => { if (frame !== null) cancelAnimationFrame(frame); };
}

export default { render };
