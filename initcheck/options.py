"""Options shared by the command line and the pytest plugin, defined once.

Each :class:`Option` is ``--NAME`` on the command line and ``--initcheck-NAME``
in pytest, with one type (whose error is one line naming the value), one
default (from :mod:`initcheck.defaults`) and one help text. The pytest plugin
also tells :func:`initcheck.assert_conforms` the values of the run in
progress through :func:`active`. This module imports neither numpy nor the
engine: the pytest plugin imports it in every pytest run.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .defaults import DEFAULT_ALPHA, DEFAULT_SEED, DEFAULT_TOLERANCE

__all__ = [
    "ALPHA",
    "OPTIONS",
    "SEED",
    "TOLERANCE",
    "Option",
    "activate",
    "active",
    "deactivate",
    "number_type",
    "seed_type",
    "shape_type",
]


def number_type(name: str) -> Callable[[str], float]:
    """An argparse type: a float, or a one-line error naming ``name`` and the text."""
    def parse(text: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name}={text!r}: expected a number") from None
    return parse


def seed_type(text: str) -> int:
    """An argparse type: a non-negative integer seed, or a one-line error."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"seed={text!r}: expected a non-negative integer")
    return value


def shape_type(name: str, example: str) -> Callable[[str], tuple[int, ...]]:
    """An argparse type: ``AxBxC`` as a tuple of positive ints (error names ``name``, shows ``example``)."""
    def parse(text: str) -> tuple[int, ...]:
        parts = text.lower().replace("×", "x").split("x")
        try:
            dims = tuple(int(p) for p in parts)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name}={text!r}: expected dimensions like {example}"
            ) from None
        if not dims or any(d <= 0 for d in dims):
            raise argparse.ArgumentTypeError(
                f"{name}={text!r}: expected positive dimensions like {example}"
            )
        return dims
    return parse


@dataclass(frozen=True)
class Option:
    """One option: ``--initcheck-NAME`` in pytest, ``--NAME`` on the command line.

    Attributes:
        name: the keyword argument of :func:`initcheck.check` it sets.
        type: parses the text; raises :class:`argparse.ArgumentTypeError` with one line.
        default: from :mod:`initcheck.defaults`.
        help: what it means (the default is appended where it is shown).
    """

    name: str
    type: Callable[[str], Any]
    default: Any
    help: str

    def add_to(self, add: Callable[..., Any], *, prefix: str = "", help: str | None = None) -> None:
        """Define the option with ``add`` (``ArgumentParser.add_argument`` or pytest's ``addoption``).

        Args:
            add: the function that defines an option.
            prefix: before the name: ``"initcheck-"`` gives ``--initcheck-seed``
                (stored as ``initcheck_seed``).
            help: the help text, if this command says it otherwise.
        """
        add(f"--{prefix}{self.name}", type=self.type, default=self.default,
            dest=f"{prefix}{self.name}".replace("-", "_"),
            help=f"{help or self.help} (default {self.default:g})")


SEED = Option("seed", seed_type, DEFAULT_SEED,
              "seed of every draw; the same seed gives the same verdict")
ALPHA = Option("alpha", number_type("alpha"), DEFAULT_ALPHA,
               "family-wise false-alarm probability of one verdict")
TOLERANCE = Option("tolerance", number_type("tolerance"), DEFAULT_TOLERANCE,
                   "relative variance error to catch with power 0.999")  # the command line's only

#: the options the pytest plugin adds (``--initcheck-seed``, ``--initcheck-alpha``), which
#: :func:`initcheck.assert_conforms` takes as its defaults
OPTIONS: tuple[Option, ...] = (SEED, ALPHA)


# --- the values of the pytest run in progress -------------------------------------------

# The values of every pytest run in progress in this process, innermost last. A run adds
# its own at configure and removes them (by identity) at unconfigure, so nothing outlives
# the run, and a pytester run inside a test sees its own values, then the outer run's
# again. A list, not a ContextVar: threads a test starts see the values too.
_runs: list[Mapping[str, Any]] = []


def activate(values: Mapping[str, Any]) -> Mapping[str, Any]:
    """Make ``values`` the defaults of the run in progress (the pytest plugin's configure).

    Returns:
        A read-only copy, to keep (e.g. on pytest's config) and hand to :func:`deactivate`.
    """
    frozen = MappingProxyType(dict(values))
    _runs.append(frozen)
    return frozen


def deactivate(values: Mapping[str, Any]) -> None:
    """End the run whose values :func:`activate` returned (the plugin's unconfigure)."""
    for i in range(len(_runs) - 1, -1, -1):
        if _runs[i] is values:
            del _runs[i]
            return


def active() -> Mapping[str, Any]:
    """The option values of the innermost pytest run in progress; empty outside pytest."""
    return _runs[-1] if _runs else MappingProxyType({})
