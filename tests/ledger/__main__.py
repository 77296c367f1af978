"""``python -m tests.ledger``: the budget's tables as the declarations give them.

Without options it prints, for each ledger, the tables that differ from what is
written and the problems found (undeclared statistical tests, unreadable counts,
the bound); the exit code is 1 if there is anything to fix. ``--write`` puts the
tables into the ledgers (the prose around them is kept) and prints the rest.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.ledger.budget import (
    bound_problems,
    check_ledgers,
    compute,
    fmt,
    ledger_texts,
    rewritten,
)

REPO = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.ledger", description=__doc__)
    parser.add_argument("--write", action="store_true", help="write the tables into the ledgers")
    args = parser.parse_args(argv)
    budget = compute(REPO)
    texts = ledger_texts(REPO)
    new = rewritten(budget, texts)
    for path in sorted(new):
        if new[path] == texts[path]:
            continue
        if args.write:
            (REPO / path).write_text(new[path], encoding="utf-8")
            print(f"wrote {path}")
        else:
            print(f"--- {path}: its tables should read\n{new[path]}")
    problems = budget.problems + bound_problems(budget)
    if not args.write:
        problems += check_ledgers(budget, texts)
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    totals = ", ".join(f"{e} {fmt(budget.cell(None, e))}" for e in budget.envs)
    print(
        f"per full CI run: {fmt(budget.total)} ({totals}); without the pinned findings "
        f"{fmt(budget.total_without_pinned)}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
