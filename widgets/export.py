"""Take a recording home: one self-contained HTML page that replays it (issue 13, point 5).

    >>> from beamlab.widgets.export import export_html
    >>> export_html(current_runtime().recorder, "crash.html")     # or a Recording, or a Runtime
    PosixPath('crash.html')

The page needs no kernel, no network and no CDN: the recording is inline as JSON
and the player (widgets/static/player.js, plain JavaScript) is inlined too. It
draws the supervision tree, the sequence trace and an inspector at the moment
the timeline is scrubbed to, marks crashes and restarts on the timeline, and has
the presenter keys: space play/pause, ←/→ step, +/− speed, F full screen, L large
font, Home/End.

How this works: `Recording.to_json()` (runtime/recording.py) gives the baseline
and the events with every term already a bounded preview; this writes them into
a `<script type="application/json">` (with `</` escaped, so no text in a message
can end the script early) beside the player and a style sheet.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

__all__ = ["export_html", "recording_of"]

_PLAYER = Path(__file__).parent / "static" / "player.js"

_STYLE = """
:root { --fg: #1d2330; --muted: #6b7385; --line: #c9cfdb; --hot: #d9480f; --ok: #2b8a3e;
        --crash: #c92a2a; --bg: #fff; --panel: #f7f8fa; --font: 13px; }
* { box-sizing: border-box; }
body { margin: 0; font: var(--font)/1.4 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: var(--fg); background: var(--bg); }
body.large { --font: 20px; }
body.full #app { max-width: none; height: 100vh; }
#app { padding: 10px 14px; max-width: 1400px; margin: 0 auto; }
header { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; }
header strong { font-size: 1.15em; }
.controls button, #marks .mark { cursor: pointer; }
.controls button { font: inherit; min-width: 2.2em; padding: 2px 6px; border: 1px solid var(--line);
                   border-radius: 4px; background: var(--panel); }
#speed { display: inline-block; min-width: 3.4em; text-align: center; color: var(--muted); }
#counter, #clock { color: var(--muted); font-variant-numeric: tabular-nums; }
#timeline { position: relative; margin: 10px 0 4px; }
#scrub { width: 100%; }
#marks { position: relative; height: 12px; }
#marks .mark { position: absolute; top: 0; width: 8px; height: 12px; border: 0; padding: 0;
               border-radius: 2px; }
.mark.crash { background: var(--crash); } .mark.restart { background: var(--ok); }
.mark.giveup { background: #000; } .mark.current { outline: 2px solid var(--fg); }
#what { min-height: 2.8em; padding: 6px 10px; margin: 6px 0; background: var(--panel);
        border-left: 4px solid var(--line); }
#what.kind-signal, #what.kind-exit { border-left-color: var(--crash); }
#what.kind-sup { border-left-color: var(--ok); }
main { display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 4fr) minmax(0, 3fr); gap: 10px; }
.panel { background: var(--panel); border-radius: 6px; padding: 6px 8px; overflow: auto;
         max-height: 70vh; }
body.full .panel { max-height: calc(100vh - 190px); }
h3 { margin: 2px 0 6px; font-size: 1em; } h4 { margin: 8px 0 4px; font-size: 0.95em; }
svg text { font: inherit; font-size: 11px; text-anchor: middle; fill: var(--fg); }
body.large svg text { font-size: 16px; }
svg.tree .node rect { fill: #fff; stroke: #8a94a8; stroke-width: 1.2; }
svg.tree .node.supervisor rect { stroke: #364fc7; stroke-width: 2; }
svg.tree .node.hot rect { stroke: var(--hot); stroke-width: 3; }
svg.tree .node.hot2 rect { stroke: var(--hot); stroke-dasharray: 4 2; stroke-width: 2; }
svg.tree .node.selected rect { fill: #fff4e6; }
svg.tree .node.dying rect { fill: #ffe3e3; stroke: var(--crash); }
svg.tree .node { cursor: pointer; }
svg.tree .pid { font-weight: 600; } svg.tree .call { fill: var(--muted); }
svg.tree .restarts { fill: #364fc7; font-size: 10px; } svg.tree .reason { fill: var(--crash); }
svg.tree .edge { stroke: var(--line); stroke-width: 1.5; }
svg.tree .edge.signal { stroke: var(--crash); stroke-width: 4; }
.decision { margin-top: 6px; color: var(--ok); font-weight: 600; }
svg.seq .lane { stroke: var(--line); stroke-dasharray: 3 3; }
svg.seq .lanehead { font-weight: 600; cursor: pointer; }
svg.seq .arrow { stroke: #495057; stroke-width: 1.4; fill: none; marker-end: url(#arrowhead); }
svg.seq .msg.reply .arrow { stroke-dasharray: 5 3; }
svg.seq .msg.queued .arrow { stroke: #adb5bd; }
svg.seq .msg.now .arrow { stroke: var(--hot); stroke-width: 3; }
svg.seq .msg.lost .arrow { stroke: var(--crash); stroke-dasharray: 2 3; }
svg.seq .msg.lost .label { fill: var(--crash); }
svg.seq .msg.now .label { fill: var(--hot); font-weight: 600; }
svg.seq .label { font-size: 10px; }
body.large svg.seq .label { font-size: 14px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 8px; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
ol.mailbox { margin: 0; padding-left: 1.6em; font-family: ui-monospace, monospace; font-size: 0.92em; }
ol.mailbox li.took { background: #d3f9d8; font-weight: 600; }
ol.mailbox li.skipped { color: var(--muted); }
.hint { color: var(--muted); }
.note { background: #fff3bf; padding: 4px 8px; border-radius: 4px; margin-bottom: 6px; }
"""


def recording_of(source):
    """A `Recording` from a Recording, a Recorder, or a Runtime that records."""
    from beamlab.runtime.recorder import Recorder
    from beamlab.runtime.recording import Recording
    if isinstance(source, Recording):
        return source
    if isinstance(source, Recorder):
        return source.recording()
    rec = getattr(source, "recorder", None)
    if isinstance(rec, Recorder):
        return rec.recording()
    raise TypeError(f"export_html needs a Recording, a Recorder or a Runtime that records, not "
                    f"{type(source).__name__}; in a script run with beamlab.run(main, "
                    f"record=Recorder()) and pass that Recorder")


def _json_script(data) -> str:
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
    # inside <script>, "</" (a closing tag) or "<!--" could end or break it: no "<" at all
    return text.replace("<", "\\u003c")


def page(recording, title: str = "beamlab recording") -> str:
    """The HTML text of the page for `recording` (see export_html)."""
    rec = recording_of(recording)
    data = rec.to_json()
    player = _PLAYER.read_text(encoding="utf-8").replace("</script", "<\\/script")
    return (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        "<svg width=\"0\" height=\"0\" style=\"position:absolute\"><defs><marker id=\"arrowhead\" "
        "viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
        "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#495057\"/></marker>"
        "</defs></svg>\n"
        "<div id=\"app\"></div>\n"
        f"<script type=\"application/json\" id=\"beamlab-recording\">{_json_script(data)}</script>\n"
        f"<script>\n{player}\n</script>\n</body>\n</html>\n")


def export_html(recording, path, title: str = "beamlab recording") -> Path:
    """Write `recording` (a Recording, a Recorder, or a Runtime that records) as one
    self-contained HTML file at `path`; returns the path. Opens in any browser offline."""
    path = Path(path)
    path.write_text(page(recording, title), encoding="utf-8")
    return path
