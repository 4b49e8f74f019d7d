"""The supervision tree as Graphviz DOT, and its static fallbacks (SVG or HTML).

How this works: `to_dot(snapshot)` describes the tree with the `graphviz` package
(which only writes DOT text; it does not lay anything out). The live widget sends
that text to the browser, where Graphviz compiled to WebAssembly lays it out, so
no `dot` binary is needed. For a saved or exported notebook, `static_html()` lays
it out with the `dot` binary when one is installed (an SVG) and otherwise falls
back to an indented HTML list: the same information, without the drawing.

Colours say status at a glance: green alive, amber "just restarted", red dead or
restarting, grey for processes outside the tree. Supervisors are boxes that show
their strategy and restart-intensity window ("2/3 in 5s"); links that are not
supervision edges are dotted lines.
"""
from __future__ import annotations

import html
import shutil
import subprocess

import graphviz

from ._snapshot import TreeNode, TreeSnapshot

__all__ = ["to_dot", "static_html", "render_svg", "STATUS_COLOURS"]

# status -> (fill, border)
STATUS_COLOURS = {
    "running": ("#c8e6c9", "#2e7d32"),
    "runnable": ("#c8e6c9", "#2e7d32"),
    "waiting": ("#e8f5e9", "#43a047"),
    "exiting": ("#ffe0b2", "#ef6c00"),
    "restarting": ("#ffcdd2", "#c62828"),
    "dead": ("#ffcdd2", "#c62828"),
    "stopped": ("#eeeeee", "#9e9e9e"),
    "gone": ("#f5f5f5", "#bdbdbd"),       # a tree whose root exited: its last known structure
}
RESTARTED = "#f9a825"
FONT = "Helvetica,Arial,sans-serif"


def label(node: TreeNode) -> str:
    """The text in a node's box: name, pid, and what a learner should notice."""
    if node.kind == "group":
        return f"{node.name}\\n{node.summary}\\n(click to show more)"
    lines = [node.name]
    lines.append(str(node.pid) if node.pid is not None else node.status)
    if node.kind == "supervisor":
        bits = [node.strategy or ""]
        if node.intensity is not None:
            bits.append(str(node.intensity))
        lines.append(" · ".join(b for b in bits if b))
    if node.restarts:
        lines.append(f"↻ {node.restarts} restart{'s' if node.restarts != 1 else ''}")
    return "\\n".join(lines)


def tooltip(node: TreeNode) -> str:
    parts = [f"{node.name} {node.pid or ''}".strip(), f"status: {node.status}"]
    if node.restart:
        parts.append(f"restart: {node.restart}")
    if node.behaviour:
        parts.append(f"behaviour: {node.behaviour}")
    if node.intensity is not None:
        parts.append(f"restart intensity: {node.intensity} (one more "
                     + ("and it gives up)" if node.intensity.exhausted else "is fine)"))
    parts.append("click to inspect")
    return "\\n".join(parts)


def _attrs(node: TreeNode) -> dict:
    fill, border = STATUS_COLOURS.get(node.status, ("#ffffff", "#616161"))
    a = {"label": label(node), "tooltip": tooltip(node), "fillcolor": fill, "color": border,
         "penwidth": "1.5", "style": "filled"}
    if node.kind == "supervisor":
        a["shape"] = "box"
        a["style"] = "rounded,filled"
        if node.intensity is not None and node.intensity.exhausted and node.status not in ("dead", "gone"):
            a["color"] = "#c62828"
            a["penwidth"] = "3"
    elif node.kind == "group":
        a.update(shape="folder", fillcolor="#f5f5f5", color="#757575")
    elif node.kind == "process":
        a.update(shape="ellipse", style="dashed,filled", fillcolor="#fafafa", color="#9e9e9e",
                 fontcolor="#616161")
    else:
        a["shape"] = "ellipse"
    if node.status == "gone":
        a.update(fontcolor="#9e9e9e", style=a["style"] + ",dashed" if "dashed" not in a["style"] else a["style"])
    if node.recently_restarted and node.kind != "group":
        a["color"] = RESTARTED
        a["penwidth"] = "4"
    return a


