// The inspector panel shared by the tree and the observer: what a process is doing,
// and buttons that act on it. Actions go to Python as custom messages:
//   {type: "action", pid, key, action: "kill"|"crash"|"normal"|"exit_self"|"shutdown", reason}
// Python replies by updating the `inspector` and `notice` traits.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const ACTIONS = [
  ["kill", "Kill", "exit(pid, \"kill\"): untrappable, the process dies with reason killed"],
  ["crash", "Crash with reason…", "the process crashes with the reason you type"],
  ["normal", "exit(pid, \"normal\")", "what exit(pid, \"normal\") does from a cell: nothing to a process that does not trap exits; an EXIT message to one that does"],
  ["exit_self", "Make it exit normally", "as if the process called exit(\"normal\") itself: it ends with reason normal (a transient child is not restarted)"],
  ["shutdown", "Exit shutdown", "the process exits with reason shutdown"],
];

function section(title, items, empty) {
  const body = items && items.length
    ? h("ul", { class: "bl-list" }, items.map((x) => h("li", {}, String(x))))
    : h("div", { class: "bl-empty" }, empty);
  return h("details", { class: "bl-section", open: "" }, h("summary", {}, title), body);
}

// The sections the user closed stay closed while the inspector is redrawn (every update,
// and in a new view: inspectorState/restoreInspector), keyed by their title before any ":".
const sectionKey = (d) => (d.querySelector("summary")?.textContent || "").split(":")[0].trim();

function keepSections(root) {
  const closed = root.__blClosed || (root.__blClosed = new Set());
  for (const d of root.querySelectorAll("details.bl-section")) {
    const key = sectionKey(d);
    if (closed.has(key)) d.open = false;
    d.addEventListener("toggle", () => { if (d.open) closed.delete(key); else closed.add(key); });
  }
}

export const inspectorState = (root) => ({ closed: [...(root.__blClosed || [])], top: root.scrollTop });

export function restoreInspector(root, s) {
  if (!s) return;
  root.__blClosed = new Set(s.closed || []);
  for (const d of root.querySelectorAll("details.bl-section")) if (root.__blClosed.has(sectionKey(d))) d.open = false;
}

export function renderInspector(root, data, send) {
  renderInspectorBody(root, data, send);
  keepSections(root);
}

function renderInspectorBody(root, data, send) {
  root.replaceChildren();
  if (!data || !data.pid) {
    root.append(h("div", { class: "bl-hint" }, "Click a process to inspect it and act on it."));
    return;
  }
  root.append(h("div", { class: "bl-insp-title" }, data.title || data.pid));
  if (data.message) {
    root.append(h("div", { class: `bl-message ${data.alive ? "" : "bl-gone"}` }, data.message));
  }
  if (!data.alive) return;
  const table = h("table", { class: "bl-fields" },
    (data.fields || []).map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, String(v)))));
  root.append(table);
  if (data.state !== undefined && data.state !== null) {
    root.append(h("details", { class: "bl-section", open: "" }, h("summary", {}, "state"),
      h("pre", { class: "bl-pre" }, data.state)));
  }
  const more = data.mailbox_len > (data.mailbox || []).length
    ? ` (first ${data.mailbox.length} of ${data.mailbox_len})` : "";
  if (data.queue) {
    // a replayed receive (the tree's timeline): the mailbox before it as a queue, the
    // message it takes highlighted, the skipped ones staying behind
    root.append(h("details", { class: "bl-section", open: "" }, h("summary", {}, `mailbox before this receive: ${data.queue.length}`),
      h("ol", { class: "bl-queue", "data-testid": "beamlab-queue" }, data.queue.map((m) =>
        h("li", { class: m.cls ? `bl-q-${m.cls}` : "", "data-seq": String(m.seq) }, m.text))),
      data.queue_note ? h("div", { class: "bl-hint" }, data.queue_note) : null));
  }
  root.append(section(`mailbox${data.queue ? " after" : ""}: ${data.mailbox_len || 0}${more}`, data.mailbox, "empty"));
  if (data.stack !== undefined) root.append(section("stack", data.stack, "no stack (idle behaviour process)"));
  root.append(section("links", data.links, "none"));
  if (data.monitors !== undefined) root.append(section("monitors", data.monitors, "none"));
  if (data.monitored_by !== undefined) root.append(section("monitored by", data.monitored_by, "none"));

  const reason = h("input", { class: "bl-reason", type: "text", placeholder: "reason, e.g. boom",
                              "aria-label": "crash reason" });
  const buttons = ACTIONS.filter(([a]) => (data.actions || []).includes(a)).map(([action, text, title]) =>
    h("button", {
      class: `bl-btn bl-btn-${action}`, title, "data-action": action,
      onclick: () => send({ type: "action", pid: data.pid, key: data.key, action,
                            reason: action === "crash" ? (reason.value || "boom") : undefined }),
    }, text));
  if (buttons.length) root.append(h("div", { class: "bl-actions" }, buttons, reason));
}

// A notice belongs to its moment: it shows with its time, fades into a short log of
// earlier events after NOTICE_FRESH_MS, and the log keeps the last NOTICE_LOG ones.
const NOTICE_FRESH_MS = 8000;
const NOTICE_LOG = 8;

const hhmmss = (d) => d.toTimeString().slice(0, 8);

// A notice area's log (and whether its "earlier events" are open), for a new view.
export const noticeState = (el) => ({ log: el.__blLog || [], seq: el.__blSeq, open: !!el.__blOpen });

export function restoreNotice(el, s) {
  if (!s) return;
  el.__blLog = s.log.slice();
  el.__blSeq = s.seq;
  el.__blOpen = s.open;
}

export function renderNotice(el, notice) {
  const log = el.__blLog || (el.__blLog = []);
  if (notice && notice.text && notice.seq !== el.__blSeq) {
    el.__blSeq = notice.seq;
    const at = typeof notice.at === "number" ? new Date(notice.at * 1000) : new Date();
    log.unshift({ at, text: notice.text, level: notice.level || "info" });
    log.splice(NOTICE_LOG);
  }
  clearTimeout(el.__blTimer);
  el.replaceChildren();
  el.className = "bl-notices";
  if (!log.length) return;
  const [latest, ...older] = log;
  const age = Date.now() - latest.at.getTime();
  const fresh = age < NOTICE_FRESH_MS;
  if (fresh) {
    el.append(h("div", { class: `bl-notice bl-notice-${latest.level}`, "data-testid": "beamlab-notice" },
      h("span", { class: "bl-time" }, hhmmss(latest.at)), " ", latest.text));
    el.__blTimer = setTimeout(() => renderNotice(el, null), NOTICE_FRESH_MS - age + 50);
  }
  const past = fresh ? older : log;
  if (past.length) {
    const events = h("details", { class: "bl-events", "data-testid": "beamlab-events", open: el.__blOpen ? "" : null },
      h("summary", {}, `earlier events (${past.length})`),
      h("ul", { class: "bl-list" }, past.map((e) => h("li", { class: `bl-event-${e.level}` },
        h("span", { class: "bl-time" }, hhmmss(e.at)), " ", e.text))));
    events.addEventListener("toggle", () => { el.__blOpen = events.open; });
    el.append(events);
  }
}
