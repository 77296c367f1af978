"""``initcheck identify``: the command line of :func:`initcheck.identify` (and :func:`compare`).

``add_parser(subparsers)`` adds the subcommand; ``run(args)`` runs it and returns the exit
code: 0 the law was found and confirmed (two targets: both, and they are the same law),
1 not, 2 a usage error (a :class:`~initcheck.errors.UsageError`, one line).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from ..drawing import DEFAULT_TIMEOUT
from ..options import SEED, number_type, shape_type
from ..progress import Progress

__all__ = ["add_parser", "run"]

EXIT_OK, EXIT_FAIL = 0, 1

_DESCRIPTION = """\
Draw TARGET at several shapes (fan_in and fan_out told apart) and name the law of the
grammar that explains its draws: the family (constant, orthogonal, normal, uniform, truncated
normal), the fan mode and the gain, named when it is a recognized constant (1, √2, 1/√3, 5/3,
3/4); then confirm it by 'initcheck check' at other shapes and seeds. With TARGET2, identify
both and say whether they are the same law (fans read in each one's own layout)."""

_EPILOG = """\
examples:
  initcheck identify torch.nn:Linear
  initcheck identify torch.nn.init:kaiming_uniform_ --kwarg a=0
  initcheck identify torch.nn:Linear keras.initializers:GlorotUniform
  initcheck identify mypkg.inits:my_init --shape 768x768 --shape 3072x768 --shape 768x3072

exit status: 0 identified and confirmed (two targets: both, and the same law), 1 not, 2 usage error"""


def add_parser(sub: Any) -> None:
    """Add ``identify`` to ``initcheck``'s subcommands."""
    p = sub.add_parser("identify", help="name the law of the grammar an initializer draws, confirmed by check",
                       description=_DESCRIPTION, epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", metavar="TARGET", help="module:attr of a sampler or framework initializer")
    p.add_argument("target2", metavar="TARGET2", nargs="?", default=None,
                   help="a second target to compare with the first")
    p.add_argument("--kwarg", action="append", default=[], metavar="KEY=VALUE",
                   help="keyword argument for the framework initializer(s) (repeatable)")
    p.add_argument("--layout", default=None,
                   help="fan layout (default: each framework's own; torch for a plain sampler)")
    p.add_argument("--shape", action="append", default=None, type=shape_type("shape", "64x32 or 16x8x3x3"),
                   metavar="AxB[x...]",
                   help="a shape to draw, in the target's layout (repeatable, each once; default: three or four "
                   "shapes whose fan_out/fan_in ratios differ, so that fan_in, fan_out and fan_avg are told apart)")
    SEED.add_to(p.add_argument, help="seed of every draw")
    p.add_argument("--timeout", type=number_type("timeout"), default=DEFAULT_TIMEOUT,
                   help=f"seconds one draw may take before it counts as hung (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--json", action="store_true", help="print the identification as JSON")
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


def _one(target: str, args: argparse.Namespace, bar: Progress) -> Any:
    from ..adapters import adapt, load_target, parse_options
    from .report import identify

    adapted = adapt(load_target(target), **parse_options(args.kwarg))
    found = identify(adapted, layout=args.layout or adapted.layout, shapes=args.shape, seed=args.seed,
                     timeout=args.timeout, target=target, options=args.kwarg,
                     progress=lambda what: bar.step(f"{target} {what}"))
    bar.advance()
    return found


def _shape(s: tuple[int, ...]) -> str:
    return "x".join(map(str, s))


def _interval(d: Any) -> str:
    if d.std_interval is None:
        return f"{d.std:.5g}"
    return f"{d.std:.5g} [{d.std_interval[0]:.5g}, {d.std_interval[1]:.5g}]"


def _print(found: Any) -> None:
    from ..render import table

    print(f"{found.target}: {found.summary()}")
    print()
    rows = [[_shape(d.shape), f"{d.draws}", f"{d.n:,}", d.kind, f"{d.mean:.3g}", _interval(d),
             "-" if d.detectable is None else f"{d.detectable:.3g}"] for d in found.descriptions]
    if rows:
        print(table(["shape", "draws", "values", "family", "mean", "sd [interval]", "detectable at 0.999"], rows,
                    [None] * 7))
    if found.rule is not None:
        rule = found.rule
        ps = ", ".join(f"{m} p = {p:.3g}" for m, p in rule.pvalues.items())
        mode = rule.mode or (f"ambiguous ({', '.join(rule.ambiguous)})" if rule.ambiguous else "none")
        print(f"fan rule: {mode} ({ps})")
    for sentence in found.sentences():
        print(f"- {sentence}")


def run(args: argparse.Namespace) -> int:
    """Run ``initcheck identify``; returns the exit code."""
    from ..render import jsonable
    from .report import compare

    if os.getcwd() not in sys.path:  # a user's own module, named from where they stand
        sys.path.insert(0, os.getcwd())
    targets = [t for t in (args.target, args.target2) if t is not None]
    with Progress(len(targets), "identify") as bar:
        if args.json:
            bar.enabled = False
        found = [_one(t, args, bar) for t in targets]
    if len(found) == 1:
        report: Any = found[0]
    else:
        report = compare(found[0], found[1], (targets[0], targets[1]))
    if args.json:
        print(json.dumps(jsonable({"command": "identify", **report.to_dict()}), indent=2, ensure_ascii=False))
        return EXIT_OK if report.passed else EXIT_FAIL
    for i, one in enumerate(found):
        if i:
            print()
        _print(one)
    if len(found) == 2:
        print()
        print(report.line)
    return EXIT_OK if report.passed else EXIT_FAIL
