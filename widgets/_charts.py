"""Small helpers shared by the bqplot charts (observer, telemetry).

How this works: bqplot derives a scale's domain from the data; a flat series
(a run queue that stays 0, a first sample alone on the time axis) gives an
empty domain and d3 then fails to format the ticks ("invalid format:
.undefinedg"), which also stops the chart from drawing. `fit_x`/`fit_y` set
explicit, never-empty domains (y from 0 for non-negative data) and only send
them when they change. Given the y axis, `fit_y` also sets whole-number ticks
(0, half, top) for non-negative data, so counts never read "670m" or "-70m";
with the tick format COUNT_FORMAT they read 0, 500, 1k, 14k, 1.2M.
"""
from __future__ import annotations

import math

__all__ = ["fit_x", "fit_y", "twice_if_single", "count_ticks", "COUNT_FORMAT"]

COUNT_FORMAT = ".3~s"          # d3: 0, 15, 500, 1k, 14k, 1.2M (no trailing zeros)


def _nice(x: float) -> float:
    """The next "round" number at or above x (1, 2, 5 × a power of ten)."""
    if x <= 0:
        return 1.0
    exp = math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * 10 ** exp >= x:
            return float(m * 10 ** exp)
    return float(10 ** (exp + 1))


def count_ticks(hi: float) -> list[float]:
    """Whole-number ticks from 0 to `hi`: 0, the middle when it is whole, and `hi`.

    >>> count_ticks(1.0), count_ticks(20.0), count_ticks(5.0)
    ([0.0, 1.0], [0.0, 10.0, 20.0], [0.0, 5.0])
    """
    hi = max(1.0, float(math.ceil(hi)))
    mid = hi / 2
    return [0.0, mid, hi] if mid.is_integer() and mid > 0 else [0.0, hi]


def fit_y(scale, values, axis=None) -> None:
    finite = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    lo = min(finite, default=0.0)
    hi = max(finite, default=0.0)
    lo = 0.0 if lo >= 0 else -_nice(-lo)
    hi = _nice(hi * 1.05) if hi > 0 else (0.0 if lo < 0 else 1.0)
    if hi <= lo:
        hi = lo + 1.0
    if scale.min != lo or scale.max != hi:
        with scale.hold_sync():
            scale.min = lo
            scale.max = hi
    if axis is not None and lo == 0.0:
        ticks = count_ticks(hi)
        current = getattr(axis, "tick_values", None)
        if current is None or [float(v) for v in current] != ticks:
            axis.tick_values = ticks


def fit_x(scale, xs) -> None:
    """A time axis of "seconds ago": from the oldest point (at least 1 s back) to 0."""
    lo = min(min(xs, default=-1.0), -1.0)
    if scale.min != lo or scale.max != 0.0:
        with scale.hold_sync():
            scale.min = float(lo)
            scale.max = 0.0


def twice_if_single(xs: list, ys: list) -> tuple[list, list]:
    """bqplot squeezes a one-point array to a scalar and rejects it: draw that point twice."""
    if len(xs) == 1:
        return xs * 2, ys * 2
    return xs, ys
