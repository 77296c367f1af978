"""Options shared by the command line and the pytest plugin, defined once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .verdict import DEFAULT_ALPHA

__all__ = ["OPTIONS", "Option"]


@dataclass(frozen=True)
class Option:
    """One option: ``--initcheck-NAME`` in pytest, ``--NAME`` on the command line."""

    name: str
    type: Callable[[str], Any]
    default: Any
    help: str


OPTIONS: tuple[Option, ...] = (
    Option("seed", int, 0, "seed of every draw; the same seed gives the same verdict"),
    Option("alpha", float, DEFAULT_ALPHA, "family-wise false-alarm probability of one verdict"),
)
