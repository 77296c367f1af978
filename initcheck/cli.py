"""The ``initcheck`` command line.

Exit codes: 0 holds / conforms; 1 does not hold / does not conform; 2 usage or
input error (one line ``initcheck: error: ...`` on stderr; a traceback only
with ``--debug``); 3 an internal error of initcheck itself (also one line);
130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from typing import Sequence

from .errors import UsageError

__all__ = ["main"]

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
HEADLINE = 3  # measurements shown per claim in the verify table (all are in --json)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line: ``initcheck: error: ...``, exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed={text!r}: expected a non-negative integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"seed={text!r}: expected a non-negative integer")
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

    v = sub.add_parser("verify", help="check every claim of the chapter, with numbers",
                       description="Check every claim of 'Numerical Stability and Initialization'. "
                       "Exit 0 only if every claim holds.")
    v.add_argument("--json", action="store_true", help="print the results as JSON")
    v.add_argument("--only", nargs="+", metavar="ID", help="check only these claim ids (or id prefixes)")
    v.add_argument("--seed", type=_seed, default=0, help="seed of every random draw (default 0)")
    v.add_argument("--list", action="store_true", help="list the claims without checking them")
    v.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return parser


def _verify(args: argparse.Namespace) -> int:
    from .claims import CLAIMS, VERIFY_ALPHA, run_claims, select
    from .report import jsonable, table

    claims = select(args.only)
    if args.list:
        print(table(["id", "kind", "section", "statement"],
                    [[c.id, c.kind, c.section, c.statement] for c in claims], [None, None, 28, 60]))
        return EXIT_OK
    results = run_claims(claims, seed=args.seed, progress=not args.json)
    holds = all(r.outcome.holds for r in results)
    if args.json:
        data = {
            "command": "verify",
            "seed": args.seed,
            "family_alpha": VERIFY_ALPHA,
            "statistical_claims": sum(c.kind == "statistical" for c in CLAIMS),
            "holds": holds,
            "claims": [
                {
                    "id": r.claim.id,
                    "statement": r.claim.statement,
                    "section": r.claim.section,
                    "kind": r.claim.kind,
                    "holds": r.outcome.holds,
                    "n": r.outcome.n,
                    "alpha": r.alpha if r.claim.kind == "statistical" else None,
                    "test": r.outcome.note,
                    "tested_in": r.claim.tests,
                    "measurements": {
                        m.name: {"value": m.value, "ci": list(m.ci) if m.ci else None, "expected": m.expected}
                        for m in r.outcome.measurements
                    },
                }
                for r in results
            ],
            "timings_seconds": {r.claim.id: round(r.seconds, 3) for r in results},
        }
        print(json.dumps(jsonable(data), indent=2, ensure_ascii=False))
        return EXIT_OK if holds else EXIT_FAIL
    rows = []
    for r in results:
        ms = r.outcome.measurements
        shown = [str(m) for m in ms[:HEADLINE]]
        if len(ms) > HEADLINE:
            shown.append(f"(+{len(ms) - HEADLINE} more in --json)")
        rows.append([r.claim.id, r.claim.statement, "\n".join(shown), f"{r.outcome.n:,}",
                     "holds" if r.outcome.holds else "FAILS"])
    print(table(["id", "statement", "measured [interval] (theory)", "n", "verdict"], rows, [None, 46, None, None, None]))
    failed = [r.claim.id for r in results if not r.outcome.holds]
    total = sum(r.seconds for r in results)
    print()
    print(f"{len(results) - len(failed)} of {len(results)} claims hold (seed {args.seed}, family-wise α = "
          f"{VERIFY_ALPHA:g} over the statistical claims, {total:.1f} s)."
          + (f" Failing: {', '.join(failed)}." if failed else ""))
    return EXIT_OK if holds else EXIT_FAIL


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help()
            return EXIT_USAGE
        return {"verify": _verify}[args.command](args)
    except UsageError as err:
        if debug:
            traceback.print_exc()
        print(f"initcheck: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("initcheck: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug in initcheck itself: still one line without --debug
        if debug:
            traceback.print_exc()
        print(f"initcheck: error: internal error: {type(err).__name__}: {err} (re-run with --debug for "
              "the traceback)", file=sys.stderr)
        return EXIT_INTERNAL
