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
