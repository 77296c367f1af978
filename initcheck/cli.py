"""The ``initcheck`` command line.

Exit codes: 0 holds / conforms; 1 does not hold / does not conform; 2 usage or
input error (one line ``initcheck: error: ...`` on stderr; a traceback only
with ``--debug``); 3 an internal error of initcheck itself (also one line);
130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from ._deprecations import REMOVED_IN
from .defaults import DEFAULT_DESIGN, DESIGN_NAMES
from .drawing import DEFAULT_TIMEOUT
from .errors import InitcheckError, UsageError
from .options import ALPHA, SEED, TOLERANCE, number_type, shape_type
from .progress import Progress
from .render import table

__all__ = ["main"]

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a command whose reader closed the pipe
HEADLINE = 3  # measurements shown per claim in the verify table (all are in --json)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line: ``initcheck: error: ...``, exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _jobs_type(text: str) -> int:
    """An argparse type: a positive number of worker processes, or a one-line error."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"jobs={text!r}: expected a positive integer (worker processes)")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the docs)."""
    parser = _Parser(
        prog="initcheck",
        description="Make the theory of weight initialization executable: verify the chapter's claims, "
        "and check any initializer against the law it promises.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    v = sub.add_parser(
        "verify",
        help="check every claim of the chapter, with numbers",
        description="Check every claim of 'Numerical Stability and Initialization'. Exit 0 only if every claim holds.",
    )
    v.add_argument("--json", action="store_true", help="print the results as JSON")
    v.add_argument(
        "--only",
        nargs="+",
        action="extend",
        metavar="ID",
        help="check only these claim ids (or id prefixes); repeatable",
    )
    SEED.add_to(v.add_argument, help="seed of every random draw")
    v.add_argument("--list", action="store_true", help="list the claims without checking them")
    v.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    c = sub.add_parser(
        "check",
        help="check an initializer against the law it promises",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Check that TARGET draws the law LAW promises, and say so with numbers.\n\n"
        "TARGET is module:attr (or module.attr) naming a sampler -- a function (shape, seed) -> array --\n"
        "or a framework initializer: torch.nn.init:xavier_uniform_, jax.nn.initializers:glorot_normal,\n"
        "keras.initializers:HeNormal, mxnet.init:Xavier, torch.nn:Linear (its default weight init).\n"
        "LAW is a law of 'initcheck laws', e.g. xavier_uniform, he_normal(mode=fan_out), normal(std=0.01).",
        epilog="examples:\n"
        "  initcheck check torch.nn.init:xavier_uniform_ --law xavier_uniform\n"
        "  initcheck check torch.nn.init:kaiming_normal_ --law 'he_normal(mode=fan_out)' --kwarg mode=fan_out\n"
        "  initcheck check mypkg.inits:my_init --law 'normal(std=0.02)' --shape 768x768 --json\n\n"
        "exit status: 0 conforms, 1 does not conform, 2 usage error",
    )
    c.add_argument("target", metavar="TARGET", help="module:attr of a sampler or framework initializer")
    promise = c.add_mutually_exclusive_group(required=True)
    promise.add_argument("--law", metavar="LAW", help="the law it promises (see 'initcheck laws')")
    promise.add_argument("--claim", metavar="LAW", help=argparse.SUPPRESS)  # deprecated name of --law
    c.add_argument(
        "--layout",
        default=None,
        help="fan layout: torch (out, in, *k), keras (*k, in, out), "
        "mxnet, jax, flax, tf (default: the framework's own; torch for a plain sampler)",
    )
    c.add_argument(
        "--shape",
        action="append",
        type=shape_type("shape", "64x32 or 16x8x3x3"),
        metavar="AxB[xC...]",
        help="a shape to draw (repeatable; default: dense both ways, conv 1-D/2-D/3-D, small and large)",
    )
    SEED.add_to(c.add_argument, help="seed of every draw")
    ALPHA.add_to(c.add_argument, help="family-wise false-alarm probability of the verdict")
    TOLERANCE.add_to(c.add_argument)
    _add_design(c)
    c.add_argument(
        "--kwarg",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="keyword argument for the framework initializer (repeatable), e.g. gain=2",
    )
    c.add_argument(
        "--timeout",
        type=number_type("timeout"),
        default=DEFAULT_TIMEOUT,
        help=f"seconds one draw may take before it counts as hung (default {DEFAULT_TIMEOUT:g})",
    )
    c.add_argument("--json", action="store_true", help="print the report as JSON")
    c.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    m = sub.add_parser(
        "conformance",
        help="check every initializer a framework ships against its documented law",
        description="Run every initializer FRAMEWORK ships against the law its documentation "
        "promises, one verdict per row; the matrix shares --alpha among its rows.",
    )
    m.add_argument("framework", metavar="FRAMEWORK", help="torch, jax, flax, keras, tensorflow or mxnet")
    fmt = m.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print the matrix as JSON")
    fmt.add_argument("--markdown", action="store_true", help="print the matrix as a Markdown table")
    SEED.add_to(m.add_argument, help="seed of every draw")
    ALPHA.add_to(m.add_argument, help="false-alarm probability of the whole matrix")
    TOLERANCE.add_to(m.add_argument)
    _add_design(m)
    m.add_argument(
        "--jobs",
        type=_jobs_type,
        default=1,
        metavar="N",
        help="run the rows in N worker processes (default 1: in this process); the matrix is the same",
    )
    m.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    from .identification.command import add_parser as add_identify

    add_identify(sub)

    from .auditing.command import add_parser as add_audit

    add_audit(sub)

    from .propagation.command import add_parser as add_propagate

    add_propagate(sub)

    for name in ("laws", "claims"):  # "claims": the deprecated name of "laws"
        law = sub.add_parser(
            name, help="list the laws a --law can name, with their formulas" if name == "laws" else argparse.SUPPRESS
        )
        law.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return parser


