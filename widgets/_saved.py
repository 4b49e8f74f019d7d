"""Saved pictures: what a notebook shows of a live widget once its kernel is gone.

How this works: JupyterLab and Notebook 7 draw "Error displaying widget: model not
found" for a widget output whose kernel is gone, and never fall back to the other
formats of that output. So a widget is displayed as two outputs: the live view, and
beside it a static picture (text/html) made of *parts*, one per widget, each marked
`data-beamlab-part="<static_id>"` between `<!--bl:<id>-->` and `<!--/bl:<id>-->`.

- While a live view is alive, its front end hides the output that holds its part.
- When the notebook is saved, each live view writes its current picture into its part
  (widgets/js/src/saved.js), so the saved file shows the last state.
- The picture output carries a style rule that hides, in its own output area, a
  widget output that has no view (the "model not found" error); nbconvert and
  notebook viewers simply show the picture.

A Box (HBox, VBox, GridBox) of beamlab widgets gets one picture output with a part per
widget laid out like the box (`show_box`), installed as the shell's display hook for Box.
"""
from __future__ import annotations

import html
import uuid

__all__ = ["ERROR_RULE", "SavedPicture", "part_html", "picture_html", "show_box", "saved_parts"]

# In an output area that holds a beamlab picture, hide a widget output that never got a
# view (the widget manager writes its error as bare text into .jupyter-widgets; a live
# view is an element in there). No :has() nests in another, which CSS does not allow.
ERROR_RULE = (".jp-OutputArea:has(.beamlab-static) > .jp-OutputArea-child"
              ":has(> .jp-OutputArea-output.jupyter-widgets)"
              ":not(:has(> .jp-OutputArea-output > *)) { display: none; }"
              # and the picture itself while the widget beside it has a live view (for widgets
              # whose front end does not hide it by its id)
              " .jp-OutputArea:has(> .jp-OutputArea-child > .jp-OutputArea-output > .jupyter-widgets)"
              " > .jp-OutputArea-child:has(.beamlab-static) { display: none; }")


def new_static_id() -> str:
    return "bl" + uuid.uuid4().hex[:16]


def part_html(sid: str, caption: str, body: str) -> str:
    """One widget's picture, marked so its live view can find and replace it."""
    return (f'<!--bl:{sid}--><div class="beamlab-part" data-beamlab-part="{sid}">'
            f'<div style="font:12px sans-serif;color:#555;margin-bottom:4px">{html.escape(caption)}</div>'
            f"{body}</div><!--/bl:{sid}-->")


def picture_html(parts: list[str], columns: int = 1) -> str:
    """The static output: the parts (in a grid of `columns`) and the rule hiding the error."""
    if columns > 1:
        inner = (f'<div style="display:grid;grid-template-columns:repeat({columns},minmax(0,1fr));'
                 f'gap:8px;overflow-x:auto">' + "".join(f'<div style="min-width:0;overflow-x:auto">{p}</div>'
                                                         for p in parts) + "</div>")
    else:
        inner = "".join(parts)
    return f'<div class="beamlab-static"><style>{ERROR_RULE}</style>{inner}</div>'


class SavedPicture:
    """Mixed into a live widget: displayed as the live view plus its saved picture.

    The widget provides `static_html()` (its picture now) and `saved_caption()`; the
    anywidget that runs the front end has a synced `static_id` trait (see `_static_host`).
    """

    def _static_host(self):
        """The anywidget whose front end keeps the picture current (self by default)."""
        return self

    @property
    def saved_id(self) -> str:
        host = self._static_host()
        if not getattr(host, "static_id", ""):
            host.static_id = new_static_id()
        return host.static_id

    def saved_caption(self) -> str:
        return "beamlab widget (saved picture; run the cell for the live view)"

    def saved_body(self) -> str:
        """The picture itself (HTML); `static_html()` unless the widget has a better one."""
        return self.static_html()

    def saved_part(self) -> str:
        try:
            body = self.saved_body()
        except Exception as exc:          # never let a picture break the display
            body = f"<pre>(no picture: {html.escape(type(exc).__name__)}: {html.escape(str(exc))})</pre>"
        return part_html(self.saved_id, self.saved_caption(), body)

    def _live_bundle(self):
        bundle = self._repr_mimebundle_()
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
        data = {k: v for k, v in data.items() if k != "text/html"}
        return data, meta

    def _ipython_display_(self) -> None:
        from IPython.display import display
        part = self.saved_part()          # gives the front end its static_id before it renders
        data, meta = self._live_bundle()
        display(data, metadata=meta, raw=True)
        display({"text/html": picture_html([part]),
                 "text/plain": self.saved_caption()}, raw=True)


def saved_parts(widget) -> list:
    """The beamlab widgets with a saved picture inside `widget` (itself, or a Box's children)."""
    if isinstance(widget, SavedPicture):
        return [widget]
    out = []
    for child in getattr(widget, "children", ()) or ():
        out.extend(saved_parts(child))
    return out


def _columns(box, n: int) -> int:
    import ipywidgets as W
    if isinstance(box, W.HBox):
        return n
    if isinstance(box, W.GridBox):
        template = getattr(box.layout, "grid_template_columns", None) or ""
        if "repeat(" in template:
            try:
                return max(1, int(template.split("repeat(", 1)[1].split(",", 1)[0]))
            except ValueError:
                return n
        return max(1, len(template.split())) if template else n
    return 1


def show_box(box) -> None:
    """Display an ipywidgets Box; when it holds beamlab widgets, add their saved picture."""
    from IPython.display import display
    widgets = saved_parts(box)
    parts = [w.saved_part() for w in widgets]
    bundle = box._repr_mimebundle_()
    data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
    display(data, metadata=meta, raw=True)
    if widgets:
        display({"text/html": picture_html(parts, _columns(box, len(widgets))),
                 "text/plain": "beamlab widgets (saved picture; run the cell for the live view)"}, raw=True)


def _show(box) -> bool:
    if isinstance(box, SavedPicture):
        box._ipython_display_()
    else:
        show_box(box)
    return True


def install(shell) -> None:
    """Make `shell` display Boxes of beamlab widgets with their saved picture (registered
    by name, so ipywidgets is not imported until a notebook uses it)."""
    formatter = shell.display_formatter.ipython_display_formatter
    formatter.for_type_by_name("ipywidgets.widgets.widget_box", "Box", _show)
