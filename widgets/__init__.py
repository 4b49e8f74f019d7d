"""beamlab.widgets — live, hands-on views of a running beamlab runtime.

Each widget observes the runtime from outside, like Erlang's observer attached
to a node, and keeps a static picture for saved notebooks:

- `SupervisionTree(root)` / `supervision_tree(root)`: the live supervision tree;
  click a node to inspect it, kill it or make it exit.
- `tree_snapshot(runtime, root)`: the same tree as plain data (`TreeSnapshot`).
- `Observer()` / `observer()`: sortable, paged process table, inspector, load charts.
- `TelemetryChart(metrics)` / `telemetry_chart(*metrics)`: live charts of
  `metrics.counter/sum_/last_value/summary` (Telemetry.Metrics' four kinds).
- `SequenceTrace(a, b)` / `sequence_trace(a, b)`: a live message sequence diagram.
- `Chaos(root)` / `chaos(root)`: seeded random kills under a supervisor, with a stop control.
- `ClusterView()` / `cluster_view()`: the simulated cluster's nodes, connections (click to cut
  or heal) and the messages between nodes, one lane per node.
- `export_html(recording, path)`: a flight recording as one self-contained page (export.py).

Example (in a beamlab notebook):

    >>> sup = Supervisor.start_link([worker("a"), worker("b")])   # doctest: +SKIP
    >>> supervision_tree(sup)                                      # doctest: +SKIP
"""
from ._snapshot import Intensity, RestartHistory, TreeNode, TreeSnapshot, tree_snapshot
from ._dot import static_html, to_dot
from .tree import SupervisionTree, supervision_tree
from .observer import Observer, ProcessTable, SystemCharts, observer
from . import _metrics as metrics
from ._metrics import Metric, counter, last_value, sum_, summary
from .telemetry_chart import TelemetryChart, telemetry_chart
from .sequence import SequenceTrace, sequence_trace
from .chaos import Chaos, chaos
from .cluster import ClusterView, cluster_view
from .export import export_html

__all__ = [
    "SupervisionTree", "supervision_tree",
    "Observer", "ProcessTable", "SystemCharts", "observer",
    "SequenceTrace", "sequence_trace", "Chaos", "chaos", "ClusterView", "cluster_view",
    "TelemetryChart", "telemetry_chart", "metrics", "Metric", "counter", "sum_", "last_value", "summary",
    "TreeSnapshot", "TreeNode", "Intensity", "RestartHistory", "tree_snapshot",
    "to_dot", "static_html", "export_html",
]
