"""Every live widget's bundle carries its picture as text/html (_saved.SavedPicture), what a
front end that cannot render the widget shows; a picture that cannot be drawn leaves the
widget's view displayable instead of breaking the display."""
from __future__ import annotations

import pytest

from beamlab.runtime import MockClock, Runtime, self as me, spawn
from beamlab.widgets import ClusterView, Observer, SequenceTrace, SupervisionTree
from beamlab.widgets.telemetry_chart import TelemetryChart, counter

VIEW = "application/vnd.jupyter.widget-view+json"

WIDGETS = {
    "tree": lambda: SupervisionTree(spawn(lambda: None), live=False, timeline=False),
    "cluster": lambda: ClusterView(live=False),
    "observer": lambda: Observer(live=False, charts=False),
    "sequence": lambda: SequenceTrace(me(), live=False, timeline=False),
    "telemetry": lambda: TelemetryChart([counter("beamlab.process.spawn.count")], live=False),
}


def bundle_of(make, broken: bool):
    def main():
        w = make()
        if broken:
            def static_html():
                raise RuntimeError("no picture today")
            w.static_html = static_html
        data, _meta = w._repr_mimebundle_()
        return data
    return Runtime(clock=MockClock()).run(main)


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_the_live_bundle_carries_the_picture(name):
    data = bundle_of(WIDGETS[name], broken=False)
    assert VIEW in data and data["text/html"].startswith("<div")


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_a_picture_that_cannot_be_drawn_leaves_the_view_displayable(name):
    data = bundle_of(WIDGETS[name], broken=True)
    assert VIEW in data and "no picture today" not in data.get("text/html", "")
