"""A design's pull loop, fed one build at a time.

A verdict's design (:mod:`initcheck.designs`) *pulls* the draws of a shape from an iterator
and stops when its tests decide. An audit gets its draws the other way round: each build of
the model *pushes* one array to every parameter's verdict. :class:`Feed` joins the two
without changing the design: the design runs in a thread of its own, and the two sides take
turns, strictly: :meth:`Feed.push` hands one array over and returns only once the design has
tested it and asks for the next (or has stopped). So exactly one side runs at any time, the
design sees the same arrays in the same order as a sampler would give them, and no array is
held after its turn.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..designs import Design
from ..planning import PlannedShape
from ..shapetests import ShapeOutcome

__all__ = ["Feed"]

_END = object()


class Feed:
    """One shape's design, run on the arrays pushed to it (see the module docstring)."""

    def __init__(self, design: Design, planned: PlannedShape) -> None:
        self._in: queue.Queue[Any] = queue.Queue(maxsize=1)
        self._back: queue.Queue[str] = queue.Queue(maxsize=1)
        self.outcome: ShapeOutcome | None = None
        self.error: BaseException | None = None
        self.pushed = 0
        self._done = False
        self._thread = threading.Thread(target=self._run, args=(design, planned), daemon=True)
        self._thread.start()
        self._wait()

    @property
    def wants_more(self) -> bool:
        """Whether the design is still taking draws."""
        return not self._done

    def _draws(self) -> Iterator[np.ndarray]:
        while True:
            self._back.put("ready")
            item = self._in.get()
            if item is _END:
                return
            yield item
            del item

    def _run(self, design: Design, planned: PlannedShape) -> None:
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # garbage values fail, they do not warn
                self.outcome = design.test_shape(planned, self._draws())
        except BaseException as exc:  # noqa: BLE001 - handed to the pushing side, which raises it
            self.error = exc
        self._back.put("done")

    def _wait(self) -> None:
        if self._back.get() == "done":
            self._done = True
            self._thread.join()

    def push(self, a: np.ndarray) -> None:
        """Give the design one array and wait until it has tested it (nothing if it stopped)."""
        if self._done:
            return
        self.pushed += 1
        self._in.put(a)
        self._wait()

    def close(self) -> ShapeOutcome:
        """No more arrays: let the design finish and return its outcome.

        Raises:
            BaseException: whatever the design raised.
        """
        if not self._done:
            self._in.put(_END)
            self._wait()
        if self.error is not None:
            raise self.error
        assert self.outcome is not None
        return self.outcome
