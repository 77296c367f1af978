"""The reproducer: the ``initcheck ...`` command line that re-runs a report, built in one place.

Every report (a ``check`` verdict, a conformance row, a ``verify`` run, a
propagation) names the command that reproduces it; this module writes it, so
that option spelling and shell quoting are the same everywhere:

>>> reproducer("check", "mypkg.inits:f", law="he_normal(mode=fan_out)", seed=3)
"initcheck check mypkg.inits:f --law 'he_normal(mode=fan_out)' --seed 3"
>>> reproducer("verify", only=["xavier", "depth"], seed=7)
'initcheck verify --only xavier --only depth --seed 7'

An option whose value is None or False is left out; True writes the bare flag; a
list repeats the flag for each item (every repeatable option of the command line
takes that form); underscores in names become dashes; floats are written so that they
read back exactly.
"""

from __future__ import annotations

import shlex
from typing import Any

__all__ = ["reproducer"]


def _text(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)  # repr: floats round-trip exactly


def reproducer(command: str, *positional: str, **options: Any) -> str:
    """``initcheck COMMAND POSITIONAL... --option value ...``, shell-quoted, in the order given."""
    parts = ["initcheck", command, *positional]
    for name, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        if value is True:
            parts.append(flag)
        elif isinstance(value, (list, tuple)):
            for v in value:
                parts += [flag, _text(v)]
        else:
            parts += [flag, _text(value)]
    return " ".join(shlex.quote(p) for p in parts)
