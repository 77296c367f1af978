"""Options shared by the command line and the pytest plugin, defined once."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any, Callable

from .verdict import DEFAULT_ALPHA

__all__ = ["OPTIONS", "Option", "number_type", "shape_type"]


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


def number_type(name: str) -> Callable[[str], float]:
    """An argparse type: a float, or a one-line error naming ``name`` and the text."""
    def parse(text: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name}={text!r}: expected a number") from None
    return parse


def shape_type(name: str, example: str) -> Callable[[str], tuple[int, ...]]:
    """An argparse type: ``AxBxC`` as a tuple of positive ints (error names ``name``, shows ``example``)."""
    def parse(text: str) -> tuple[int, ...]:
        parts = text.lower().replace("×", "x").split("x")
        try:
            dims = tuple(int(p) for p in parts)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name}={text!r}: expected dimensions like {example}") from None
        if not dims or any(d <= 0 for d in dims):
            raise argparse.ArgumentTypeError(f"{name}={text!r}: expected positive dimensions like {example}")
        return dims
    return parse
