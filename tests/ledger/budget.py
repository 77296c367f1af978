"""The suite's false-alarm budget, computed from the declarations; the ledgers checked against it.

A test that can fail on correct code by bad luck (a false alarm), or miss a planted
error, declares its rate beside it::

    @pytest.mark.false_alarm(1e-6, per="example", assertions=2, reason="...")

``rate`` is the probability that one assertion fails on correct code (0 = det.);
``per`` the unit: one Hypothesis ``example`` of one collected item, one collected
``item``, or one ``run`` of the test function (all its items at once);
``assertions`` how many such assertions one unit makes; ``requires`` a module the
item needs beyond the test module's own (``"{framework}"``: a parameter names it).

What one execution of a test risks is rate * assertions * units, the units counted
from the test itself (parametrize lists, ``max_examples``); a full CI run executes it
once per pytest invocation of each env of ``tox.ini``'s ``env_list`` that selects it
and installs what it needs. The per-CI figures are a union bound: an env that re-runs
a file with the same seeds re-tests the same event, so the true rate is no larger.

Each folder with a ``FALSE_ALARMS.md`` holds its tests' rows there; every other
folder's rows are in ``tests/README.md``, which also has the table of totals per
folder and env, and the grand total. ``python -m tests.ledger`` prints the tables;
``python -m tests.ledger --write`` puts them into the ledgers.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tests.ledger.sources import Item, Library, TestFunction, read_tests
from tests.ledger.toxenvs import Env, Run, read_envs

BOUND = 1e-3  # the bound on the false-alarm probability of one full CI run
README = "tests/README.md"
LEDGER_NAME = "FALSE_ALARMS.md"
#: declared rows whose rate alone breaks the bound: known findings, with what fixes them. The
#: budget test checks the bound without them, and that each is still needed (else: remove it).
PINNED: dict[str, str] = {}  # test id -> why its rate is left out of the bound (none today)
ROW_HEADER = (
    "test",
    "what can fail",
    "rate",
    "per",
    "assertions",
    "units",
    "per execution",
    "envs",
    "per CI run",
)
TOTAL = "**total**"
WITHOUT_PINNED = "**total without the pinned findings**"


class LedgerError(Exception):
    """A selection the ledger cannot decide from the sources."""


@dataclass(frozen=True)
class Row:
    """One declared test (or the part of its items that runs in the same envs)."""

    key: str
    folder: str
    reason: str
    rate: float
    per: str
    assertions: int
    units: int
    executions: tuple[str, ...]  # one env name per execution in a full CI run

    @property
    def per_execution(self) -> float:
        return self.rate * self.assertions * self.units

    @property
    def per_ci(self) -> float:
        return self.per_execution * len(self.executions)


@dataclass
class Budget:
    envs: list[str]
    rows: list[Row]
    tests: list[TestFunction]
    problems: list[str] = field(default_factory=list)
    pinned: dict[str, str] = field(default_factory=dict)

    def folders(self) -> list[str]:
        return sorted({r.folder for r in self.rows})

    def cell(self, folder: str | None, env: str | None, *, pinned: bool = True) -> float:
        """Total over a folder (None: all) in an env (None: all envs)."""
        return sum(
            r.per_execution * sum(e == env or env is None for e in r.executions)
            for r in self.rows
            if (folder is None or r.folder == folder) and (pinned or r.key not in self.pinned)
        )

    @property
    def total(self) -> float:
        return self.cell(None, None)

    @property
    def total_without_pinned(self) -> float:
        return self.cell(None, None, pinned=False)


# --- computing -----------------------------------------------------------------------------------


def compute(
    repo: Path,
    *,
    sources: dict[str, str] | None = None,
    tox_text: str | None = None,
    default_examples: int | None = None,
    pinned: dict[str, str] | None = None,
    paths: Iterable[str] | None = None,
) -> Budget:
    """The budget of a full CI run: rows per declared test, from the sources and tox.ini.

    ``sources`` (path -> text) and ``tox_text`` replace the files' text, for tests of the
    tester; ``default_examples`` is the ``max_examples`` of a test without ``@settings``
    (default: the ``ci`` profile's, which tox runs); ``paths`` limits the test modules read
    (the totals are then those of these modules only).
    """
    examples = ci_examples() if default_examples is None else default_examples
    library = Library(repo, sources, examples)
    envs = read_envs(repo, tox_text)
    tests = read_tests(library, paths)
    budget = Budget(
        [e.name for e in envs], [], tests, pinned=dict(PINNED if pinned is None else pinned)
    )
    for fn in tests:
        budget.problems += [f"{fn.key}: {p}" for p in fn.problems]
        decl = fn.declaration
        if decl is None:
            if fn.hits and not fn.problems:
                budget.problems.append(
                    f"{fn.key}: uses {', '.join(fn.hits)} but declares no false-alarm rate: add "
                    "@pytest.mark.false_alarm(rate, per=..., reason=...) (0 if it is exact)"
                )
            continue
        if decl.deterministic:
            continue
        try:
            budget.rows += _rows(fn, envs, repo)
        except LedgerError as err:
            budget.problems.append(f"{fn.key}: {err}")
    for key in budget.pinned:
        if not any(r.key == key for r in budget.rows):
            budget.problems.append(f"PINNED names {key}, which is not a declared row")
    return budget


def ci_examples() -> int:
    """``max_examples`` of the ``ci`` Hypothesis profile (tests/conftest.py), which tox runs."""
    from hypothesis import settings
    from hypothesis.errors import InvalidArgument

    try:
        return settings.get_profile("ci").max_examples
    except InvalidArgument:  # the profile is registered by tests/conftest.py
        import tests.conftest  # noqa: F401

        return settings.get_profile("ci").max_examples


def bound_problems(budget: Budget, bound: float = BOUND) -> list[str]:
    """The bound, without the pinned findings; and each pin still needed (else: unpin it)."""
    problems = []
    if budget.total_without_pinned > bound:
        unpinned = [r for r in budget.rows if r.key not in budget.pinned]
        worst = sorted(unpinned, key=lambda r: -r.per_ci)[:3]
        problems.append(
            f"the false-alarm probability of a full CI run is {fmt(budget.total_without_pinned)} "
            f"(pinned findings aside), above the bound {fmt(bound)}; the largest rows: "
            + "; ".join(f"{r.key} {fmt(r.per_ci)}" for r in worst)
        )
    headroom = bound - budget.total_without_pinned
    for key in budget.pinned:
        total = sum(r.per_ci for r in budget.rows if r.key == key)
        if total <= headroom:
            problems.append(
                f"{key} is pinned as over the budget but now declares {fmt(total)}, which fits: "
                "remove it from PINNED in tests/ledger/budget.py"
            )
    return problems


def _rows(fn: TestFunction, envs: list[Env], repo: Path) -> list[Row]:
    decl = fn.declaration
    assert decl is not None
    if fn.items is None:
        raise LedgerError(f"{fn.items_problem}; make it a literal or a module-level list")
    if decl.per == "example" and not fn.given:
        raise LedgerError("per='example' but it has no @given: declare per='item' or per='run'")
    if decl.per == "item" and fn.given:
        raise LedgerError("it has @given: declare per='example' (its examples are counted)")
    groups: dict[tuple[str, ...], list[Item]] = {}
    for item in fn.items:
        try:
            needs = fn.item_requires(item)
        except (KeyError, IndexError) as err:
            raise LedgerError(
                f"requires={fn.requires_template!r} names no parameter: {err}"
            ) from None
        executions = tuple(
            env.name
            for env in envs
            for run in env.runs
            if needs <= env.provides and selects(run, fn, item, repo)
        )
        groups.setdefault(executions, []).append(item)
    rows = []
    for executions, items in groups.items():
        key = fn.key
        if len(items) < len(fn.items):
            if any(i.id is None for i in items):
                raise LedgerError(
                    "its items run in different envs and pytest makes their ids from "
                    "objects: give parametrize literal values or ids"
                )
            key += "[" + ", ".join(str(i.id) for i in items) + "]"
        units = {"example": sum(i.examples for i in items), "item": len(items), "run": 1}[decl.per]
        rows.append(
            Row(
                key, fn.folder, decl.reason, decl.rate, decl.per, decl.assertions, units, executions
            )
        )
    return rows


def _norm(path: str, repo: Path) -> str:
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.resolve().relative_to(repo.resolve())
        except ValueError:
            return path
    text = posixpath.normpath(p.as_posix())
    return "" if text == "." else text


def _under(file: str, path: str) -> bool:
    return path == "" or file == path or file.startswith(path.rstrip("/") + "/")


def selects(run: Run, fn: TestFunction, item: Item, repo: Path) -> bool:
    """Whether one pytest invocation collects and selects this item."""
    file = fn.module.path
    node_name = fn.name + (f"[{item.id}]" if item.id else "")
    chosen = False
    for arg in run.paths:
        path, _, rest = arg.partition("::")
        path = _norm(path, repo)
        if not rest:
            chosen |= _under(file, path)
        elif file == path:
            chosen |= _node_matches(rest, fn, item)
    if not chosen:
        return False
    if any(_under(file, _norm(p, repo)) for p in run.ignore):
        return False
    if any(
        fnmatch.fnmatch(file, g) or fnmatch.fnmatch(file, _norm(g, repo)) for g in run.ignore_glob
    ):
        return False
    for arg in run.deselect:
        path, _, rest = arg.partition("::")
        if _norm(path, repo) == file and _node_matches(rest, fn, item):
            return False
    if run.keyword is not None:
        if item.id is None:
            raise LedgerError(
                f"-k {run.keyword!r} needs its item ids, which pytest makes from objects"
            )
        names = [node_name, *file.split("/"), *fn.name.split("::")[:-1], *fn.markers]
        if not expression(run.keyword, lambda w: any(w.lower() in n.lower() for n in names)):
            return False
    return run.markexpr is None or expression(run.markexpr, lambda w: w in fn.markers)


def _node_matches(rest: str, fn: TestFunction, item: Item) -> bool:
    name, bracket, ident = rest.partition("[")
    if name != fn.name:
        return False
    if not bracket:
        return True
    if item.id is None:
        raise LedgerError(
            f"the node id [{ident} needs its item ids, which pytest makes from objects"
        )
    return ident.rstrip("]") == item.id


def expression(text: str, matches: Callable[[str], bool]) -> bool:
    """pytest's -k / -m grammar: words joined by and, or, not and parentheses."""
    tokens = re.findall(r"\(|\)|[^\s()]+", text)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise LedgerError(f"expression {text!r} ends early")
        pos += 1
        return tokens[pos - 1]

    def disjunction() -> bool:
        value = conjunction()
        while peek() == "or":
            take()
            value = conjunction() or value
        return value

    def conjunction() -> bool:
        value = negation()
        while peek() == "and":
            take()
            value = negation() and value
        return value

    def negation() -> bool:
        token = take()
        if token == "not":
            return not negation()
        if token == "(":
            value = disjunction()
            if take() != ")":
                raise LedgerError(f"expression {text!r}: unbalanced parentheses")
            return value
        if token in (")", "and", "or"):
            raise LedgerError(f"expression {text!r}: unexpected {token!r}")
        return matches(token)

    value = disjunction()
    if pos != len(tokens):
        raise LedgerError(f"expression {text!r}: unexpected {tokens[pos]!r}")
    return value


# --- markdown ------------------------------------------------------------------------------------


def fmt(x: float) -> str:
    """A rate in two significant digits: 6.6e-5, 1e-6; 0 is 0."""
    if x == 0:
        return "0"
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{mantissa.removesuffix('.0')}e{int(exponent)}"


def parse_number(cell: str) -> float | None:
    text = re.sub(r"[*`≈≤~\s]", "", cell)
    if text in ("", "—", "-"):
        return None
    if text == "det.":
        return 0.0
    try:
        return float(text)
    except ValueError:
        return None


def _cell(text: str) -> str:
    return text.strip().strip("`").strip()


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    start: int  # line index of the header
    end: int  # line index after the last row


def tables(text: str) -> list[Table]:
    """Every pipe table of a markdown text (cells stripped; the separator row dropped)."""
    lines = text.splitlines()
    found, i = [], 0
    while i < len(lines):
        if (
            lines[i].lstrip().startswith("|")
            and i + 1 < len(lines)
            and re.fullmatch(r"\s*\|(\s*:?-+:?\s*\|)+\s*", lines[i + 1])
        ):
            start, header = i, _split(lines[i])
            i += 2
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(_split(lines[i]))
                i += 1
            found.append(Table(header, tuple(rows), start, i))
        else:
            i += 1
    return found


def _split(line: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in line.strip().strip("|").split("|"))


def ledger_of(folder: str, library_has: Callable[[str], bool]) -> str:
    path = f"tests/{folder}/{LEDGER_NAME}"
    return path if library_has(path) else README


def rows_by_ledger(budget: Budget, has: Callable[[str], bool]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for row in budget.rows:
        out.setdefault(ledger_of(row.folder, has), []).append(row)
    out.setdefault(README, [])
    return out


def render_rows(rows: Iterable[Row]) -> list[str]:
    rows = list(rows)
    lines = ["| " + " | ".join(ROW_HEADER) + " |", "|" + "---|" * len(ROW_HEADER)]
    for r in rows:
        lines.append(
            f"| `{r.key}` | {r.reason} | {fmt(r.rate)} | {r.per} | {r.assertions} | {r.units} "
            f"| {fmt(r.per_execution)} | {', '.join(r.executions) or '—'} | {fmt(r.per_ci)} |"
        )
    lines.append(
        f"| {TOTAL} | | | | | | **{fmt(sum(r.per_execution for r in rows))}** | | "
        f"**{fmt(sum(r.per_ci for r in rows))}** |"
    )
    return lines


def env_header(budget: Budget) -> tuple[str, ...]:
    return ("folder", *budget.envs, "per CI run")


def render_envs(budget: Budget) -> list[str]:
    header = env_header(budget)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]

    def cells(folder: str | None, pinned: bool = True) -> str:
        values = [budget.cell(folder, e, pinned=pinned) for e in budget.envs]
        values.append(budget.cell(folder, None, pinned=pinned))
        texts = [fmt(v) if v else "—" for v in values]
        if folder is None:
            texts = [f"**{t}**" for t in texts]
        return " | ".join(texts)

    for folder in budget.folders():
        lines.append(f"| `{folder}/` | {cells(folder)} |")
    lines.append(f"| {TOTAL} | {cells(None)} |")
    if budget.pinned:
        lines.append(f"| {WITHOUT_PINNED} | {cells(None, pinned=False)} |")
    return lines


def check_rows(text: str, rows: list[Row], where: str) -> list[str]:
    """Mismatches between a ledger's table of tests and the declared rows it should hold."""
    found = [t for t in tables(text) if is_rows_table(t)]
    if len(found) != 1:
        columns = " | ".join(ROW_HEADER)
        return [f"{where}: expected one table with the columns {columns}, found {len(found)}"]
    table, problems = found[0], []
    written: dict[str, tuple[str, ...]] = {}
    total = None
    for cells in table.rows:
        if len(cells) != len(ROW_HEADER):
            problems.append(
                f"{where}: row {cells[0]!r} has {len(cells)} cells, expected {len(ROW_HEADER)}"
            )
            continue
        if _cell(cells[0]) == TOTAL:
            total = cells
        else:
            written[_cell(cells[0])] = cells
    expected = {r.key: r for r in rows}
    for key in sorted(set(expected) - set(written)):
        problems.append(
            f"{where}: no row for {key} (declared {fmt(expected[key].per_ci)} per CI run)"
        )
    for key in sorted(set(written) - set(expected)):
        problems.append(f"{where}: row {key} is not a declared statistical test of this ledger")
    for key in sorted(set(expected) & set(written)):
        r, cells = expected[key], written[key]
        want = {
            "rate": fmt(r.rate),
            "per": r.per,
            "assertions": str(r.assertions),
            "units": str(r.units),
            "per execution": fmt(r.per_execution),
            "envs": ", ".join(r.executions) or "—",
            "per CI run": fmt(r.per_ci),
        }
        for column, value in want.items():
            got = cells[ROW_HEADER.index(column)]
            if _same(got, value, exact=column in ("assertions", "units")):
                continue
            problems.append(f"{where}: {key}: {column} is {got!r}, the declarations give {value!r}")
    sums = {
        "per execution": fmt(sum(r.per_execution for r in rows)),
        "per CI run": fmt(sum(r.per_ci for r in rows)),
    }
    if total is None:
        problems.append(f"{where}: no {TOTAL} row")
    else:
        for column, value in sums.items():
            got = total[ROW_HEADER.index(column)]
            if not _same(got, value):
                problems.append(
                    f"{where}: total {column} is {got!r}, the declarations give {value!r}"
                )
    return problems


def _same(got: str, want: str, *, exact: bool = False) -> bool:
    """A rate is the same at two significant digits; a count or a word, exactly."""
    w = parse_number(want)
    if w is None or exact:
        return re.sub(r"[`*\s]", "", got) == re.sub(r"[`*\s]", "", want)
    g = parse_number(got)
    return g is not None and fmt(g) == fmt(w)


def check_envs(text: str, budget: Budget, where: str = README) -> list[str]:
    """Mismatches between the table of totals per folder and env and the computed budget."""
    header = env_header(budget)
    candidates = [t for t in tables(text) if is_totals_table(t)]
    if len(candidates) != 1:
        columns = " | ".join(header)
        return [f"{where}: expected one table of totals ({columns}), found {len(candidates)}"]
    table = candidates[0]
    if table.header != header:
        got, want = " | ".join(table.header), " | ".join(header)
        return [f"{where}: the totals' columns are {got}; tox.ini's env_list gives {want}"]
    expected: dict[str, list[float]] = {}
    for folder in budget.folders():
        expected[f"{folder}/"] = [budget.cell(folder, e) for e in budget.envs] + [
            budget.cell(folder, None)
        ]
    expected[TOTAL] = [budget.cell(None, e) for e in budget.envs] + [budget.total]
    if budget.pinned:
        expected[WITHOUT_PINNED] = [budget.cell(None, e, pinned=False) for e in budget.envs] + [
            budget.total_without_pinned
        ]
    written = {_cell(cells[0]): cells for cells in table.rows}
    problems = [f"{where}: no totals row for {k}" for k in expected if k not in written]
    problems += [
        f"{where}: totals row {k} is not a folder with declared rates"
        for k in written
        if k not in expected
    ]
    for label in set(expected) & set(written):
        cells = written[label]
        if len(cells) != len(header):
            problems.append(
                f"{where}: totals row {label} has {len(cells)} cells, expected {len(header)}"
            )
            continue
        for column, value in zip(header[1:], expected[label], strict=True):
            got = cells[header.index(column)]
            if not _same(got, fmt(value) if value else "—"):
                problems.append(
                    f"{where}: totals {label} {column} is {got!r}, the declarations give "
                    f"{fmt(value) if value else '—'!r}"
                )
    return problems


def check_ledgers(budget: Budget, texts: dict[str, str]) -> list[str]:
    """Every ledger (path -> text) against the budget."""
    by_ledger = rows_by_ledger(budget, lambda p: p in texts)
    problems = []
    for path, text in sorted(texts.items()):
        problems += check_rows(text, by_ledger.get(path, []), path)
    return problems + check_envs(texts[README], budget)


def ledger_texts(repo: Path) -> dict[str, str]:
    """tests/README.md and every tests/*/FALSE_ALARMS.md."""
    found = (repo / "tests").glob(f"*/{LEDGER_NAME}")
    paths = [README, *sorted(p.relative_to(repo).as_posix() for p in found)]
    return {p: (repo / p).read_text(encoding="utf-8") for p in paths}


def is_rows_table(table: Table) -> bool:
    return table.header == ROW_HEADER


def is_totals_table(table: Table) -> bool:
    return bool(table.header) and table.header[0] == "folder" and table.header[-1] == "per CI run"


def replace_table(text: str, picks: Callable[[Table], bool], new: list[str]) -> str:
    """The text with the table that ``picks`` chooses replaced by ``new`` (appended if none)."""
    lines = text.splitlines()
    table = next((t for t in tables(text) if picks(t)), None)
    if table is None:
        lines += ["", *new]
    else:
        lines[table.start : table.end] = new
    return "\n".join(lines) + "\n"


def rewritten(budget: Budget, texts: dict[str, str]) -> dict[str, str]:
    """Every ledger's text with its tables as the declarations give them."""
    by_ledger = rows_by_ledger(budget, lambda p: p in texts)
    out = {}
    for path, text in texts.items():
        text = replace_table(text, is_rows_table, render_rows(by_ledger.get(path, [])))
        if path == README:
            text = replace_table(text, is_totals_table, render_envs(budget))
        out[path] = text
    return out
