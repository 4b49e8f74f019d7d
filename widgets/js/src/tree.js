// The live supervision tree (anywidget front-end).
// Python sends the tree as DOT text (trait `dot`); Graphviz compiled to WebAssembly
// (@viz-js/viz, bundled here) lays it out in the browser — no `dot` binary, no network.
// Redraws are coalesced: at most one every `min_interval_ms`, however fast `dot` changes.
// A click on a node sends {type: "inspect", key} to Python; a click on a folded group
// sends {type: "expand", key}. Python answers through the `inspector`/`notice` traits.
// The timeline under the tree (timeline.js) scrubs back through the flight recorder: Python
// then sends the tree as it was (the same `dot`), and `moment` says which nodes the event
// at that moment touched; an exit signal's link is drawn red, a message's blue.
import { instance } from "@viz-js/viz";
import css from "./style.css";
import { h, inspectorState, noticeState, renderInspector, renderNotice, restoreInspector, restoreNotice } from "./inspector.js";
import { attachToNotebook } from "./saved.js";
import { attachTimeline } from "./timeline.js";
import { keepAcrossRedraw, reportVisibility, restoreScroll, scrollOf } from "./views.js";

// Graphviz sizes are in points; at 100 % the labels (10 pt) are 13.3 px, as body text.
// A tree wider than its panel shrinks to fit down to MIN_SCALE (labels about 9 px);
// beyond that the canvas scrolls instead of shrinking the text further.
const PT = 4 / 3;
const LARGE = 1.5;        // large-font mode (L, for projectors): the tree drawn this much bigger
const MIN_SCALE = 0.7;

function viz() {
  // One Graphviz instance per page, shared by every tree view.
  globalThis.__beamlabViz ??= instance();
  return globalThis.__beamlabViz;
}

function addStyle() {
  if (document.getElementById("beamlab-widget-style")) return;
  document.head.append(h("style", { id: "beamlab-widget-style" }, css));
}

const LEGEND = [
  ["#c8e6c9", "alive"], ["#ffcdd2", "dead / restarting"], ["#ffe0b2", "exiting"],
  ["#f9a825", "just restarted"], ["#eeeeee", "stopped"],
];

