// The simulated cluster (anywidget front-end): a map of the nodes and their connections,
// and a lane diagram of the messages between nodes (one lane per node, time flowing down).
// Python (widgets/cluster.py) sends plain data: `nodes`, `connections`, `lanes`, `trace`.
// Clicks go back as {type: "connection", a, b, action: "cut"|"heal"} and
// {type: "node", node, action: "stop"|"restart"}; Python answers through `notice`.
// Everything is drawn as SVG with its colours and fonts in attributes, so the picture a
// saved notebook keeps (its outerHTML) looks the same without this stylesheet.
import css from "./style.css";
import { h, noticeState, renderNotice, restoreNotice } from "./inspector.js";
import { attachToNotebook } from "./saved.js";
import { keepAcrossRedraw, reportVisibility, restoreScroll, scrollOf } from "./views.js";

const SVGNS = "http://www.w3.org/2000/svg";
const FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif";
const MONO = "ui-monospace, 'DejaVu Sans Mono', monospace";
const BOX_W = 232, HEAD = 40, ROW_H = 17, PAD = 8;
const LANE_TOP = 6, LANE_ROW = 24, LANE_LEFT = 64, LANE_SPILL = 190;
const STATE = {
  up: { stroke: "#2e7d32", dash: "", text: "up" },
  down: { stroke: "#9e9e9e", dash: "6 5", text: "down (reconnects on next send)" },
  cut: { stroke: "#c62828", dash: "3 5", text: "cut ✂ (until healed)" },
};

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

function addStyle() {
  if (document.getElementById("beamlab-widget-style")) return;
  document.head.append(h("style", { id: "beamlab-widget-style" }, css));
}

const clip = (text, n) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

// Where the segment from the centre of box a to the centre of box b leaves box a.
function edgePoint(a, b) {
  const dx = b.cx - a.cx, dy = b.cy - a.cy;
  if (!dx && !dy) return { x: a.cx, y: a.cy };
  const tx = dx ? (a.w / 2) / Math.abs(dx) : Infinity;
  const ty = dy ? (a.h / 2) / Math.abs(dy) : Infinity;
  const k = Math.min(tx, ty, 1);
  return { x: a.cx + dx * k, y: a.cy + dy * k };
}

// Node boxes on an ellipse (two side by side, three as a triangle), wide enough not to overlap.
function layout(nodes, width) {
  const heights = nodes.map((n) => HEAD + (n.global_names || []).length * ROW_H
    + Math.max(1, n.processes.length + (n.more ? 1 : 0)) * ROW_H + PAD);
  const hmax = Math.max(...heights, HEAD + ROW_H);
  const n = nodes.length;
  const rx = n <= 1 ? 0 : Math.max(BOX_W * 0.85, (width - BOX_W) / 2 - 12);
  const ry = n <= 2 ? 0 : (hmax + 70) / 1.5;
  const w = Math.max(width, 2 * rx + BOX_W + 24);
  const cx = w / 2, cy = 12 + ry + hmax / 2;
  const boxes = nodes.map((node, i) => {
    const angle = n === 2 ? Math.PI * (i === 0 ? 1 : 0) : -Math.PI / 2 + (2 * Math.PI * i) / Math.max(n, 1);
    const bx = n <= 1 ? cx : cx + rx * Math.cos(angle);
    const by = n <= 1 ? cy : cy + ry * Math.sin(angle);
    return { node, cx: bx, cy: by, w: BOX_W, h: heights[i] };
  });
  const top = Math.min(...boxes.map((b) => b.cy - b.h / 2));
  const bottom = Math.max(...boxes.map((b) => b.cy + b.h / 2));
  for (const b of boxes) b.cy += 12 - top;
  return { boxes, width: w, height: bottom - top + 24 };
}