def _deprecated(old: str, new: str) -> None:
    print(
        f"initcheck: warning: {old} is deprecated and will be removed in initcheck {REMOVED_IN}: use {new}",
        file=sys.stderr,
    )


def _law_option(args: argparse.Namespace) -> str:
    if args.claim is not None:
        _deprecated("--claim", "--law")
        return str(args.claim)
    return str(args.law)


def _check(args: argparse.Namespace) -> int:
    from .adapters import adapt, load_target, parse_options
    from .render import jsonable
    from .verdict import check

    if os.getcwd() not in sys.path:  # a user's own module, named from where they stand
        sys.path.insert(0, os.getcwd())
    adapted = adapt(load_target(args.target), **parse_options(args.kwarg))
    layout = args.layout or adapted.layout
    with Progress(1, "check", force=False) as bar:
        if args.json:
            bar.enabled = False
        report = check(
            adapted,  # with its ranks: the default shapes it cannot build are left out
            _law_option(args),
            layout=layout,
            shapes=args.shape,
            seed=args.seed,
            alpha=args.alpha,
            tolerance=args.tolerance,
            timeout=args.timeout,
            target=args.target,
            progress=bar.step,
            design=args.design,
        )
    if args.json:
        print(
            json.dumps(
                jsonable(
                    {"command": "check", "target": args.target, "framework": adapted.framework, **report.to_dict()}
                ),
                indent=2,
            )
        )
        return EXIT_OK if report.passed else EXIT_FAIL
    print(f"{args.target}: {report.summary()}")
    print()
    rows = [["x".join(map(str, p.shape)), p.law, f"{p.draws:,}", f"{p.n:,}", _power_cell(p, report.tolerance)]
            for p in report.shapes]
    print(table(["shape", "law promised", "calls", "values", f"power at {report.tolerance:g}"], rows,
                [None, 40, None, None, None]))
    if report.findings:
        print()
        for sentence in report.sentences():
            print(f"- {sentence}")
    return EXIT_OK if report.passed else EXIT_FAIL


def _add_design(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--design",
        choices=DESIGN_NAMES,
        default=DEFAULT_DESIGN,
        help="sequential: exact checks first, then stop each shape as soon as its tests decide; "
        f"fixed: the planned draws at every shape (default {DEFAULT_DESIGN})",
    )


def _power_cell(p: Any, tolerance: float) -> str:
    """A shape's variance power, and the error it is for where that is not the verdict's tolerance."""
    if p.power_variance is None:
        return "-"
    if p.tolerance is not None and p.tolerance != tolerance:
        return f"{p.power_variance:.4f} at {p.tolerance:.3g} (tiny shape)"
    return f"{p.power_variance:.4f}"


