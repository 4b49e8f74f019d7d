"""The picture keeper: the front end of a widget that has none of its own.

How this works: the telemetry chart is bqplot figures in a box; nothing of ours runs in
the browser for it. A `PictureKeeper` (static/keeper.js) is put in the box, taking no
room. Its views say whether the box is on screen (so the chart refreshes only then, see
_views.py); on save it writes `picture`, which the owner keeps current, into the saved
notebook (see _saved.py); once the kernel is gone it greys the box and says to re-run.

    >>> keeper = PictureKeeper(rt, kind="chart", on_view=chart.view_message)   # doctest: +SKIP
    >>> keeper.picture = "<svg>...</svg>"                                  # doctest: +SKIP
"""
from __future__ import annotations

import pathlib

import anywidget
import traitlets as t

from ._messages import FrontEndChecked, dispatch
from ._views import VIEW_MESSAGES, ViewWatch

__all__ = ["PictureKeeper", "KEEPS_PICTURE"]

KEEPS_PICTURE = "beamlab-keeps-picture"   # the class of the box a keeper watches and greys


class PictureKeeper(FrontEndChecked, anywidget.AnyWidget):
    """Says whether its box is on screen, saves `picture` with the notebook, greys the box
    when the kernel is gone. `on_view(msg)` hears each view message (default: `views`)."""

    _esm = pathlib.Path(__file__).parent / "static" / "keeper.js"
    static_id = t.Unicode("").tag(sync=True)
    caption = t.Unicode("").tag(sync=True)
    picture = t.Unicode("").tag(sync=True)      # the owner's current picture (HTML)
    kind = t.Unicode("widget").tag(sync=True)    # what the "kernel restarted" banner calls it

    def __init__(self, runtime=None, on_view=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime                   # on_view runs inside it
        self.views = ViewWatch()
        self._on_view = on_view
        self.on_msg(self._message)

    def _message(self, _widget, content, _buffers) -> None:
        # views say only this; anything else is refused
        dispatch(self, content, VIEW_MESSAGES, self._view, in_runtime=self.runtime is not None)

    def _view(self, msg: dict) -> None:
        if self._on_view is not None:
            self._on_view(msg)
        else:
            self.views.heard(msg["id"], msg["visible"])
