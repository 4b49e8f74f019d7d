"""Widget tests run without a browser: widgets are Python objects whose traits we read,
and clicks are the comm messages the browser would send (see `click`)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))




@pytest.fixture
def fake():
    from fake_runtime import demo
    return demo()
