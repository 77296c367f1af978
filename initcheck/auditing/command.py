"""``initcheck audit``: the command line of :func:`initcheck.audit`.

``add_parser(subparsers)`` adds the subcommand; ``run(args)`` runs it and returns the exit
code: 0 the model conforms (every rule's verdict, no finding), 1 not, 2 a usage error (one line).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from ..defaults import DESIGN_NAMES
from ..options import SEED, TOLERANCE, number_type
from ..progress import Progress

__all__ = ["add_parser", "run"]

EXIT_OK, EXIT_FAIL = 0, 1

_DESCRIPTION = """\
Build TARGET (a zero-argument factory module:function returning a PyTorch, Flax or Keras
model, or a model class with --kwarg) under several seeds, one build at a time. Every
parameter is identified (constant, fixed, orthogonal, normal, uniform, truncated normal or
none; its sd with an interval; the fan rule of its layer's layout that explains it); each
--rule GLOB=LAW is judged by the same engine as 'initcheck check'; identical parameters,
repeated draws and blocks, padding rows and NaNs are findings."""

_EPILOG = """\
rules: GLOB=LAW, GLOB[0:64]=LAW (a block), GLOB@keras=LAW (a layout); LAW is a law of the
grammar (initcheck laws) with arithmetic (normal(std=0.02/sqrt(2*n_layer))) or 'fixed'
(the same in every build). The last matching rule wins.

examples:
  initcheck audit torch.nn:LSTM --kwarg input_size=64 --kwarg hidden_size=128
  initcheck audit mymodels:gpt2 --rules gpt2.toml --var n_layer=12 --markdown
  initcheck audit mymodels:mlp --rule '*.weight=he_normal' --rule '*.bias=zeros' --plot std.png

exit status: 0 conforms, 1 does not conform (or findings), 2 usage error"""


def add_parser(sub: Any) -> None:
    """Add ``audit`` to ``initcheck``'s subcommands."""
    p = sub.add_parser("audit", help="which law each parameter of a model follows, and is it the intended one",
                       description=_DESCRIPTION, epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", metavar="TARGET", help="module:function (a model factory) or module:Class")
    p.add_argument("--kwarg", action="append", default=[], metavar="KEY=VALUE",
                   help="keyword argument of the class or factory (repeatable)")
    p.add_argument("--rule", action="append", default=[], metavar="GLOB=LAW", help="an intended law (repeatable)")
    p.add_argument("--rules", default=None, metavar="FILE.toml", help="a rules file ([vars], [[rule]] tables)")
    p.add_argument("--var", action="append", default=[], metavar="NAME=NUMBER",
                   help="a name for the laws' arithmetic (repeatable; overrides the file's [vars])")
    p.add_argument("--seeds", type=int, default=None, metavar="N",
                   help="builds of the model (default: as many as the verdicts need, at least 3)")
    SEED.add_to(p.add_argument, help="seed the builds' seeds derive from")
    p.add_argument("--alpha", type=number_type("alpha"), default=1e-6,
                   help="family-wise false-alarm probability of all the rules' verdicts (default 1e-06)")
    TOLERANCE.add_to(p.add_argument)
    p.add_argument("--design", choices=DESIGN_NAMES, default="sequential", help="verdict design (as for check)")
    p.add_argument("--meta", action="store_true",
                   help="PyTorch: build on the meta device, draw one module at a time by its reset_parameters()")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the audit as JSON")
    out.add_argument("--markdown", action="store_true", help="print the audit as a Markdown table")
    p.add_argument("--plot", default=None, metavar="FILE", help="plot each layer's sd against its rule across depth")
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


def _variables(items: list[str]) -> dict[str, float]:
    from ..errors import expected
    from ..laws import evaluate

    out = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip().isidentifier():
            raise expected("--var", item, "NAME=NUMBER, e.g. n_layer=12")
        out[key.strip()] = evaluate(raw, out)
    return out


def run(args: argparse.Namespace) -> int:
    """Run ``initcheck audit``; returns the exit code."""
    from ..adapters import parse_options
    from ..render import jsonable
    from .run import audit

    if os.getcwd() not in sys.path:  # a user's own module, named from where they stand
        sys.path.insert(0, os.getcwd())
    with Progress(args.seeds or 3, "audit") as bar:
        if args.json or args.markdown:
            bar.enabled = False
        last = [""]

        def progress(what: str) -> None:
            build = what.split(":", 1)[0]
            if build != last[0] and last[0]:
                bar.advance()
            last[0] = build
            bar.step(what)

        report = audit(args.target, kwargs=parse_options(args.kwarg), rules=args.rule, rules_file=args.rules,
                       variables=_variables(args.var), seeds=args.seeds, seed=args.seed, alpha=args.alpha,
                       tolerance=args.tolerance, design=args.design, from_meta=args.meta, progress=progress)
    if args.plot:
        from .plot import plot_depth

        plot_depth(report, args.plot)
    if args.json:
        print(json.dumps(jsonable({"command": "audit", **report.to_dict()}), indent=2, ensure_ascii=False))
    elif args.markdown:
        print(report.markdown(), end="")
    else:
        print(report.summary())
        print()
        print(report.table())
        for sentence in report.sentences():
            print(f"- {sentence}")
        if report.unmatched:
            print(f"without a rule (identified, not judged): {len(report.unmatched)} parameters")
    return EXIT_OK if report.passed else EXIT_FAIL
