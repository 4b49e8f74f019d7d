// Tells Python whether this view is on screen, so a widget nobody sees costs nothing
// (see widgets/_views.py): {type: "view", id, visible} when it renders, every HEARTBEAT_MS
// while it is on screen and the page is visible, and {visible: false} when it goes away.
const HEARTBEAT_MS = 4000;

export function reportVisibility({ model, el, canSend }) {
  const id = Math.random().toString(36).slice(2, 12);
  let onScreen = true;
  let lastSent = null;
  const visible = () => onScreen && document.visibilityState !== "hidden";
  const say = (v) => {
    if (!canSend()) return;
    try { model.send({ type: "view", id, visible: v }); lastSent = v; } catch (_) { /* closed */ }
  };
  const beat = () => { if (visible()) say(true); else if (lastSent !== false) say(false); };
  let io = null;
  if (typeof IntersectionObserver !== "undefined") {
    io = new IntersectionObserver((entries) => {
      const now = entries.some((e) => e.isIntersecting);
      if (now !== onScreen) { onScreen = now; beat(); }
    });
    io.observe(el);
  }
  const onVisibility = () => beat();
  document.addEventListener("visibilitychange", onVisibility);
  const timer = setInterval(beat, HEARTBEAT_MS);
  beat();
  return () => {
    clearInterval(timer);
    if (io) io.disconnect();
    document.removeEventListener("visibilitychange", onVisibility);
    say(false);
  };
}

// A view's own UI state (what the user opened, scrolled, played) kept across JupyterLab
// drawing its output again. Saving the notebook writes the widget's picture into its output
// (saved.js); JupyterLab then renders that output anew, a NEW view of the same model, and
// leaves the old one detached but not disposed. Just before such a write, saved.js calls
// aboutToRedraw(model); the next view of that model rendered in time takes the state of an
// old view that has left the page and retires it (its timers and listeners stopped). A view
// rendered anywhere else (the widget displayed again) starts fresh, as before.
// anywidget hands each view its own proxy of the model, so views are matched by the
// widget's static_id (one per widget, see widgets/_saved.py).
const LIVE = new Map();          // static_id -> Set of {el, state, retire, redraw}
const HANDOFF_MS = 30000;        // a redraw comes within a moment of the write

export function aboutToRedraw(model) {
  const views = LIVE.get(model.get("static_id"));
  // the state is taken now, while the view is still on the page (a detached element has
  // lost its scroll position by the time the new view asks)
  if (views) for (const v of views) {
    try { v.kept = v.state(); v.redraw = Date.now(); } catch (err) { console.warn("beamlab: could not keep the view's state", err); }
  }
}

// Register a view: `state()` returns its UI state (a plain object), `retire()` disposes it.
// Returns {taken, forget}: `taken` is the state of the view this one replaces (or null);
// call forget() when the view goes away.
export function keepAcrossRedraw({ model, el, state, retire }) {
  const sid = model.get("static_id");
  if (!sid) return { taken: null, forget: () => {} };
  let views = LIVE.get(sid);
  if (!views) LIVE.set(sid, (views = new Set()));
  const me = { model, el, state, retire, redraw: 0 };
  let taken = null;
  for (const v of views) {
    if (!v.redraw || Date.now() - v.redraw > HANDOFF_MS || v.el.isConnected) continue;
    taken = v.kept;
    views.delete(v);
    try { v.retire(); } catch (_) { /* already gone */ }
    try { v.model.off(null, null); } catch (_) { /* closed */ }   // all the old view's listeners
    break;
  }
  views.add(me);
  return { taken, forget: () => { views.delete(me); if (!views.size && LIVE.get(sid) === views) LIVE.delete(sid); } };
}

// Scroll `box` to a kept position once it is on the page and drawn (a few frames at most).
export function restoreScroll(box, pos, tries = 60) {
  if (!pos || (!pos.top && !pos.left && !pos.bottom)) return;
  const go = () => {
    const room = box.isConnected && box.scrollHeight - box.clientHeight >= pos.top &&
      box.scrollWidth - box.clientWidth >= pos.left;
    if (!room && --tries > 0) { requestAnimationFrame(go); return; }
    box.scrollTop = pos.bottom ? box.scrollHeight : pos.top;
    box.scrollLeft = pos.left;
  };
  requestAnimationFrame(go);
}

export const scrollOf = (box) => ({
  top: box.scrollTop, left: box.scrollLeft,
  bottom: box.scrollTop + box.clientHeight >= box.scrollHeight - 8 && box.scrollTop > 0,
});