function render({ model, el }) {
  addStyle();
  const title = h("span", { class: "bl-title" });
  const status = h("span", { class: "bl-status" });
  const legend = h("span", { class: "bl-legend" },
    LEGEND.map(([c, t]) => h("span", {}, h("span", { class: "bl-swatch", style: `background:${c}` }), t)),
    h("span", {}, "┈ link"));
  const notice = h("div", { class: "bl-notice" });
  const canvas = h("div", { class: "bl-canvas", "data-testid": "beamlab-tree-canvas" }, "laying out…");
  const inspector = h("div", { class: "bl-inspector", "data-testid": "beamlab-inspector" });
  const gone = h("div", { class: "bl-gone-banner", "data-testid": "beamlab-gone" });
  const root = h("div", { class: "beamlab-w beamlab-tree" },
    h("div", { class: "bl-top" }, title, status, legend), gone, notice,
    h("div", { class: "bl-body" }, canvas, inspector));
  // a save redraws this output as a new view: it goes on where this one was (views.js)
  const { taken, forget } = keepAcrossRedraw({
    model, el,
    state: () => ({ timeline: timeline.state(), notice: noticeState(notice), inspector: inspectorState(inspector),
                    canvas: scrollOf(canvas) }),
    retire: () => cleanup(),
  });
  restoreNotice(notice, taken?.notice);
  restoreInspector(inspector, taken?.inspector);
  const timeline = attachTimeline({ model, root, send: (msg) => send(msg), onLarge: () => { lastDraw = 0; draw(); },
                                    restored: taken?.timeline });
  root.insertBefore(timeline.el, root.querySelector(".bl-body"));
  el.append(root);

  let kernelGone = false;
  const send = (msg) => { if (!kernelGone) model.send(msg); };
  let timer = null;
  let lastDraw = 0;
  let drawn = 0;
  let alive = true;

  function markSelected() {
    const sel = model.get("selected");
    for (const g of canvas.querySelectorAll("g.node")) {
      const key = g.querySelector("title")?.textContent;
      g.classList.toggle("bl-selected", key === sel);
    }
  }

  async function draw() {
    timer = null;
    lastDraw = performance.now();
    const dot = model.get("dot");
    if (!dot) { canvas.replaceChildren(h("div", { class: "bl-hint" }, "(empty tree)")); return; }
    let svg;
    try {
      svg = (await viz()).renderSVGElement(dot);
    } catch (err) {
      canvas.replaceChildren(h("pre", { class: "bl-pre" }, `could not lay out the tree: ${err}`));
      return;
    }
    if (!alive) return;
    sizeSvg(svg);
    const nodes = model.get("nodes") || {};
    for (const g of svg.querySelectorAll("g.node")) {
      const key = g.querySelector("title")?.textContent;
      const info = nodes[key] || {};
      g.setAttribute("data-key", key);
      if (info.pid) g.setAttribute("data-pid", info.pid);
      if (info.name) g.setAttribute("data-name", info.name);
      g.setAttribute("data-status", info.status || "");
      g.setAttribute("data-restarts", String(info.restarts || 0));
      g.addEventListener("click", (ev) => {
        ev.stopPropagation();
        send({ type: info.kind === "group" ? "expand" : "inspect", key, pid: info.pid || null });
      });
    }
    canvas.replaceChildren(svg);
    fitLabels(svg);
    if (drawn === 0) {
      restoreScroll(canvas, taken?.canvas);
      if (taken?.inspector) inspector.scrollTop = taken.inspector.top;
    }
    drawn += 1;
    canvas.setAttribute("data-revision", String(model.get("revision")));
    markSelected();
    highlight();
  }

  // the event at the scrubbed moment: its process (and the other one) ringed, and the
  // link an exit signal travels (or a message) drawn along the edge between them
  function highlight() {
    const m = model.get("at") === -1 ? {} : (model.get("moment") || {});
    const keys = m.keys || {}, e = m.event || null;
    for (const g of canvas.querySelectorAll("g.node")) {
      const key = g.getAttribute("data-key");
      g.classList.toggle("bl-hot", !!e && key === keys.pid);
      g.classList.toggle("bl-hot2", !!e && key === keys.other && keys.other !== keys.pid);
    }
    const a = keys.other, b = keys.pid;
    const along = e && a && b && a !== b && (e.kind === "signal" || e.kind === "send");
    for (const g of canvas.querySelectorAll("g.edge")) {
      const t = g.querySelector("title")?.textContent || "";
      const on = along && (t === `${a}->${b}` || t === `${b}->${a}` || t === `${a}--${b}` || t === `${b}--${a}`);
      g.classList.toggle("bl-signal", !!on && e.kind === "signal");
      g.classList.toggle("bl-msg", !!on && e.kind === "send");
      if (on) g.setAttribute("data-travel", `${a}->${b}`); else g.removeAttribute("data-travel");
    }
    canvas.setAttribute("data-at", String(model.get("at")));
  }

  // Graphviz measures labels with Helvetica's widths; a browser without Helvetica draws a
  // wider font (DejaVu Sans on Linux) and the text spills out of its box. Squeeze such a
  // label to its box's inner width.
  function fitLabels(svg) {
    for (const g of svg.querySelectorAll("g.node")) {
      const shape = g.querySelector("polygon, ellipse, path");
      if (!shape) continue;
      let room;
      try { room = shape.getBBox().width * 0.86; } catch (_) { continue; }
      for (const t of g.querySelectorAll("text")) {
        let len;
        try { len = t.getComputedTextLength(); } catch (_) { continue; }
        if (room > 0 && len > room) {
          t.setAttribute("textLength", room.toFixed(1));
          t.setAttribute("lengthAdjust", "spacingAndGlyphs");
        }
      }
    }
  }

  function sizeSvg(svg) {
    // natural size (from Graphviz's points), shrunk to the panel's width but not below MIN_SCALE
    const w = parseFloat(svg.getAttribute("width")) || 0;
    const hgt = parseFloat(svg.getAttribute("height")) || 0;
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    if (w > 0 && hgt > 0) {
      const k = PT * (timeline.large() ? LARGE : 1);
      svg.style.width = `${(w * k).toFixed(1)}px`;
      svg.style.minWidth = `${(w * k * MIN_SCALE).toFixed(1)}px`;
      svg.setAttribute("data-natural-width", (w * PT).toFixed(1));
    }
  }

  // The picture a saved notebook keeps: this SVG at its natural size, with the status line.
  function picture() {
    const svg = canvas.querySelector("svg");
    if (!svg) return null;
    const copy = svg.cloneNode(true);
    copy.removeAttribute("style");
    const natural = parseFloat(svg.getAttribute("data-natural-width"));
    if (natural) copy.setAttribute("style", `width:${natural}px;max-width:100%;height:auto`);
    for (const g of copy.querySelectorAll("g.node")) g.classList.remove("bl-selected");
    const when = new Date().toLocaleString();
    return { caption: `${model.get("title")} — ${model.get("status_text")} (saved ${when}; `
                      + "run the cell for the live tree)", body: copy.outerHTML };
  }

  function schedule() {
    if (timer !== null) return;
    const gap = Math.max(0, lastDraw + (model.get("min_interval_ms") || 250) - performance.now());
    timer = setTimeout(draw, gap);
  }

  const showTitle = () => { title.textContent = model.get("title"); };
  const showStatus = () => { status.textContent = model.get("status_text"); };
  const showInspector = () => renderInspector(inspector, model.get("inspector"), send);
  const showNotice = () => renderNotice(notice, model.get("notice"));
  model.on("change:dot", schedule);
  model.on("change:title", showTitle);
  model.on("change:status_text", showStatus);
  model.on("change:inspector", showInspector);
  model.on("change:notice", showNotice);
  model.on("change:selected", markSelected);
  model.on("change:moment", highlight);
  model.on("change:at", highlight);
  showTitle(); showStatus(); showInspector(); showNotice();
  schedule();
  const detach = attachToNotebook({
    model, el, picture,
    onGone: (why) => {
      kernelGone = true;
      root.classList.add("bl-gone");
      gone.textContent = `${why} — this tree is no longer live; re-run this cell to see it again`;
      status.textContent = `last seen: ${model.get("status_text")}`;
    },
  });
  const hideView = reportVisibility({ model, el, canSend: () => !kernelGone });
  function cleanup() {
    if (!alive) return;
    alive = false; forget(); timeline.dispose(); hideView(); detach(); if (timer !== null) clearTimeout(timer);
  }
  return cleanup;
}

export default { render };
