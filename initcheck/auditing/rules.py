"""Rules: which law a parameter (or a block of one) is meant to follow.

A rule is written ``GLOB=LAW``, optionally ``GLOB[BLOCK]=LAW`` and ``GLOB@LAYOUT=LAW``:

* ``GLOB`` matches full parameter names with shell wildcards (``*`` crosses dots:
  ``transformer.h.*.attn.c_proj.weight``, ``*.bias``; a leading ``*.`` also matches the
  model's own parameters, ``*.bias`` matches ``bias``);
* ``BLOCK`` is a numpy basic index of the stored array, integers and slices
  (``[0:64]``, ``[:, 128:256]``, ``[0]``): one block of a fused parameter (packed Q/K/V,
  an LSTM's gates) or one row;
* ``LAYOUT`` (``torch`` or ``keras``) overrides the layout the layer's type gives;
* ``LAW`` is a law of the grammar (:mod:`initcheck.laws`), whose numbers may be arithmetic
  over the rules' variables (``normal(std=0.02/sqrt(2*n_layer))``), or ``fixed``: the same
  values in every build (a loaded checkpoint that must not be re-initialized).

A rules file (TOML) holds ``[vars]`` (names for the laws' arithmetic) and ``[[rule]]``
tables with ``parameter``, ``law`` and optionally ``block`` and ``layout``. For one parameter
and one block the last matching rule wins (a file states the general rule first, then the
exceptions); a parameter gets one verdict per block that rules name. A rule that matches no
parameter is a finding.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UsageError, expected
from ..laws import Law, parse_law

__all__ = ["FIXED", "Block", "Rule", "applicable", "load_rules", "parse_block", "parse_rule"]

FIXED = "fixed"
_RULE_RE = re.compile(r"^\s*([^\[\]@=\s]+)\s*(\[[^\]]*\])?\s*(?:@\s*([A-Za-z]+))?\s*=\s*(.+?)\s*$", re.S)
_INT = r"[+-]?\d+"
_PART = re.compile(rf"^\s*(?:({_INT})|({_INT})?\s*:\s*({_INT})?\s*(?::\s*({_INT})?)?)\s*$")


@dataclass(frozen=True)
class Block:
    """A numpy basic index of a parameter: a tuple of integers and slices, and its text."""

    index: tuple[int | slice, ...]
    text: str

    def of(self, a: np.ndarray) -> np.ndarray:
        """The block of ``a`` (a view).

        Raises:
            UsageError: the index does not fit ``a``'s shape.
        """
        if len(self.index) > a.ndim:
            raise expected("block", self.text, f"at most {a.ndim} indices for a shape {a.shape}")
        for i, part in zip(self.index, a.shape):
            if isinstance(i, int) and not -part <= i < part:
                raise expected("block", self.text, f"indices within the shape {a.shape}")
        out = a[self.index]
        if out.size == 0:
            raise expected("block", self.text, f"a non-empty block of a shape {a.shape}")
        return out

    def shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The block's shape in an array of ``shape``."""
        return self.of(np.broadcast_to(np.zeros(1, dtype=np.int8), shape)).shape


def parse_block(text: str) -> Block:
    """``[0:64]``, ``[:, 128:256]``, ``[3]`` as a :class:`Block`.

    >>> parse_block("[0:64, :]").index
    (slice(0, 64, None), slice(None, None, None))

    Raises:
        UsageError: not a bracketed list of integers and ``start:stop:step`` slices.
    """
    inner = text.strip()
    if not (inner.startswith("[") and inner.endswith("]")) or not inner[1:-1].strip():
        raise expected("block", text, "[start:stop, ...] with integers, e.g. [0:64] or [:, 0:128]")
    index: list[int | slice] = []
    for part in inner[1:-1].split(","):
        m = _PART.match(part)
        if not m:
            raise expected("block", text, "[start:stop, ...] with integers, e.g. [0:64] or [:, 0:128]")
        if m.group(1) is not None:
            index.append(int(m.group(1)))
        else:
            start, stop, step = (None if g is None else int(g) for g in m.group(2, 3, 4))
            if step == 0:
                raise expected("block", text, "a non-zero step")
            index.append(slice(start, stop, step))
    return Block(tuple(index), inner)