def _conformance(args: argparse.Namespace) -> int:
    from .adapters import conformance
    from .conformance import run_conformance
    from .render import jsonable

    if args.framework in ("torch", "jax", "flax", "keras", "tensorflow", "mxnet"):
        total = len(conformance(args.framework))
    else:
        total = 1
    with Progress(total, f"conformance {args.framework}") as bar:
        matrix = run_conformance(
            args.framework,
            seed=args.seed,
            alpha=args.alpha,
            tolerance=args.tolerance,
            progress=bar.step,
            advance=bar.advance,
            jobs=args.jobs,
            design=args.design,
        )
    if args.json:
        print(json.dumps(jsonable(matrix.to_dict()), indent=2))
    elif args.markdown:
        print(matrix.markdown())
    else:
        rows = [
            [
                r.row.name,
                r.row.law,
                r.status if r.status == "conforms" else f"{r.status.upper()}: {r.worst()}",
                f"{r.report.n:,}" if r.report else "-",
            ]
            for r in matrix.rows
        ]
        print(table(["initializer", "law promised", "verdict", "values"], rows, [None, 40, 60, None]))
        for e in matrix.excluded:
            print(f"  not in the matrix: {e.name}: {e.reason}")
        print()
        print(matrix.summary())
    if matrix.interrupted:
        print(f"initcheck: interrupted after {len(matrix.rows)} of {matrix.total} rows", file=sys.stderr)
        return 130
    return EXIT_OK if matrix.passed else EXIT_FAIL


def _propagate(args: argparse.Namespace) -> int:
    from .propagation.command import run

    return run(args)


def _audit(args: argparse.Namespace) -> int:
    from .auditing.command import run

    return run(args)


def _identify(args: argparse.Namespace) -> int:
    from .identification.command import run

    return run(args)


def _laws(args: argparse.Namespace) -> int:
    if args.command == "claims":
        _deprecated("'initcheck claims'", "'initcheck laws'")
    from .laws import LAWS

    seen = []
    for d in LAWS.values():
        if d not in seen:
            seen.append(d)
    rows = []
    for d in seen:
        params = ", ".join(
            k if v is None else f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in d.params
        )
        rows.append([f"{d.name}({params})" if params else d.name, ", ".join(d.aliases), d.formula])
    print(table(["law", "aliases", "formula"], rows, [None, None, 64]))
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    from .claims import select, verify
    from .render import jsonable

    claims = select(args.only)
    if args.list:
        print(
            table(
                ["id", "kind", "section", "statement"],
                [[c.id, c.kind, c.section, c.statement] for c in claims],
                [None, None, 28, 60],
            )
        )
        return EXIT_OK
    report = verify(args.only, seed=args.seed, progress=not args.json)
    if args.json:
        print(json.dumps(jsonable(report.to_dict()), indent=2, ensure_ascii=False))
        return EXIT_OK if report.passed else EXIT_FAIL
    rows = []
    for r in report.results:
        ms = r.outcome.measurements
        shown = [str(m) for m in ms[:HEADLINE]]
        if len(ms) > HEADLINE:
            shown.append(f"(+{len(ms) - HEADLINE} more in --json)")
        rows.append(
            [r.claim.id, r.claim.statement, "\n".join(shown), f"{r.outcome.n:,}", "holds" if r.passed else "FAILS"]
        )
    print(
        table(["id", "statement", "measured [interval] (theory)", "n", "verdict"], rows, [None, 46, None, None, None])
    )
    print()
    print(report.summary())
    return EXIT_OK if report.passed else EXIT_FAIL


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help()
            return EXIT_USAGE
        return {
            "verify": _verify,
            "check": _check,
            "conformance": _conformance,
            "laws": _laws,
            "claims": _laws,
            "propagate": _propagate,
            "identify": _identify,
            "audit": _audit,
        }[args.command](args)
    except InitcheckError as err:  # usage and input errors, framework not installed ...
        if debug:
            traceback.print_exc()
        print(f"initcheck: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("initcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`initcheck check ... | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that flushing at exit does not raise again
        return EXIT_BROKEN_PIPE
    except Exception as err:  # a bug in initcheck itself: still one line without --debug
        if debug:
            traceback.print_exc()
        print(
            f"initcheck: error: internal error: {type(err).__name__}: {err} (re-run with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
