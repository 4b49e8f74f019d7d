"""Saved pictures: what a notebook shows of a live widget once its kernel is gone.

How this works: a widget is displayed as two outputs, each holding the same picture made
of *parts*, one per widget, each marked `data-beamlab-part="<static_id>"` between
`<!--bl:<id>-->` and `<!--/bl:<id>-->`:

- A, the live output: the widget's view, with the picture as its text/html (and a caption
  as text/plain). A front end that renders widgets shows only the view. One that cannot
  falls back to the picture: nbconvert and notebook viewers (no widget state saved),
  VS Code when its kernel does not know the model (a reopened notebook), an untrusted
  notebook in JupyterLab.
- B, the picture output (text/html), hidden by its own inline style. JupyterLab and
  Notebook 7 never fall back from a widget whose model is gone: they draw "Error
  displaying widget: model not found" for A. B's style rules hide that error and show B
  in its place; anywhere else B stays hidden, so the picture is never shown twice.
- When the notebook is saved, each live view writes its current picture into its parts
  (widgets/js/src/saved.js), in A and B, so the saved file shows the last state.

A Box (HBox, VBox, GridBox) of beamlab widgets gets one picture with a part per widget
laid out like the box (`show_box`), installed as the shell's display hook for Box.
"""
from __future__ import annotations

import html
import uuid

__all__ = ["ERROR_RULE", "SavedPicture", "part_html", "picture_html", "fallback_html", "show_box",
           "saved_parts"]

# In JupyterLab and Notebook 7: in an output area whose widget output has no view (the
# widget manager writes its error as bare text into .jupyter-widgets; a live view is an
# element in there), the error is hidden and the picture output shown instead; while the
# widget has a live view the picture's output is hidden altogether. No :has() nests in
# another, which CSS does not allow.
ERROR_RULE = (".jp-OutputArea:has(.beamlab-static) > .jp-OutputArea-child"
              ":has(> .jp-OutputArea-output.jupyter-widgets)"
              ":not(:has(> .jp-OutputArea-output > *)) { display: none; }"
              " .jp-OutputArea:has(> .jp-OutputArea-child > .jp-OutputArea-output.jupyter-widgets)"
              " .beamlab-static { display: block !important; }"
              " .jp-OutputArea:has(> .jp-OutputArea-child > .jp-OutputArea-output > .jupyter-widgets)"
              " > .jp-OutputArea-child:has(.beamlab-static) { display: none; }")


def new_static_id() -> str:
    return "bl" + uuid.uuid4().hex[:16]


def part_html(sid: str, caption: str, body: str) -> str:
    """One widget's picture, marked so its live view can find and replace it."""
    return (f'<!--bl:{sid}--><div class="beamlab-part" data-beamlab-part="{sid}">'
            f'<div style="font:12px sans-serif;color:#555;margin-bottom:4px">{html.escape(caption)}</div>'
            f"{body}</div><!--/bl:{sid}-->")


def _layout(parts: list[str], columns: int) -> str:
    if columns > 1:
        return (f'<div style="display:grid;grid-template-columns:repeat({columns},minmax(0,1fr));'
                f'gap:8px;overflow-x:auto">' + "".join(f'<div style="min-width:0;overflow-x:auto">{p}</div>'
                                                        for p in parts) + "</div>")
    return "".join(parts)


def picture_html(parts: list[str], columns: int = 1) -> str:
    """Output B: the parts (in a grid of `columns`), hidden unless the rules show them
    in place of JupyterLab's "model not found"."""
    return (f'<div class="beamlab-static" style="display:none"><style>{ERROR_RULE}</style>'
            f"{_layout(parts, columns)}</div>")


def fallback_html(parts: list[str], columns: int = 1) -> str:
    """Output A's text/html: the same parts, shown wherever the widget view is not."""
    return f'<div class="beamlab-fallback">{_layout(parts, columns)}</div>'


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

    def _repr_mimebundle_(self, **kwargs):
        """The widget's bundle, its text/html the picture: what a front end that cannot
        render the widget shows (nbconvert, viewers, an untrusted notebook)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
        try:
            data["text/html"] = self.static_html()
        except Exception:                 # never let a picture break the display
            pass
        return data, meta

    def _live_bundle(self):
        bundle = self._repr_mimebundle_()
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
        data = {k: v for k, v in data.items() if k != "text/html"}
        return data, meta

    def _ipython_display_(self) -> None:
        part = self.saved_part()          # gives the front end its static_id before it renders
        data, meta = self._live_bundle()
        _display_pair(data, meta, [part], 1, self.saved_caption())


def _display_pair(data: dict, meta: dict, parts: list[str], columns: int, caption: str) -> None:
    """Output A (the view, falling back to the picture) and output B (see the module doc)."""
    from IPython.display import display
    display(dict(data, **{"text/html": fallback_html(parts, columns), "text/plain": caption}),
            metadata=meta, raw=True)
    display({"text/html": picture_html(parts, columns), "text/plain": ""}, raw=True)


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
    if not widgets:
        display(data, metadata=meta, raw=True)
        return
    data = {k: v for k, v in data.items() if k != "text/html"}
    _display_pair(data, meta, parts, _columns(box, len(widgets)),
                  "beamlab widgets (saved picture; run the cell for the live view)")


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