def to_dot(snapshot: TreeSnapshot, *, title: str = "", alerts: dict | None = None) -> str:
    """DOT text for a snapshot; node names are the snapshot's stable keys.

    `alerts` maps a node's key to a line to add under its label and tooltip (e.g.
    "long_schedule 1,234 ms": it held the scheduler in a long native call).

    >>> print(to_dot(tree_snapshot(rt, sup)))               # doctest: +SKIP
    digraph supervision_tree { ... }
    """
    g = graphviz.Digraph("supervision_tree")
    g.attr(rankdir="TB", bgcolor="transparent", nodesep="0.25", ranksep="0.45",
           fontname=FONT, fontsize="11")
    if title or snapshot.note:
        g.attr(label=" — ".join(t for t in (title, snapshot.note) if t), labelloc="t")
    g.attr("node", fontname=FONT, fontsize="10", margin="0.12,0.04")
    g.attr("edge", color="#757575", arrowsize="0.6")
    for node in snapshot.nodes:
        a = _attrs(node)
        alert = alerts.get(node.key) if alerts else None
        if alert:
            a["label"] += f"\\n⚠ {alert}"
            a["tooltip"] += f"\\n⚠ {alert}: a long native call held every process up; use dirty_call"
        g.node(node.key, **a)
    for node in snapshot.nodes:
        for child in node.children:
            g.edge(node.key, child)
        for other in node.links:
            g.edge(node.key, other, style="dotted", dir="none", constraint="false",
                   color="#5c6bc0", tooltip="link")
    return g.source


# --------------------------------------------------------------------------- static fallbacks

def render_svg(dot: str, *, timeout: float = 10.0) -> str | None:
    """Lay `dot` out with the `dot` binary; None when Graphviz is not installed."""
    exe = shutil.which("dot")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "-Tsvg"], input=dot.encode(), capture_output=True,
                             timeout=timeout, check=True).stdout.decode()
    except (subprocess.SubprocessError, OSError):
        return None
    start = out.find("<svg")
    return out[start:] if start >= 0 else None


def _html_list(snapshot: TreeSnapshot) -> str:
    by_key = {n.key: n for n in snapshot.nodes}

    def item(node: TreeNode) -> str:
        fill, border = STATUS_COLOURS.get(node.status, ("#fff", "#616161"))
        text = html.escape(label(node).replace("\\n", " · "))
        kids = "".join(item(by_key[k]) for k in node.children if k in by_key)
        sub = f"<ul>{kids}</ul>" if kids else ""
        return (f'<li><span style="background:{fill};border:1px solid {border};'
                f'border-radius:4px;padding:0 4px">{text}</span>{sub}</li>')

    roots = [n for n in snapshot.nodes if n.parent is None and n.kind != "process"]
    return "<ul>" + "".join(item(n) for n in roots) + "</ul>"


def picture_body(snapshot: TreeSnapshot, *, dot: str | None = None) -> str:
    """The tree's picture without a caption: an SVG at its natural size, else a list."""
    svg = render_svg(dot if dot is not None else to_dot(snapshot))
    if svg is None:
        return _html_list(snapshot)
    return svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)


def static_html(snapshot: TreeSnapshot, *, title: str = "", dot: str | None = None) -> str:
    """The picture a saved notebook keeps: an SVG when `dot` is installed, else a list."""
    dot = dot if dot is not None else to_dot(snapshot, title=title)
    svg = render_svg(dot)
    body = svg if svg is not None else _html_list(snapshot)
    caption = html.escape(title or "supervision tree")
    return (f'<div class="beamlab-tree-static"><div style="font:12px sans-serif;color:#555">'
            f"{caption} (static picture; run the notebook for the live tree)</div>{body}</div>")
