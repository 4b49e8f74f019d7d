// What a live widget does for the notebook it sits in, beyond drawing itself:
//
// 1. Saved picture. Python displays each widget as two outputs: the live view and, beside
//    it, a static picture (text/html; one part per widget, marked data-beamlab-part="<id>",
//    see widgets/_saved.py). While the live view is alive it hides that picture (a style
//    rule keyed by the id). When the notebook is saved, the live view writes its current
//    picture into its part, so a reopened,
//    exported or viewed notebook shows the last state, not the moment of display. The
//    picture's own <style> hides the "Error displaying widget: model not found" that
//    JupyterLab and Notebook 7 draw for a widget output whose kernel is gone.
// 2. Kernel gone. After Kernel → Restart (or shutdown, or a kernel change) the view stays
//    on the page but nothing answers it any more: it greys itself and says to re-run.
//
// Both reach JupyterLab through the widget manager's document context (the notebook the
// view lives in); elsewhere (VS Code, Voilà) they quietly do nothing.

import { aboutToRedraw } from "./views.js";

const GONE_STATES = new Set(["restarting", "autorestarting", "dead"]);

export function hideRule(sid) {
  return `[data-beamlab-part="${sid}"] { display: none !important; }
.jp-OutputArea-child:has([data-beamlab-part="${sid}"]) { display: none !important; }`;
}

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
  .replace(/"/g, "&quot;");

// One widget's part of a saved picture (the same markup as widgets/_saved.py's part_html).
export function partHtml(sid, caption, body) {
  return `<!--bl:${sid}--><div class="beamlab-part" data-beamlab-part="${sid}">` +
    `<div style="font:12px sans-serif;color:#555;margin-bottom:4px">${esc(caption)}</div>` +
    `${body}</div><!--/bl:${sid}-->`;
}

function textOf(value) {
  return Array.isArray(value) ? value.join("") : (typeof value === "string" ? value : "");
}

// A part's caption says when it was saved; two parts that differ only there are the same
// picture (an idle notebook's autosave must not rewrite, and so redraw, its widgets).
const unstamped = (s) => s.replace(/\(saved [^;()]*;/g, "(saved;");

// Put `part` in place of the part `sid` in every output of the notebook that holds it,
// unless that output already shows the same picture; `before()` is called once, just
// before the first output is rewritten. Returns how many outputs changed.
export function writeSavedPicture(notebookModel, sid, part, before) {
  const cells = notebookModel && notebookModel.cells;
  if (!cells) return 0;
  const open = `<!--bl:${sid}-->`;
  const close = `<!--/bl:${sid}-->`;
  let n = 0;
  for (let i = 0; i < cells.length; i++) {
    const outputs = cells.get(i)?.outputs;
    if (!outputs) continue;
    for (let j = 0; j < outputs.length; j++) {
      const out = outputs.get(j);
      const html = textOf(out && out.data && out.data["text/html"]);
      const a = html.indexOf(open);
      const b = html.indexOf(close, a);
      if (a < 0 || b < 0) continue;
      if (unstamped(html.slice(a, b + close.length)) === unstamped(part)) continue;
      const next = html.slice(0, a) + part + html.slice(b + close.length);
      if (n === 0 && before) before();
      outputs.set(j, { output_type: "display_data", metadata: out.metadata || {},
                       data: { ...out.data, "text/html": next } });
      n += 1;
    }
  }
  return n;
}

// Wire a live view to its notebook. `picture()` returns {caption, body} (or null) for the
// current state; `onGone(reason)` is called once when the kernel behind the view is gone.
export function attachToNotebook({ model, el, picture, onGone }) {
  let sid = model.get("static_id");
  const cleanups = [];
  const style = document.createElement("style");
  const showHide = () => {
    sid = model.get("static_id");
    style.setAttribute("data-beamlab-hide", sid || "");
    style.textContent = sid ? hideRule(sid) : "";
  };
  showHide();
  document.head.append(style);
  model.on("change:static_id", showHide);
  cleanups.push(() => { style.remove(); model.off("change:static_id", showHide); });
  let context = null;
  try { context = model.widget_manager && model.widget_manager.context; } catch (_) { context = null; }
  if (context && context.saveState) {
    const onSave = (_ctx, state) => {
      if (state !== "started" || !sid) return;
      try {
        const pic = picture();
        // rewriting the output makes JupyterLab draw it again: a new view, which takes
        // this one's UI state (views.js keepAcrossRedraw)
        if (pic) writeSavedPicture(context.model, sid, partHtml(sid, pic.caption, pic.body), () => aboutToRedraw(model));
      } catch (err) {
        console.warn("beamlab: could not keep the saved picture current", err);
      }
    };
    context.saveState.connect(onSave);
    cleanups.push(() => { try { context.saveState.disconnect(onSave); } catch (_) { /* disposed */ } });
  }
  const session = context && context.sessionContext;
  let gone = false;
  const goneWith = (reason) => { if (!gone) { gone = true; onGone && onGone(reason); } };
  if (session && session.statusChanged) {
    const onStatus = (_s, status) => {
      if (GONE_STATES.has(status)) {
        goneWith(status === "dead" ? "the kernel is gone" : "kernel restarted");
      }
    };
    const firstKernel = session.session && session.session.kernel;
    const onKernel = (_s, change) => {
      if (firstKernel && change && change.newValue !== firstKernel) goneWith("kernel changed");
    };
    session.statusChanged.connect(onStatus);
    session.kernelChanged.connect(onKernel);
    cleanups.push(() => {
      try { session.statusChanged.disconnect(onStatus); session.kernelChanged.disconnect(onKernel); } catch (_) { /* disposed */ }
    });
  }
  return () => { for (const c of cleanups) c(); };
}
