// Observer's process table (anywidget front-end).
// Python sends one page of rows (`rows`), already sorted and filtered over every process;
// a click on a column header sets `sort_by`/`descending`, the pager sets `page`, the filter
// box sets `query` — Python recomputes the page. A click on a row sends {type: "inspect", pid};
// the inspector panel on the right is the same as the supervision tree's.
import css from "./style.css";
import { h, renderInspector, renderNotice } from "./inspector.js";
import { attachToNotebook } from "./saved.js";
import { reportVisibility } from "./views.js";

// The table's panel takes the table's natural width, so the inspector wraps below it when
// both do not fit (Notebook 7's wider page put it beside a squeezed, clipped table). A rule
// of its own, more specific than style.css's: that sheet may come from another widget's
// bundle, built before this rule existed.
const FIT = ".beamlab-w.beamlab-observer .bl-body > .bl-canvas { flex: 1 1 auto; }";

function addStyle() {
  if (!document.getElementById("beamlab-observer-fit")) {
    document.head.append(h("style", { id: "beamlab-observer-fit" }, FIT));
  }
  if (document.getElementById("beamlab-widget-style")) return;
  document.head.append(h("style", { id: "beamlab-widget-style" }, css));
}

function fmt(v, kind) {
  if (v === null || v === undefined) return "";
  if (kind === "int") return Number(v).toLocaleString();
  return String(v);
}

function render({ model, el }) {
  addStyle();
  let kernelGone = false;
  const send = (msg) => { if (!kernelGone) model.send(msg); };
  const summary = h("span", { class: "bl-status" });
  const query = h("input", { type: "search", placeholder: "filter by name or initial call",
                             class: "bl-reason", style: "width:220px", "aria-label": "filter" });
  const prev = h("button", { class: "bl-btn", "data-action": "prev" }, "◀");
  const next = h("button", { class: "bl-btn", "data-action": "next" }, "▶");
  const pageInfo = h("span", { class: "bl-status" });
  const table = h("table", { class: "bl-table", "data-testid": "beamlab-process-table" });
  const notice = h("div", { class: "bl-notice" });
  const inspector = h("div", { class: "bl-inspector", "data-testid": "beamlab-inspector" });
  const gone = h("div", { class: "bl-gone-banner", "data-testid": "beamlab-gone" });
  const root = h("div", { class: "beamlab-w beamlab-observer" },
    h("div", { class: "bl-pager" }, summary, query, prev, pageInfo, next), gone, notice,
    h("div", { class: "bl-body" }, h("div", { class: "bl-canvas" }, table), inspector));
  el.append(root);

  query.value = model.get("query") || "";
  let debounce = null;
  query.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => { model.set("query", query.value); model.set("page", 0); model.save_changes(); }, 250);
  });
  prev.addEventListener("click", () => { model.set("page", Math.max(0, model.get("page") - 1)); model.save_changes(); });
  next.addEventListener("click", () => {
    const last = Math.max(0, Math.ceil(model.get("total") / model.get("page_size")) - 1);
    model.set("page", Math.min(last, model.get("page") + 1)); model.save_changes();
  });

  function draw() {
    const cols = model.get("columns") || [];
    const sortBy = model.get("sort_by");
    const desc = model.get("descending");
    const selected = model.get("selected");
    const head = h("tr", {}, cols.map((c) => h("th", {
      "data-column": c.key, title: c.sortable ? "sort by this column" : "",
      onclick: () => {
        if (!c.sortable) return;
        if (sortBy === c.key) model.set("descending", !desc);
        else { model.set("sort_by", c.key); model.set("descending", c.kind === "int"); }
        model.set("page", 0);
        model.save_changes();
      },
    }, c.label, sortBy === c.key ? (desc ? " ▼" : " ▲") : "")));
    const body = (model.get("rows") || []).map((r) => h("tr", {
      class: `bl-row${r.pid === selected ? " bl-selected" : ""}`, "data-pid": r.pid,
      onclick: () => send({ type: "inspect", pid: r.pid }),
    }, cols.map((c) => h("td", { title: String(r[c.key] ?? "") }, fmt(r[c.key], c.kind)))));
    table.replaceChildren(h("thead", {}, head), h("tbody", {}, body));
    const total = model.get("total");
    const size = model.get("page_size");
    const page = model.get("page");
    pageInfo.textContent = total ? `${page * size + 1}–${Math.min(total, (page + 1) * size)} of ${total.toLocaleString()}` : "no processes";
    summary.textContent = model.get("summary");
  }
  const showInspector = () => renderInspector(inspector, model.get("inspector"), send);
  const showNotice = () => renderNotice(notice, model.get("notice"));
  for (const t of ["rows", "columns", "sort_by", "descending", "page", "total", "selected", "summary"]) {
    model.on(`change:${t}`, draw);
  }
  model.on("change:inspector", showInspector);
  model.on("change:notice", showNotice);
  draw(); showInspector(); showNotice();

  // The picture a saved notebook keeps: this page of the table as it is now.
  function picture() {
    const copy = table.cloneNode(true);
    copy.setAttribute("style", "font:12px monospace;border-collapse:collapse");
    for (const cell of copy.querySelectorAll("th, td")) {
      cell.setAttribute("style", "text-align:left;padding:1px 6px;border-bottom:1px solid #ddd;white-space:nowrap");
    }
    const when = new Date().toLocaleString();
    return { caption: `observer — ${model.get("summary")} (saved ${when}; run the cell for the live view)`,
             body: copy.outerHTML };
  }
  const detach = attachToNotebook({
    model, el, picture,
    onGone: (why) => {
      kernelGone = true;
      root.classList.add("bl-gone");
      gone.textContent = `${why} — this observer is no longer live; re-run this cell to see it again`;
      const box = el.closest(".widget-vbox") || el.parentElement;
      if (box) box.classList.add("beamlab-gone-box");
    },
  });
  const hideView = reportVisibility({ model, el, canSend: () => !kernelGone });
  return () => { hideView(); detach(); clearTimeout(debounce); };
}

export default { render };
