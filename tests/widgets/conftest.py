"""Widget tests run without a browser: widgets are Python objects whose traits we read,
and clicks are the comm messages the browser would send (see `click`)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


def click(widget, **content) -> None:
    """Deliver a custom comm message to `widget`, exactly as the front end's model.send does."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


@pytest.fixture
def fake():
    from fake_runtime import demo
    return demo()
