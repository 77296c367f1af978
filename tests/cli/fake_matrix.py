"""``python -m tests.cli.fake_matrix conformance torch --jobs 2``: the CLI on a stand-in table.

The torch table is replaced by rows of plain samplers from :mod:`tests.cli.samplers`
(``INITCHECK_TEST_ROWS``: ``slow`` for rows that take minutes, ``quick-and-slow`` for a
quick row and a slow one, else quick ones), so that
the conformance command, its worker processes and its Ctrl-C run without PyTorch.
"""

from __future__ import annotations

import os
import sys

from initcheck import conformance as conf_module
from initcheck.adapters import ConformanceRow
from initcheck.cli import main

SAMPLERS = "tests.cli.samplers"


def rows() -> tuple[ConformanceRow, ...]:
    slow = ConformanceRow("slow", f"{SAMPLERS}:slow", {}, "xavier_uniform", "note")
    if os.environ.get("INITCHECK_TEST_ROWS") == "slow":
        return (slow,) * 4
    if os.environ.get("INITCHECK_TEST_ROWS") == "quick-and-slow":  # one worker soon idle
        return (ConformanceRow("zeros", "initcheck.init:zeros", {}, "zeros", "note", ((6, 4),)), slow)
    return (
        ConformanceRow("good", f"{SAMPLERS}:xavier_uniform_sampler", {}, "xavier_uniform", "note",
                       ((32, 16), (8, 4, 3))),
        ConformanceRow("wide", f"{SAMPLERS}:too_wide", {}, "xavier_uniform", "note", ((32, 16),)),
        ConformanceRow("missing", f"{SAMPLERS}:nothing", {}, "zeros", "note"),
        ConformanceRow("dense", f"{SAMPLERS}:dense_only", {}, "normal(std=0.05)", "note"),
        ConformanceRow("zeros", "initcheck.init:zeros", {}, "zeros", "note", ((6, 4),)),
    )


def patch() -> None:
    """The stand-in table, and no framework required (in this process; workers get the rows)."""
    conf_module.conformance = lambda framework: rows()
    conf_module.require = lambda framework, **kwargs: None


if __name__ == "__main__":
    patch()
    raise SystemExit(main(sys.argv[1:]))
