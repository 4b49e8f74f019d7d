"""The beamlab twins of the Erlang and Elixir scenarios, by name.

Each module here mirrors one file of ``erlang/`` (or ``elixir/``): a function per
scenario, decorated with ``@scenario``, named as its twin, doing the same thing
with beamlab's API and emitting the same terms.
"""
from __future__ import annotations

import importlib
from typing import Callable

__all__ = ["SCENARIOS", "scenario", "load"]

SCENARIOS: dict[str, Callable[[], None]] = {}

_MODULES = ("links", "monitors", "receiving", "names", "gen_servers", "supervisors",
            "elixir_behaviours", "distribution")


def scenario(fn: Callable[[], None]) -> Callable[[], None]:
    """Register `fn` as the beamlab twin of the scenario of the same name."""
    if fn.__name__ in SCENARIOS:
        raise ValueError(f"two scenarios are named {fn.__name__!r}")
    SCENARIOS[fn.__name__] = fn
    return fn


def load() -> dict[str, Callable[[], None]]:
    for mod in _MODULES:
        importlib.import_module(f"{__name__}.{mod}")
    return SCENARIOS
