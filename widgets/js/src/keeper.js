// The picture keeper (anywidget front-end) of a widget that has no front-end of its own
// (the telemetry chart: bqplot figures in a box). It shows nothing while the kernel is
// there; it
//   - tells Python whether the box is on screen (views.js), so the chart costs nothing
//     while no view shows it;
//   - writes the picture Python keeps current (`picture`, `caption`) into the saved
//     notebook when it is saved (saved.js);
//   - greys the box and says to re-run the cell once the kernel is gone.
import css from "./style.css";
import { attachToNotebook } from "./saved.js";
import { reportVisibility } from "./views.js";

function addStyle() {
  if (document.getElementById("beamlab-widget-style")) return;
  const style = document.createElement("style");
  style.id = "beamlab-widget-style";
  style.textContent = css;
  document.head.append(style);
}

function render({ model, el }) {
  addStyle();
  let kernelGone = false;
  const gone = document.createElement("div");
  gone.className = "bl-gone-banner";
  gone.setAttribute("data-testid", "beamlab-gone");
  const root = document.createElement("div");
  root.className = "beamlab-w beamlab-keeper";
  root.append(gone);
  el.append(root);
  const box = () => el.closest(".beamlab-keeps-picture") || el;

  const picture = () => {
    const body = model.get("picture");
    if (!body) return null;
    const when = new Date().toLocaleString();
    return { caption: `${model.get("caption")} (saved ${when}; run the cell for the live view)`, body };
  };
  const detach = attachToNotebook({
    model, el, picture,
    onGone: (why) => {
      kernelGone = true;
      root.classList.add("bl-gone");
      gone.textContent = `${why} — this ${model.get("kind") || "widget"} is no longer live; `
        + "re-run this cell to see it again";
      box().classList.add("beamlab-gone-box");
    },
  });
  // watch the whole box once it is on the page (the keeper itself takes no room)
  let hideView = null;
  let tries = 0;
  const watch = () => {
    if (hideView !== null) return;
    if (!el.isConnected && tries++ < 50) { setTimeout(watch, 100); return; }
    hideView = reportVisibility({ model, el: box(), canSend: () => !kernelGone });
  };
  watch();
  return () => { if (hideView) hideView(); detach(); };
}

export default { render };
