"""Which front-end views are showing a widget now, so a widget nobody sees costs nothing.

How this works: each view of a live widget sends {type: "view", id, visible} when it
renders, every HEARTBEAT seconds while it is on screen (IntersectionObserver, page
visible), and {visible: false} when it is removed or scrolled away. `ViewWatch` keeps
the views heard from within TTL seconds. A `Watched` widget's ticker refresh does
nothing while no view is watching, so with no browser attached (or the notebook closed,
or the widget scrolled away) it reads nothing and sends nothing; the first heartbeat
of a new view refreshes it at once. An explicit `refresh()` always refreshes. A widget whose own front end sends both
the view messages and its clicks takes them with `listen`.
"""
from __future__ import annotations

import time

from ._messages import Field, dispatch

__all__ = ["ViewWatch", "Watched", "VIEW_MESSAGES", "HEARTBEAT", "TTL", "is_view_message", "listen"]

HEARTBEAT = 4.0      # seconds between a visible view's messages (widgets/js/src/views.js)
TTL = 3 * HEARTBEAT  # a view not heard from for this long is gone (closed tab, lost connection)

# checked by _messages.dispatch like any message, but apart from the clicks a widget understands
VIEW_MESSAGES = {"view": {"id": Field(str, required=True, max_len=64), "visible": Field(bool, required=True)}}


def is_view_message(content) -> bool:
    return isinstance(content, dict) and content.get("type") == "view"


class ViewWatch:
    """The views of one widget heard from recently.

    >>> w = ViewWatch(); w.heard("a", True); w.watched()
    True
    >>> w.heard("a", False); w.watched()
    False
    """

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._seen: dict[str, float] = {}

    def heard(self, view_id: str, visible: bool) -> bool:
        """Record a view's message; True when it is the first view to watch."""
        was = self.watched()
        if visible:
            self._seen[view_id] = self._clock()
        else:
            self._seen.pop(view_id, None)
        return visible and not was

    def watched(self) -> bool:
        now = self._clock()
        for vid in [v for v, t in self._seen.items() if now - t > TTL]:
            del self._seen[vid]
        return bool(self._seen)

    def __len__(self) -> int:
        return len(self._seen) if self.watched() else 0


def listen(widget, messages: dict, handler, *, on_view, in_runtime=True) -> None:
    """Take a widget's front-end messages: its views' (`widget.views`, a new ViewWatch,
    hears them through `on_view(msg)`) and the others, checked against `messages` and
    handled by `handler` (_messages.dispatch). `in_runtime`: True, False, or the message
    types to handle inside the runtime (the others right here)."""
    widget.views = ViewWatch()

    def on_msg(_widget, content, _buffers) -> None:
        if is_view_message(content):        # a view saying it is (not) on screen
            dispatch(widget, content, VIEW_MESSAGES, on_view)
            return
        inside = in_runtime if isinstance(in_runtime, bool) else (
            isinstance(content, dict) and content.get("type") in in_runtime)
        dispatch(widget, content, messages, handler, in_runtime=inside)
    widget.on_msg(on_msg)


class Watched:
    """Mixed into a `Live` widget (before it): the ticker refreshes it only while watched.

    The widget has `views` (a ViewWatch; `listen` makes it) or `_views_of()` naming the
    object that has."""

    def _views_of(self):
        return self

    def _tick(self) -> None:
        if self._views_of().views.watched():
            self.refresh()

    def listen(self, messages: dict, handler, *, in_runtime=True) -> None:
        """Take this widget's front-end messages (the module's `listen`): its views' make
        it watched, the others go to `handler`."""
        listen(self, messages, handler, on_view=self.view_message, in_runtime=in_runtime)

    def view_message(self, msg: dict) -> None:
        """A view said it shows (or stopped showing) this widget; a first view refreshes now."""
        if self._views_of().views.heard(msg["id"], msg["visible"]) and self._handle is not None:
            self.refresh()
