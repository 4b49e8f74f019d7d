"""What the widgets' front ends send, delivered from Python (imported by the widget tests)."""


def click(widget, **content) -> None:
    """Deliver a custom comm message to `widget`, exactly as the front end's model.send does."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})