function render({ model, el }) {
  addStyle();
  const title = h("span", { class: "bl-title" });
  const status = h("span", { class: "bl-status", "data-testid": "beamlab-cluster-status" });
  const legend = h("span", { class: "bl-legend" },
    Object.entries(STATE).map(([k, v]) => h("span", {}, h("span", {
      class: "bl-swatch", style: `background:${v.stroke}` }), k === "up" ? "up" : k === "cut" ? "cut (click to heal)" : "down")),
    h("span", {}, "click a connection to cut or heal it"));
  const notice = h("div", { class: "bl-notice" });
  const gone = h("div", { class: "bl-gone-banner", "data-testid": "beamlab-gone" });
  const map = h("div", { class: "bl-canvas bl-cluster-map", "data-testid": "beamlab-cluster-map" });
  const clear = h("button", { class: "bl-btn", onclick: () => send({ type: "clear" }) }, "Clear messages");
  const lanesHead = h("div", { class: "bl-top" },
    h("span", { class: "bl-title" }, "messages between nodes"),
    h("span", { class: "bl-hint" }, "one lane per node, time flows down; the numbers are Lamport clocks"), clear);
  const laneHeads = h("div", { class: "bl-cluster-lane-heads", style: "overflow:hidden" });
  const lanes = h("div", { class: "bl-canvas bl-cluster-lanes", style: "max-height:400px",
                           "data-testid": "beamlab-cluster-lanes" });
  lanes.addEventListener("scroll", () => { laneHeads.scrollLeft = lanes.scrollLeft; });
  const root = h("div", { class: "beamlab-w beamlab-cluster", "data-testid": "beamlab-cluster" },
    h("div", { class: "bl-top" }, title, status, legend), gone, notice, map, lanesHead, laneHeads, lanes);
  el.append(root);
  // a save redraws this output as a new view: it goes on where this one was (views.js)
  const { taken, forget } = keepAcrossRedraw({
    model, el,
    state: () => ({ notice: noticeState(notice), map: scrollOf(map), lanes: scrollOf(lanes) }),
    retire: () => cleanup(),
  });
  restoreNotice(notice, taken?.notice);

  let kernelGone = false;
  const send = (msg) => { if (!kernelGone) model.send(msg); };
  let frame = null;

  function drawMap() {
    const nodes = model.get("nodes") || [];
    const conns = model.get("connections") || [];
    const width = Math.max(560, Math.min(map.clientWidth || 900, 1200) - 4);
    const { boxes, width: w, height } = layout(nodes, width);
    const at = new Map(boxes.map((b) => [b.node.name, b]));
    const svg = s("svg", { width: w, height, viewBox: `0 0 ${w} ${height}`, "font-family": FONT,
                           "font-size": 13, xmlns: SVGNS });
    for (const c of conns) {
      const a = at.get(c.a), b = at.get(c.b);
      if (!a || !b) continue;
      const st = STATE[c.state] || STATE.down;
      const p = edgePoint(a, b), q = edgePoint(b, a);
      const g = s("g", { "data-testid": "beamlab-connection", "data-a": c.a, "data-b": c.b,
                         "data-state": c.state, cursor: "pointer" });
      g.append(s("line", { x1: p.x, y1: p.y, x2: q.x, y2: q.y, stroke: st.stroke,
                           "stroke-width": c.state === "up" ? 3 : 2, "stroke-dasharray": st.dash || null }));
      const mx = (p.x + q.x) / 2, my = (p.y + q.y) / 2;
      const label = c.state === "up"
        ? `${c.latency_ms > 0 ? `${c.latency_ms} ms` : "up"}${c.in_flight ? ` · ${c.in_flight} in flight` : ""}`
        : c.state === "cut" ? "✂ cut" : "down";
      const lw = 12 + 7.2 * label.length;
      g.append(s("rect", { x: mx - lw / 2, y: my - 11, width: lw, height: 20, rx: 10, fill: "#fff",
                           stroke: st.stroke }));
      g.append(s("text", { x: mx, y: my + 4, "text-anchor": "middle", fill: st.stroke, "font-size": 12,
                           "font-weight": 600 }, label));
      // a wide invisible line on top, so the connection is easy to hit
      g.append(s("line", { x1: p.x, y1: p.y, x2: q.x, y2: q.y, stroke: "transparent", "stroke-width": 16,
                           "data-hit": "1" }));
      const action = c.state === "up" ? "cut" : "heal";
      g.append(s("title", {}, `${c.a} — ${c.b}: ${st.text}, latency ${c.latency_ms} ms. Click to ` +
        (action === "cut" ? "cut it (links across fire with noconnection, monitors get DOWN)"
                          : "heal it and reconnect")));
      g.addEventListener("click", (ev) => { ev.stopPropagation(); send({ type: "connection", a: c.a, b: c.b, action }); });
      svg.append(g);
    }
    for (const b of boxes) {
      const n = b.node;
      const x = b.cx - b.w / 2, y = b.cy - b.h / 2;
      const g = s("g", { "data-testid": "beamlab-node", "data-node": n.name, "data-running": String(n.running) });
      g.append(s("rect", { x, y, width: b.w, height: b.h, rx: 6, fill: n.running ? "#f1f8e9" : "#eeeeee",
                           stroke: n.running ? "#558b2f" : "#9e9e9e", "stroke-width": 1.5,
                           "stroke-dasharray": n.running ? null : "5 4" }));
      g.append(s("text", { x: x + 8, y: y + 17, "font-weight": 700, "font-size": 14,
                           fill: n.running ? "#1b5e20" : "#616161" }, clip(n.name, 22)));
      g.append(s("text", { x: x + 8, y: y + 33, "font-size": 12, fill: "#555" },
        n.running ? `${n.count} process${n.count === 1 ? "" : "es"}${n.home ? " · home (notebook)" : ""}`
                  : "stopped"));
      if (!n.home) {
        const act = n.running ? "stop" : "restart";
        const btn = s("g", { "data-testid": "beamlab-node-action", "data-node": n.name, "data-action": act,
                             cursor: "pointer" });
        btn.append(s("rect", { x: x + b.w - 70, y: y + 5, width: 62, height: 20, rx: 3,
                               fill: n.running ? "#ffebee" : "#e8f5e9", stroke: n.running ? "#c62828" : "#2e7d32" }));
        btn.append(s("text", { x: x + b.w - 39, y: y + 19, "text-anchor": "middle", "font-size": 12,
                               fill: n.running ? "#b71c1c" : "#1b5e20" }, n.running ? "■ stop" : "▶ restart"));
        btn.append(s("title", {}, n.running
          ? `stop ${n.name}: its processes die; the other nodes see noconnection and nodedown`
          : `restart ${n.name}: a fresh node of that name, with no processes`));
        btn.addEventListener("click", (ev) => { ev.stopPropagation(); send({ type: "node", node: n.name, action: act }); });
        g.append(btn);
      }
      // this node's view of the global names: in a split, each side has its own
      const known = n.global_names || [];
      known.forEach((gn, i) => {
        const t = s("text", { x: x + 8, y: y + HEAD + 12 + i * ROW_H, "font-size": 12, "font-family": MONO,
                              fill: "#6a1b9a", "data-testid": "beamlab-global-name" },
                    clip(`global ${gn.name} → ${gn.pid}`, 30));
        t.append(s("title", {}, `${n.name} knows the global name ${gn.name} as ${gn.pid}`));
        g.append(t);
      });
      const top = y + HEAD + known.length * ROW_H;
      n.processes.forEach((p, i) => {
        const ty = top + 12 + i * ROW_H;
        const t = s("text", { x: x + 8 + 12 * p.depth, y: ty, "font-size": 12, "font-family": MONO,
                              fill: p.status === "exiting" ? "#b71c1c" : "#263238" });
        t.append(s("tspan", { fill: "#546e7a" }, p.pid + " "));
        t.append(s("tspan", { "font-weight": p.kind === "supervisor" ? 700 : 400 },
          clip(p.label, Math.max(6, 20 - 2 * p.depth))));
        t.append(s("title", {}, `${p.pid} ${p.label} (${p.kind}, ${p.status}${p.trap_exit ? ", traps exits" : ""})`));
        g.append(t);
      });
      if (n.more) {
        g.append(s("text", { x: x + 8, y: top + 12 + n.processes.length * ROW_H, "font-size": 12,
                             fill: "#777" }, `+${n.more} more`));
      }
      svg.append(g);
    }
    map.replaceChildren(svg);
  }

  function drawLanes() {
    const names = model.get("lanes") || [];
    const trace = model.get("trace") || [];
    const avail = Math.max(560, Math.min(lanes.clientWidth || 900, 1200) - 4);
    const lane = Math.max(170, Math.min(300, (avail - LANE_LEFT) / Math.max(names.length, 1)));
    const x = new Map(names.map((n, i) => [n, LANE_LEFT + lane * i + lane / 2]));
    const rows = trace.reduce((m, e) => Math.max(m, e.row ?? 0, e.row1 ?? 0), -1) + 1;
    const width = LANE_LEFT + lane * names.length + LANE_SPILL;   // room for the last lane's notes
    const height = LANE_TOP + (rows + 1) * LANE_ROW;
    const Y = (r) => LANE_TOP + (r + 1) * LANE_ROW;
    const stick = lanes.scrollTop + lanes.clientHeight >= lanes.scrollHeight - 8;
    const svg = s("svg", { width, height, viewBox: `0 0 ${width} ${height}`, "font-family": FONT,
                           "font-size": 12, xmlns: SVGNS });
    const defs = s("defs");
    for (const [id, colour] of [["bl-c-arrow", "#37474f"], ["bl-c-arrow-fly", "#1565c0"]]) {
      const m = s("marker", { id, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7,
                              orient: "auto-start-reverse" });
      m.append(s("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: colour }));
      defs.append(m);
    }
    svg.append(defs);
    // the lanes' names stay in view above the scrolling diagram
    const head = s("svg", { width, height: 30, viewBox: `0 0 ${width} 30`, "font-family": FONT, "font-size": 13,
                            xmlns: SVGNS });
    for (const n of names) {
      const lx = x.get(n);
      svg.append(s("line", { x1: lx, y1: 0, x2: lx, y2: height, stroke: "#b0bec5", "stroke-width": 2 }));
      head.append(s("rect", { x: lx - lane / 2 + 8, y: 3, width: lane - 16, height: 24, rx: 4, fill: "#e3f2fd",
                              stroke: "#90a4ae" }));
      head.append(s("text", { x: lx, y: 20, "text-anchor": "middle", "font-weight": 600 }, n));
    }
    laneHeads.replaceChildren(head);
    for (const e of trace) {
      const y = Y(e.row);
      const g = s("g", { "data-seq": String(e.seq), "data-kind": e.kind, "data-testid": `beamlab-lane-${e.kind}` });
      g.append(s("text", { x: 4, y: y + 4, fill: "#78909c", "font-size": 12 }, `${(e.t * 1000).toFixed(0)} ms`));
      if (e.kind === "msg") {
        const a = x.get(e.src), b = x.get(e.dst);
        if (a === undefined || b === undefined) continue;
        const y1 = Y(e.row1 ?? e.row);
        let bx = b, by = y1;
        if (e.lost) { bx = a + (b - a) * 0.55; by = y1 === y ? y : y + (y1 - y) * 0.55; }
        const colour = e.lost ? "#c62828" : e.in_flight ? "#1565c0" : "#37474f";
        g.setAttribute("data-lost", String(e.lost));
        g.append(s("line", { x1: a, y1: y, x2: bx, y2: by, stroke: colour, "stroke-width": 1.6,
                             "stroke-dasharray": e.in_flight || e.lost ? "5 4" : null,
                             "marker-end": e.lost ? null : `url(#${e.in_flight ? "bl-c-arrow-fly" : "bl-c-arrow"})` }));
        if (e.lost) g.append(s("text", { x: bx, y: by + 5, "text-anchor": "middle", fill: "#c62828",
                                         "font-weight": 700, "font-size": 14 }, "✕"));
        const dir = b >= a ? 1 : -1;
        g.append(s("text", { x: a + dir * 10, y: y - 5, "text-anchor": dir > 0 ? "start" : "end", fill: colour },
          clip(e.label, Math.floor(lane / 7.5)) + (e.lost ? " (lost)" : e.in_flight ? " (in flight)" : "")));
        g.append(s("text", { x: a - dir * 6, y: y + 4, "text-anchor": dir > 0 ? "end" : "start", fill: "#6a1b9a",
                             "font-size": 12 }, String(e.l0 ?? "")));
        if (e.l1 !== undefined) g.append(s("text", { x: b + dir * 6, y: y1 + 4, "text-anchor": dir > 0 ? "start" : "end",
                                                     fill: "#6a1b9a", "font-size": 12 }, String(e.l1)));
        g.append(s("title", {}, `${e.from_pid} on ${e.src} → ${e.to_pid} on ${e.dst}: ${e.label}\n` +
          `sent at ${(e.t * 1000).toFixed(1)} ms, ` + (e.lost ? `lost at ${(e.t1 * 1000).toFixed(1)} ms (the connection went down)`
            : `${e.in_flight ? "due" : "arrived"} at ${(e.t1 * 1000).toFixed(1)} ms`)));
      } else if (e.kind === "up" || e.kind === "down") {
        const a = x.get(e.a), b = x.get(e.b);
        if (a === undefined || b === undefined) continue;
        const colour = e.kind === "down" ? "#c62828" : "#2e7d32";
        g.append(s("line", { x1: Math.min(a, b), y1: y, x2: Math.max(a, b), y2: y, stroke: colour, "stroke-width": 1,
                             "stroke-dasharray": "2 4" }));
        g.append(s("text", { x: (a + b) / 2, y: y - 4, "text-anchor": "middle", fill: colour }, e.label));
      } else {
        const lx = x.get(e.node);
        if (lx === undefined) continue;
        const colour = e.kind === "start" ? "#2e7d32" : "#c62828";
        g.append(s("circle", { cx: lx, cy: y, r: 4, fill: colour }));
        g.append(s("text", { x: lx + 8, y: y + 4, fill: colour }, clip(e.label, Math.floor((lane + LANE_SPILL - 30) / 7.2))));
        if (e.l0 !== undefined) g.append(s("text", { x: lx - 8, y: y + 4, "text-anchor": "end", fill: "#6a1b9a" }, String(e.l0)));
        g.append(s("title", {}, `${e.node}: ${e.label}`));
      }
      svg.append(g);
    }
    if (!trace.length) {
      svg.append(s("text", { x: LANE_LEFT, y: LANE_TOP + 24, fill: "#777" },
        "no messages between nodes yet: send one to a process on another node"));
    }
    lanes.replaceChildren(svg);
    if (stick) lanes.scrollTop = lanes.scrollHeight;
  }

  function draw() {
    frame = null;
    drawMap();
    drawLanes();
    root.setAttribute("data-revision", String(model.get("revision")));
  }

  // The picture a saved notebook keeps: both drawings as they are now.
  function picture() {
    const a = map.querySelector("svg"), b = lanes.querySelector("svg"), hd = laneHeads.querySelector("svg");
    if (!a) return null;
    const when = new Date().toLocaleString();
    const fit = (svg) => { const c = svg.cloneNode(true); c.setAttribute("style", "max-width:100%;height:auto"); return c.outerHTML; };
    return { caption: `${model.get("title")} — ${model.get("status_text")} (saved ${when}; run the cell for the live cluster)`,
             body: fit(a) + (b ? `<div style="font:12px sans-serif;color:#555;margin:6px 0 2px">messages between nodes</div>${hd ? fit(hd) : ""}${fit(b)}` : "") };
  }

  const schedule = () => { if (frame === null) frame = requestAnimationFrame(draw); };
  for (const t of ["nodes", "connections", "lanes", "trace"]) model.on(`change:${t}`, schedule);
  const showTitle = () => { title.textContent = model.get("title"); };
  const showStatus = () => { status.textContent = model.get("status_text"); };
  const showNotice = () => renderNotice(notice, model.get("notice"));
  model.on("change:title", showTitle);
  model.on("change:status_text", showStatus);
  model.on("change:notice", showNotice);
  showTitle(); showStatus(); showNotice();
  draw();
  let resize = null;
  if (typeof ResizeObserver !== "undefined") {
    let lastWidth = map.clientWidth;
    resize = new ResizeObserver(() => { if (map.clientWidth !== lastWidth) { lastWidth = map.clientWidth; schedule(); } });
    resize.observe(map);
  }
  const detach = attachToNotebook({
    model, el, picture,
    onGone: (why) => {
      kernelGone = true;
      root.classList.add("bl-gone");
      gone.textContent = `${why} — this cluster view is no longer live; re-run this cell to see it again`;
      status.textContent = `last seen: ${model.get("status_text")}`;
    },
  });
  const hideView = reportVisibility({ model, el, canSend: () => !kernelGone });
  restoreScroll(map, taken?.map);
  restoreScroll(lanes, taken?.lanes);
  let disposed = false;
  function cleanup() {
    if (disposed) return;
    disposed = true;
    forget(); hideView(); detach(); if (resize) resize.disconnect(); if (frame !== null) cancelAnimationFrame(frame);
  }
  return cleanup;
}

export default { render };
