"""Calling a sampler safely: every way it can misbehave becomes a :class:`SamplerFault`.

A sampler may raise, return None or something that is not numbers, return the
wrong shape, an integer or complex array, NaN or inf, hand back the same
(mutated) array on every call, or never return. The verdict turns each of
these into a finding; none of them reaches the user as a traceback.
"""

from __future__ import annotations

import queue
import threading
import weakref
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

__all__ = ["DEFAULT_TIMEOUT", "Drawer", "SamplerFault"]

DEFAULT_TIMEOUT = 120.0  # seconds one sampler call may take before it counts as hung (generous)


@dataclass(frozen=True)
class SamplerFault(Exception):
    """The sampler misbehaved on one call.

    Attributes:
        check: what went wrong: ``raises``, ``returns``, ``shape``, ``dtype``,
            ``finite``, ``aliasing`` or ``timeout``.
        shape: the shape asked for.
        seed: the seed it was called with.
        detail: one sentence.
    """

    check: str
    shape: tuple[int, ...]
    seed: int
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.detail} (shape {self.shape}, seed {self.seed})"


FINGERPRINT_VALUES = 4096  # values compared to see whether a returned array changed later


def _fingerprint(a: np.ndarray) -> np.ndarray:
    """A strided sample of ``a``'s values (all of them for small arrays), as a copy."""
    flat = a.reshape(-1)
    step = max(1, flat.size // FINGERPRINT_VALUES)
    return np.array(flat[::step], copy=True)


class Drawer:
    """Calls ``sampler(shape, seed)`` on a worker thread with a per-call timeout.

    A call that does not return within ``timeout`` seconds is abandoned (the
    worker is a daemon thread, so it cannot keep the program alive) and raises
    a ``timeout`` fault; the drawer is then unusable.
    """

    def __init__(self, sampler: Callable[..., Any], timeout: float | None = DEFAULT_TIMEOUT) -> None:
        self.sampler = sampler
        self.timeout = timeout
        self._jobs: queue.Queue[tuple[tuple[int, ...], int] | None] = queue.Queue()
        self._results: queue.Queue[tuple[bool, Any]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._previous: tuple[weakref.ref[np.ndarray], np.ndarray] | None = None  # last array, its fingerprint

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                self._results.put((True, self.sampler(*job)))
            except BaseException as err:  # the sampler's own failure, reported as a finding
                self._results.put((False, err))

    def _call(self, shape: tuple[int, ...], seed: int) -> Any:
        if self.timeout is None:
            try:
                return self.sampler(shape, seed)
            except Exception as err:
                raise SamplerFault("raises", shape, seed, f"the sampler raised {type(err).__name__}: {err}") from err
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, daemon=True, name="initcheck-sampler")
            self._thread.start()
        self._jobs.put((shape, seed))
        try:
            ok, value = self._results.get(timeout=self.timeout)
        except queue.Empty:
            raise SamplerFault("timeout", shape, seed, f"the sampler did not return within {self.timeout:g} s") from None
        if not ok:
            if isinstance(value, KeyboardInterrupt):
                raise value
            raise SamplerFault("raises", shape, seed, f"the sampler raised {type(value).__name__}: {value}")
        return value

    def draw(self, shape: tuple[int, ...], seed: int) -> np.ndarray:
        """One validated draw: a real floating array of ``shape`` with finite values.

        Raises:
            SamplerFault: the sampler misbehaved.
        """
        raw = self._call(shape, seed)
        if raw is None:
            raise SamplerFault("returns", shape, seed, "the sampler returned None")
        if self._previous is not None:
            ref, fingerprint = self._previous
            obj = ref()
            if obj is not None and (raw is obj or (isinstance(raw, np.ndarray) and np.shares_memory(raw, obj))):
                raise SamplerFault("aliasing", shape, seed, "the sampler returned the same array object as on "
                                   "its previous call (it mutates a shared array)")
            if obj is not None and not np.array_equal(_fingerprint(obj), fingerprint, equal_nan=True):
                raise SamplerFault("aliasing", shape, seed, "an array the sampler returned earlier changed after "
                                   "a later call (it mutates a shared array)")
        try:
            arr = np.asarray(raw)
        except Exception as err:
            raise SamplerFault("returns", shape, seed, f"the sampler returned a {type(raw).__name__}, which is "
                               f"not an array ({err})") from None
        if arr.dtype.kind in "iub":
            raise SamplerFault("dtype", shape, seed, f"the sampler returned integers (dtype {arr.dtype}), not floats")
        if arr.dtype.kind == "c":
            raise SamplerFault("dtype", shape, seed, f"the sampler returned complex numbers (dtype {arr.dtype})")
        if arr.dtype.kind != "f":
            raise SamplerFault("returns", shape, seed, f"the sampler returned a {type(raw).__name__} of dtype "
                               f"{arr.dtype}, not an array of floats")
        if arr.shape != shape:
            raise SamplerFault("shape", shape, seed, f"the sampler returned shape {arr.shape}, not {shape}")
        bad = int(arr.size - np.count_nonzero(np.isfinite(arr)))
        if bad:
            raise SamplerFault("finite", shape, seed, f"{bad:,} of {arr.size:,} values are NaN or infinite")
        # a weak reference and a fingerprint, not a copy: memory stays at one draw
        self._previous = (weakref.ref(raw), _fingerprint(raw)) if isinstance(raw, np.ndarray) else None
        return arr

    def close(self) -> None:
        """End the worker thread and wait for it (briefly: a hung sampler's thread is
        abandoned as a daemon). Frameworks such as PyTorch abort the process if a thread
        of theirs is still alive at interpreter exit, so a finished drawer must not leave one."""
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout=1.0)
            self._thread = None