@dataclass(frozen=True)
class Rule:
    """The intended law of the parameters a glob matches (or of one block of them).

    Attributes:
        pattern: the glob over full parameter names.
        law: the law (parsed), or None for ``fixed``.
        text: the rule as written.
        block: the block it names, or None for the whole parameter.
        layout: ``torch`` or ``keras`` to override the layer's layout, or None.
    """

    pattern: str
    law: Law | None
    text: str
    block: Block | None = None
    layout: str | None = None

    @property
    def fixed(self) -> bool:
        """Whether the rule is ``fixed``."""
        return self.law is None

    def matches(self, name: str) -> bool:
        """Whether the rule's glob matches parameter ``name`` (a leading ``*.`` also matches a
        parameter of the model itself: ``*.weight`` matches ``weight``)."""
        if fnmatch.fnmatchcase(name, self.pattern):
            return True
        return self.pattern.startswith("*.") and fnmatch.fnmatchcase(name, self.pattern[2:])


def _layout(value: str | None, text: str) -> str | None:
    if value is None:
        return None
    if value not in ("torch", "keras"):
        raise expected("layout", value, f"torch or keras (in rule {text!r})")
    return value


def _law(text: str, rule: str, names: Mapping[str, float]) -> Law | None:
    if text.strip() == FIXED:
        return None
    try:
        return parse_law(text, names)
    except UsageError as err:
        raise UsageError(f"rule {rule!r}: {err}") from None


def parse_rule(text: str, names: Mapping[str, float] | None = None) -> Rule:
    """``GLOB[BLOCK]@LAYOUT=LAW`` (block and layout optional) as a :class:`Rule`.

    >>> r = parse_rule("*.in_proj_weight[0:64]=xavier_uniform")
    >>> r.pattern, r.block.text, str(r.law)
    ('*.in_proj_weight', '[0:64]', 'xavier_uniform(gain=1)')

    Raises:
        UsageError: a malformed rule, block, layout or law.
    """
    if not isinstance(text, str):
        raise expected("rule", text, "GLOB=LAW, e.g. '*.bias=zeros'")
    m = _RULE_RE.match(text)
    if not m:
        raise expected("rule", text, "GLOB=LAW, GLOB[0:64]=LAW or GLOB@torch=LAW, e.g. '*.bias=zeros'")
    pattern, block, layout, law = m.groups()
    return Rule(pattern, _law(law, text, names or {}), text.strip(),
                None if block is None else parse_block(block), _layout(layout, text))


def _names(raw: Any, path: str) -> dict[str, float]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise expected(f"{path}: [vars]", raw, "a table of names and numbers")
    out = {}
    for k, v in raw.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise expected(f"{path}: vars.{k}", v, "a number")
        out[str(k)] = float(v)
    return out


def load_rules(path: str | Path, names: Mapping[str, float] | None = None) -> tuple[list[Rule], dict[str, float]]:
    """The rules and variables of a TOML rules file (``names`` override its ``[vars]``).

    Raises:
        UsageError: the file cannot be read or parsed, or a rule is malformed.
    """
    import tomllib

    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as err:
        raise expected("--rules", str(path), f"a readable TOML file ({err.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise expected("--rules", str(path), f"a TOML file ({err})") from None
    known = set(data) - {"vars", "rule"}
    if known:
        raise expected(f"{path}: table", sorted(known)[0], "vars or rule")
    variables = {**_names(data.get("vars"), str(path)), **(names or {})}
    tables = data.get("rule", [])
    if not isinstance(tables, list):
        raise expected(f"{path}: rule", tables, "[[rule]] tables")
    rules = []
    for i, t in enumerate(tables):
        where = f"{path}: rule {i + 1}"
        if not isinstance(t, dict) or not isinstance(t.get("parameter"), str) or not isinstance(t.get("law"), str):
            raise expected(where, t, "a table with parameter = \"GLOB\" and law = \"LAW\"")
        extra = set(t) - {"parameter", "law", "block", "layout"}
        if extra:
            raise expected(f"{where} key", sorted(extra)[0], "parameter, law, block or layout")
        text = t["parameter"] + (t.get("block") or "") + (f"@{t['layout']}" if t.get("layout") else "") \
            + "=" + t["law"]
        try:
            rules.append(parse_rule(text, variables))
        except UsageError as err:
            raise UsageError(f"{where}: {err}") from None
    return rules, variables


def applicable(rules: Sequence[Rule], name: str) -> list[Rule]:
    """The rules that apply to parameter ``name``: per block (the whole parameter is one), the
    last that matches, in the order of their blocks' first mention."""
    chosen: dict[str | None, Rule] = {}
    for r in rules:
        if r.matches(name):
            key = None if r.block is None else r.block.text.replace(" ", "")
            chosen.pop(key, None)
            chosen[key] = r
    return list(chosen.values())


def parse_rules(texts: Iterable[str], names: Mapping[str, float] | None = None) -> list[Rule]:
    """Every rule of ``texts`` (:func:`parse_rule`)."""
    return [parse_rule(t, names) for t in texts]


__all__ += ["parse_rules"]
