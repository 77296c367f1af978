"""Test modules read from their source (AST): declarations, items, examples, requirements.

Nothing here imports a test module, so a module whose framework is not installed
(torch, jax, mxnet, ...) is read as well as any other. What is read:

* the ``@pytest.mark.false_alarm(...)`` declaration of each test function;
* its collected items: the product of its ``@pytest.mark.parametrize`` lists, each
  with its parameters (so a declaration's ``requires="{framework}"`` can name one);
* its Hypothesis examples per item: ``max_examples`` of its ``@settings`` (or of a
  ``@given`` function nested in its body), else the ``ci`` profile's;
* the modules it needs: ``pytest.importorskip("x")`` at module level or in the body,
  ``try: import x`` / ``except: pytest.skip(...)``, ``if find_spec("x") is None: skip``;
* whether it uses a statistical assertion (:data:`STAT_CALLS`, :data:`STAT_ATTRIBUTES`,
  a command line verdict), itself or through the helpers and fixtures it uses.

Values are evaluated from literals, module-level assignments and names imported
from other ``tests`` or ``initcheck`` modules, read the same way (nothing is imported,
so reading costs milliseconds). Anything else is :class:`Unresolved`.
"""

from __future__ import annotations

import ast
import builtins
import functools
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: calls that make a statistical assertion (or return a verdict), by the called name
STAT_CALLS = frozenset(
    {
        "assert_follows",
        "assert_law",
        "assert_conforms",
        "check",
        "t_interval",
        "run_conformance",
        "kstest",
        "binomtest",
        "ttest_1samp",
        "ttest_ind",
        "pearsonr",
        "chisquare",
    }
)
#: attributes that are a decision at a level: a threshold, an interval, a verdict, a tail
STAT_ATTRIBUTES = frozenset({"rejects", "contains", "holds", "passed", "sf"})
#: a p-value compared by <, <=, > or >= is a threshold (== 0 or == 1 is exact)
PVALUE = "pvalue"
#: a verdict's key in a command's JSON
VERDICT_KEYS = frozenset({"holds", "passed"})
#: ``main(...) == 0`` (or 1): the exit code of a command line verdict
CLI_RUNNERS = frozenset({"main", "_main", "run"})
#: the commands that give a verdict (``main(["claims"])`` does not)
CLI_VERDICTS = frozenset({"check", "verify", "conformance", "propagate"})
#: pytester calls whose string arguments are test files: read them too
PYTESTER_FILES = frozenset({"makepyfile", "makeconftest"})
#: packages of the repository whose modules are read (never imported) to evaluate a value
SOURCE_PACKAGES = ("tests", "initcheck")
PERS = ("example", "item", "run")
DECLARATION = "pytest.mark.false_alarm"


class Unresolved(Exception):
    """A value that cannot be read from the source."""


@dataclass(frozen=True)
class Lazy:
    """An expression of a module, evaluated when needed (with item parameters bound)."""

    node: ast.expr
    module: ModuleSource
    bound: tuple[tuple[str, Any], ...] = ()

    def get(self) -> Any:
        return self.module.evaluate(self.node, dict(self.bound))


@dataclass(frozen=True)
class LazyDict:
    """A dict display: keys evaluated, values on demand."""

    keys: tuple[Any, ...]
    values: tuple[Lazy, ...]

    def get(self, key: Any, default: Any = None) -> Any:
        for k, v in zip(self.keys, self.values, strict=True):
            if k == key:
                return v.get()
        return default


@dataclass(frozen=True)
class SettingsCall:
    """``settings(parent, max_examples=..., ...)`` as written."""

    parents: tuple[Lazy, ...]
    kwargs: Mapping[str, Lazy]


@dataclass(frozen=True)
class ParamCall:
    """``pytest.param(*values, id=...)`` as written."""

    values: tuple[Lazy, ...]
    id: Any


def force(value: Any) -> Any:
    """A plain Python value: every Lazy inside evaluated."""
    if isinstance(value, Lazy):
        return force(value.get())
    if isinstance(value, list):
        return [force(v) for v in value]
    if isinstance(value, tuple):
        return tuple(force(v) for v in value)
    return value


@dataclass(frozen=True)
class Declaration:
    """``@pytest.mark.false_alarm(rate, per=..., assertions=..., reason=..., requires=...)``."""

    rate: float
    per: str
    assertions: int
    reason: str
    requires: str | None
    line: int

    @property
    def deterministic(self) -> bool:
        return self.rate == 0


@dataclass(frozen=True)
class Item:
    """One collected test: its id suffix (``None`` if pytest makes it from an object),
    its parameters (unevaluated), and its Hypothesis examples (0 without ``@given``)."""

    id: str | None
    params: tuple[tuple[str, Any], ...]
    examples: int


@dataclass
class TestFunction:
    module: ModuleSource
    name: str
    node: ast.FunctionDef | ast.AsyncFunctionDef
    declaration: Declaration | None
    problems: list[str]
    markers: frozenset[str]
    items: list[Item] | None
    items_problem: str | None
    requires: frozenset[str]
    requires_template: str | None
    hits: list[str]
    given: bool
    settings_explicit: bool

    __test__ = False  # not a pytest test class

    @property
    def key(self) -> str:
        """``folder/test_file.py::name``, relative to ``tests/``."""
        return f"{self.module.tests_path}::{self.name}"

    @property
    def folder(self) -> str:
        parts = self.module.tests_path.split("/")
        return parts[0] if len(parts) > 1 else "."

    def item_requires(self, item: Item) -> frozenset[str]:
        """Modules the item needs: the module's, the body's, the declaration's template."""
        needs = set(self.module.requires | self.requires)
        if self.requires_template:
            bound = {k: force(v) for k, v in item.params}
            needs.add(top_level(self.requires_template.format(**bound)))
        return frozenset(needs)


#: calls that import a module or skip the test without it (the second: tests/frameworks/_helpers.py)
SKIPPING_IMPORTS = ("pytest.importorskip", "tests.frameworks._helpers.import_framework")


def top_level(module: str) -> str:
    return module.split(".")[0]


@functools.lru_cache(maxsize=512)
def _parse(text: str, path: str) -> ast.Module:
    """A module's tree; the same text is parsed once (tests of the tester re-read the suite)."""
    return ast.parse(text, path)


class Library:
    """The test modules of a repository, read once each; ``sources`` overrides files' text."""

    def __init__(
        self, repo: Path, sources: Mapping[str, str] | None = None, default_examples: int = 100
    ) -> None:
        self.repo = repo
        self.sources = dict(sources or {})
        self.default_examples = default_examples
        self._modules: dict[str, ModuleSource] = {}

    def text(self, path: str) -> str:
        if path in self.sources:
            return self.sources[path]
        return (self.repo / path).read_text(encoding="utf-8")

    def module(self, path: str) -> ModuleSource:
        """The module at ``path`` (posix, relative to the repository)."""
        if path not in self._modules:
            self._modules[path] = ModuleSource(self, path, _parse(self.text(path), path))
        return self._modules[path]

    def dotted(self, name: str) -> ModuleSource | None:
        """The module ``tests.x.y``, if it is a file of the repository."""
        base = name.replace(".", "/")
        for path in (f"{base}.py", f"{base}/__init__.py"):
            if path in self.sources or (self.repo / path).is_file():
                return self.module(path)
        return None

    def test_paths(self) -> list[str]:
        """Every ``test_*.py`` under ``tests/`` (and any planted by ``sources``)."""
        found = {
            p.relative_to(self.repo).as_posix() for p in (self.repo / "tests").rglob("test_*.py")
        }
        found |= {
            p
            for p in self.sources
            if p.startswith("tests/") and p.rsplit("/", 1)[-1].startswith("test_")
        }
        return sorted(p for p in found if "__pycache__" not in p)


class ModuleSource:
    """One module's top level: assignments, definitions, imports, requirements."""

    def __init__(self, library: Library, path: str, tree: ast.Module) -> None:
        self.library = library
        self.path = path
        self.tree = tree
        self.names: dict[str, ast.AST] = {}
        self.imports: dict[str, tuple[str, str | None]] = {}
        for stmt in tree.body:
            self._read_top(stmt)
        self.requires = frozenset(self._module_requires())
        self._evaluating: set[str] = set()
        self._scans: dict[int, tuple[frozenset[str], list[tuple[ModuleSource, ast.AST]]]] = {}

    def scan(self, root: ast.AST) -> tuple[frozenset[str], list[tuple[ModuleSource, ast.AST]]]:
        """:func:`_scan` of a tree of this module, computed once (helpers are shared)."""
        if id(root) not in self._scans:
            self._scans[id(root)] = _scan(self, root)
        return self._scans[id(root)]

    @property
    def tests_path(self) -> str:
        return self.path.removeprefix("tests/")

    def _read_top(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    self.names[target.id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            self.names[stmt.target.id] = stmt.value
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.names[stmt.name] = stmt
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    self.imports[alias.asname] = (alias.name, None)
                else:
                    self.imports[top_level(alias.name)] = (top_level(alias.name), None)
        elif isinstance(stmt, ast.ImportFrom):
            module = self._absolute(stmt.module, stmt.level)
            for alias in stmt.names:
                self.imports[alias.asname or alias.name] = (module, alias.name)
        elif isinstance(stmt, (ast.If, ast.Try)):
            for inner in stmt.body:
                self._read_top(inner)

    def _absolute(self, module: str | None, level: int) -> str:
        """The absolute name of ``from <level dots><module> import ...`` in this file."""
        if level == 0:
            return module or ""
        package = self.path.removesuffix(".py").split("/")
        package = package[:-1]  # the file's package, whether it is __init__ or a module
        base = package[: len(package) - (level - 1)] if level > 1 else package
        return ".".join(base + ([module] if module else []))

    # --- names -----------------------------------------------------------------------------------

    def dotted_name(self, node: ast.AST) -> str | None:
        """``pytest.mark.parametrize``, ``hypothesis.settings``: the head resolved by imports."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = node.id
        if head in self.imports:
            module, attr = self.imports[head]
            head = module if attr is None else f"{module}.{attr}"
        return ".".join([head, *reversed(parts)])

    def called_name(self, node: ast.Call) -> str | None:
        """The name a call calls, as defined (an imported ``a as b`` is ``a``)."""
        func = node.func
        if isinstance(func, ast.Attribute):
            return func.attr
        if isinstance(func, ast.Name):
            imported = self.imports.get(func.id)
            return imported[1] or func.id if imported else func.id
        return None

    # --- evaluation ------------------------------------------------------------------------------

    def evaluate(self, node: ast.AST, bound: Mapping[str, Any] | None = None) -> Any:
        bound = bound or {}
        lazy = tuple(bound.items())
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self._name(node.id, bound)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            if any(isinstance(e, ast.Starred) for e in node.elts):
                raise Unresolved(f"{self.path}:{node.lineno}: a starred element")
            return [Lazy(e, self, lazy) for e in node.elts]
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                raise Unresolved(f"{self.path}:{node.lineno}: ** in a dict display")
            return LazyDict(
                tuple(self.evaluate(k, bound) for k in node.keys if k is not None),
                tuple(Lazy(v, self, lazy) for v in node.values),
            )
        if isinstance(node, ast.BinOp):
            return _BINARY[type(node.op)](
                force(self.evaluate(node.left, bound)), force(self.evaluate(node.right, bound))
            )
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](force(self.evaluate(node.operand, bound)))
        if isinstance(node, ast.Call):
            return self._call(node, bound)
        if isinstance(node, ast.Attribute):
            base = force(self.evaluate(node.value, bound))
            if isinstance(base, (LazyDict, list, Lazy)):
                raise Unresolved(f"{self.path}:{node.lineno}: attribute {node.attr} of a display")
            try:
                return getattr(base, node.attr)
            except AttributeError as err:
                raise Unresolved(f"{self.path}:{node.lineno}: {err}") from None
        if isinstance(node, ast.Subscript):
            container = self.evaluate(node.value, bound)
            key = force(self.evaluate(node.slice, bound))
            if isinstance(container, LazyDict):
                return container.get(key)
            return force(container)[key]
        raise Unresolved(f"{self.path}:{getattr(node, 'lineno', '?')}: {type(node).__name__}")

    def _name(self, name: str, bound: Mapping[str, Any]) -> Any:
        if name in bound:
            value = bound[name]
            return value.get() if isinstance(value, Lazy) else value
        if name in self.names:
            node = self.names[name]
            if not isinstance(node, ast.expr) or name in self._evaluating:
                raise Unresolved(f"{self.path}: {name} is not a value")
            self._evaluating.add(name)
            try:
                return self.evaluate(node)
            finally:
                self._evaluating.discard(name)
        if name in self.imports:
            module, attr = self.imports[name]
            if top_level(module) in SOURCE_PACKAGES:
                other = self.library.dotted(module)
                if other is not None and attr is not None:
                    return other._name(attr, {})
            if module == "hypothesis" and attr == "settings":
                return _SETTINGS
            if module == "math" and attr is None:
                return math
            raise Unresolved(f"{self.path}: {name} comes from {module}")
        if name in _BUILTINS:
            return _BUILTINS[name]
        raise Unresolved(f"{self.path}: unknown name {name}")

    def _call(self, node: ast.Call, bound: Mapping[str, Any]) -> Any:
        lazy = tuple(bound.items())
        dotted = self.dotted_name(node.func)
        if dotted == "pytest.param":
            marks_id = {k.arg: k.value for k in node.keywords}
            pid = force(self.evaluate(marks_id["id"], bound)) if "id" in marks_id else None
            return ParamCall(tuple(Lazy(a, self, lazy) for a in node.args), pid)
        func = self.evaluate(node.func, bound) if not isinstance(node.func, ast.Attribute) else None
        if func is _SETTINGS:
            return SettingsCall(
                tuple(Lazy(a, self, lazy) for a in node.args),
                {k.arg: Lazy(k.value, self, lazy) for k in node.keywords if k.arg},
            )
        if isinstance(node.func, ast.Attribute):
            owner = self.evaluate(node.func.value, bound)
            if isinstance(owner, LazyDict):
                args = [force(self.evaluate(a, bound)) for a in node.args]
                method = node.func.attr
                if method == "get":
                    return owner.get(*args)
                if method == "keys":
                    return list(owner.keys)
                if method == "values":
                    return [v.get() for v in owner.values]
                raise Unresolved(f"{self.path}:{node.lineno}: dict method {method}")
            raise Unresolved(f"{self.path}:{node.lineno}: a method call")
        if func in _SAFE_CALLS:
            args = [self.evaluate(a, bound) for a in node.args]
            return _SAFE_CALLS[func](*args)
        raise Unresolved(f"{self.path}:{node.lineno}: a call of {ast.unparse(node.func)}")

    # --- requirements ----------------------------------------------------------------------------

    def _module_requires(self) -> Iterator[str]:
        """Modules whose absence skips the whole module."""

        def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
            for stmt in body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    continue
                yield stmt
                if isinstance(stmt, ast.If):
                    yield from statements(stmt.body + stmt.orelse)
                if isinstance(stmt, ast.Try):
                    yield from statements(stmt.body)

        for stmt in statements(self.tree.body):
            if isinstance(stmt, (ast.Expr, ast.Assign, ast.AnnAssign)):
                yield from self.importorskips(stmt)
            if isinstance(stmt, ast.Try) and any(self._skips(h.body) for h in stmt.handlers):
                for inner in stmt.body:
                    if isinstance(inner, ast.Import):
                        yield from (top_level(a.name) for a in inner.names)
                    elif isinstance(inner, ast.ImportFrom) and inner.module:
                        yield top_level(inner.module)
            if isinstance(stmt, ast.If) and self._skips(stmt.body):
                for call in (n for n in ast.walk(stmt.test) if isinstance(n, ast.Call)):
                    if self.called_name(call) == "find_spec" and call.args:
                        arg = call.args[0]
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                            yield top_level(arg.value)

    def importorskips(self, node: ast.AST) -> Iterator[str]:
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
            name = self.dotted_name(call.func)
            if name in SKIPPING_IMPORTS and call.args:
                arg = call.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield top_level(arg.value)

    def _skips(self, body: list[ast.stmt]) -> bool:
        return any(
            isinstance(n, ast.Call) and self.dotted_name(n.func) == "pytest.skip"
            for stmt in body
            for n in ast.walk(stmt)
        )

    # --- test functions --------------------------------------------------------------------------

    def test_functions(self) -> list[TestFunction]:
        found = []
        for stmt in self.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name.startswith(
                "test"
            ):
                found.append(read_test(self, stmt, stmt.name))
            elif isinstance(stmt, ast.ClassDef) and stmt.name.startswith("Test"):
                for inner in stmt.body:
                    if isinstance(
                        inner, (ast.FunctionDef, ast.AsyncFunctionDef)
                    ) and inner.name.startswith("test"):
                        found.append(read_test(self, inner, f"{stmt.name}::{inner.name}"))
        return found


_SETTINGS = object()  # stands for hypothesis.settings
_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Pow: lambda a, b: a**b,
    ast.Mod: lambda a, b: a % b,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: lambda a: -a, ast.UAdd: lambda a: +a}


def _sorted(x: Any) -> list[Any]:
    return sorted(x.keys) if isinstance(x, LazyDict) else sorted(force(x))


def _len(x: Any) -> int:
    return len(x.keys) if isinstance(x, LazyDict) else len(x)


_SAFE_CALLS: dict[Any, Callable[..., Any]] = {
    builtins.len: _len,
    builtins.sorted: _sorted,
    builtins.list: lambda x: list(force(x)),
    builtins.tuple: lambda x: tuple(force(x)),
    builtins.range: lambda *a: list(range(*force(a))),
    builtins.min: lambda *a: min(*force(a)),
    builtins.max: lambda *a: max(*force(a)),
    builtins.sum: lambda x: sum(force(x)),
    builtins.int: lambda x: int(force(x)),
}
_BUILTINS = {
    name: getattr(builtins, name)
    for name in ("len", "sorted", "list", "tuple", "range", "min", "max", "sum", "int")
}


# --- one test function ---------------------------------------------------------------------------


def read_test(
    module: ModuleSource, node: ast.FunctionDef | ast.AsyncFunctionDef, name: str
) -> TestFunction:
    problems: list[str] = []
    declaration = None
    markers: set[str] = set()
    parametrize: list[ast.Call] = []
    settings_node: ast.expr | None = None
    given = False
    examples_extra = 0
    for deco in node.decorator_list:
        call = deco if isinstance(deco, ast.Call) else None
        dotted = module.dotted_name(call.func if call else deco)
        if dotted == DECLARATION and call is not None:
            if declaration is not None:
                problems.append("declared twice")
            declaration = _declaration(module, call, problems)
        elif dotted == "pytest.mark.parametrize" and call is not None:
            parametrize.append(call)
        elif dotted and dotted.startswith("pytest.mark."):
            markers.add(dotted.split(".")[2])
        elif dotted == "hypothesis.given":
            given = True
        elif dotted == "hypothesis.example":
            examples_extra += 1
        elif dotted == "hypothesis.settings" or (
            dotted and call is None and _is_settings(module, deco)
        ):
            settings_node = deco
    if not given:  # a @given test built inside the body (e.g. per parameter)
        for inner in ast.walk(node):
            if inner is not node and isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                dotteds = {
                    module.dotted_name(d.func if isinstance(d, ast.Call) else d): d
                    for d in inner.decorator_list
                }
                if "hypothesis.given" in dotteds:
                    given = True
                    settings_node = next(
                        (
                            d
                            for k, d in dotteds.items()
                            if k == "hypothesis.settings" or (k and _is_settings(module, d))
                        ),
                        None,
                    )
                    break
    markers |= _module_markers(module)
    items, items_problem = _items(module, node, parametrize, settings_node, given, examples_extra)
    template = declaration.requires if declaration else None
    requires = frozenset(module.importorskips(ast.Module(body=node.body, type_ignores=[])))
    return TestFunction(
        module,
        name,
        node,
        declaration,
        problems,
        frozenset(markers),
        items,
        items_problem,
        requires,
        template,
        statistical_hits(module, node),
        given,
        settings_node is not None,
    )


def _is_settings(module: ModuleSource, node: ast.expr) -> bool:
    try:
        return isinstance(module.evaluate(node), SettingsCall)
    except Unresolved:
        return False


def _module_markers(module: ModuleSource) -> set[str]:
    node = module.names.get("pytestmark")
    marks = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node] if node else []
    names = set()
    for mark in marks:
        dotted = module.dotted_name(mark.func if isinstance(mark, ast.Call) else mark)  # type: ignore[arg-type]
        if dotted and dotted.startswith("pytest.mark."):
            names.add(dotted.split(".")[2])
    return names


def _declaration(module: ModuleSource, call: ast.Call, problems: list[str]) -> Declaration | None:
    allowed = {"rate", "per", "assertions", "reason", "requires"}
    args: dict[str, ast.expr] = {}
    if len(call.args) > 1:
        problems.append("only the rate may be given by position")
    if call.args:
        args["rate"] = call.args[0]
    for kw in call.keywords:
        if kw.arg not in allowed:
            problems.append(f"unknown argument {kw.arg}=")
            continue
        args[kw.arg] = kw.value
    values: dict[str, Any] = {}
    for key, node in args.items():
        try:
            values[key] = force(module.evaluate(node))
        except (Unresolved, ArithmeticError, TypeError) as err:
            problems.append(f"{key}= cannot be read from the source ({err}); write a literal")
    rate, per = values.get("rate"), values.get("per", "example")
    assertions, reason, requires = (
        values.get("assertions", 1),
        values.get("reason"),
        values.get("requires"),
    )
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0 <= rate < 1:
        problems.append(f"rate={rate!r}: expected a probability in [0, 1) (0 for det.)")
        return None
    if per not in PERS:
        problems.append(f"per={per!r}: expected one of {', '.join(PERS)}")
    if not isinstance(assertions, int) or isinstance(assertions, bool) or assertions < 1:
        problems.append(f"assertions={assertions!r}: expected a positive integer")
    if not isinstance(reason, str) or not reason.strip():
        problems.append("reason=: expected a sentence saying what can fail and why at that rate")
    if requires is not None and not isinstance(requires, str):
        problems.append(f"requires={requires!r}: expected a module name or a '{{param}}' template")
    if problems or not isinstance(reason, str):
        return None
    return Declaration(float(rate), per, assertions, reason, requires, call.lineno)


def _items(
    module: ModuleSource,
    node: ast.AST,
    parametrize: list[ast.Call],
    settings_node: ast.expr | None,
    given: bool,
    examples_extra: int,
) -> tuple[list[Item] | None, str | None]:
    try:
        axes = [_parametrize_axis(module, call) for call in reversed(parametrize)]
    except (Unresolved, KeyError, TypeError, ValueError) as err:
        return None, f"its parametrize list cannot be read from the source: {err}"
    items = []
    for combo in itertools.product(*axes) if axes else [()]:
        ids = [i for i, _ in combo]
        params = tuple(p for _, ps in combo for p in ps)
        known = [i for i in ids if i is not None]
        item_id = "-".join(known) if len(known) == len(ids) else None  # "" without parametrize
        if given:
            try:
                examples = _max_examples(module, settings_node, dict(params)) + examples_extra
            except (Unresolved, KeyError, TypeError) as err:
                return None, f"its max_examples cannot be read from the source: {err}"
        else:
            examples = 0
        items.append(Item(item_id, params, examples))
    return items, None


def _parametrize_axis(
    module: ModuleSource, call: ast.Call
) -> list[tuple[str | None, tuple[tuple[str, Any], ...]]]:
    names_value = force(module.evaluate(call.args[0]))
    names = (
        [n.strip() for n in names_value.split(",")]
        if isinstance(names_value, str)
        else list(names_value)
    )
    values = module.evaluate(call.args[1])
    values = list(values.keys) if isinstance(values, LazyDict) else list(values)
    ids_node = next((k.value for k in call.keywords if k.arg == "ids"), None)
    given_ids: list[Any] | None = None
    if isinstance(ids_node, (ast.List, ast.Tuple)):
        given_ids = [force(v) for v in module.evaluate(ids_node)]
    elif ids_node is not None:
        try:
            evaluated = module.evaluate(ids_node)
            given_ids = [force(v) for v in evaluated] if isinstance(evaluated, list) else None
        except Unresolved:
            given_ids = None  # a function of the value: unknown here
    axis = []
    for index, value in enumerate(values):
        pid = None
        if (
            isinstance(value, Lazy)
            and isinstance(value.node, ast.Call)
            and (value.module.dotted_name(value.node.func) == "pytest.param")
        ):
            value = value.get()
        if isinstance(value, ParamCall):
            pid = value.id
            parts: list[Any] = list(value.values)
        elif len(names) == 1:
            parts = [value]
        else:
            seq = value.get() if isinstance(value, Lazy) else value
            parts = list(seq)
        if len(parts) != len(names):
            raise ValueError(f"{len(parts)} values for {len(names)} names")
        if given_ids is not None and ids_node is not None:
            pid = str(given_ids[index])
        elif pid is None and ids_node is None:
            pid = _default_id(names, parts, index)
        axis.append((pid, tuple(zip(names, parts, strict=True))))
    return axis


def _default_id(names: list[str], parts: list[Any], index: int) -> str:
    """pytest's id of a parameter set: plain values as text, others ``name<index>``."""
    out = []
    for name, part in zip(names, parts, strict=True):
        try:
            value = force(part)
        except Unresolved:
            value = object()
        plain = isinstance(value, (str, int, float, bool)) or value is None
        out.append(str(value) if plain else f"{name}{index}")
    return "-".join(out)


def _max_examples(module: ModuleSource, node: ast.expr | None, bound: Mapping[str, Any]) -> int:
    if node is None:
        return module.library.default_examples
    spec = module.evaluate(node, bound)
    while isinstance(spec, SettingsCall):
        if "max_examples" in spec.kwargs:
            return int(force(spec.kwargs["max_examples"]))
        if not spec.parents:
            return module.library.default_examples
        spec = spec.parents[0].get()
    raise Unresolved(f"{module.path}: settings that are not a settings(...) call")


# --- does a test use a statistical assertion? ----------------------------------------------------


def statistical_hits(
    module: ModuleSource, node: ast.FunctionDef | ast.AsyncFunctionDef
) -> list[str]:
    """What in the test (its body, helpers, fixtures and pytester files) is statistical."""
    roots: list[tuple[ModuleSource, ast.AST]] = [(module, stmt) for stmt in node.body]
    for arg in node.args.args:  # fixtures defined in the module
        fixture = module.names.get(arg.arg)
        if isinstance(fixture, (ast.FunctionDef, ast.AsyncFunctionDef)):
            roots.append((module, fixture))
    hits: set[str] = set()
    seen: set[tuple[str, int]] = set()
    while roots:
        mod, root = roots.pop()
        found, refs = mod.scan(root)
        hits |= found
        for ref in refs:
            key = (ref[0].path, id(ref[1]))
            if key not in seen:
                seen.add(key)
                roots.append(ref)
    return sorted(hits)


def _scan(
    module: ModuleSource, root: ast.AST
) -> tuple[frozenset[str], list[tuple[ModuleSource, ast.AST]]]:
    """The hits in one tree, and the definitions and pytester files it refers to."""
    hits: list[str] = []
    refs: list[tuple[ModuleSource, ast.AST]] = []
    for sub in ast.walk(root):
        hits += _hits(module, sub)
        if isinstance(sub, ast.Call) and module.called_name(sub) in PYTESTER_FILES:
            refs += [(module, code) for code in _code_arguments(module, sub)]
        elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
            refs += _definition(module, sub.id)
    return frozenset(hits), refs


def _hits(module: ModuleSource, node: ast.AST) -> list[str]:
    """What makes this node a statistical decision (empty if nothing)."""
    if isinstance(node, ast.Call):
        name = module.called_name(node)
        return [f"{name}()"] if name in STAT_CALLS else []
    if isinstance(node, ast.Attribute) and node.attr in STAT_ATTRIBUTES:
        return [f".{node.attr}"]
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return [f"[{node.slice.value!r}]"] if node.slice.value in VERDICT_KEYS else []
    if isinstance(node, ast.Compare):
        inequality = any(isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for op in node.ops)
        parts = [node.left, *node.comparators]
        if inequality and any(
            isinstance(n, ast.Attribute) and n.attr == PVALUE
            for part in parts
            for n in ast.walk(part)
        ):
            return ["a p-value threshold"]
        left = node.left
        if (
            isinstance(left, ast.Call)
            and module.called_name(left) in CLI_RUNNERS
            and all(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops)
            and any(isinstance(c, ast.Constant) and c.value in (0, 1) for c in node.comparators)
            and not _other_command(left)
        ):
            return ["a command's exit code"]
    return []


def _other_command(call: ast.Call) -> bool:
    """``main(["claims"])``: a command line that is not a verdict."""
    argv = call.args[0] if call.args else None
    if isinstance(argv, ast.List) and argv.elts and isinstance(argv.elts[0], ast.Constant):
        first = argv.elts[0].value
        return isinstance(first, str) and not first.startswith("-") and first not in CLI_VERDICTS
    return False


def _definition(module: ModuleSource, name: str) -> list[tuple[ModuleSource, ast.AST]]:
    """The module-level definition a name refers to (here or in another tests module)."""
    target: tuple[ModuleSource, ast.AST] | None = None
    if name in module.names:
        target = (module, module.names[name])
    elif name in module.imports:
        source, attr = module.imports[name]
        other = module.library.dotted(source) if top_level(source) == "tests" else None
        if other is not None and attr in other.names:
            target = (other, other.names[attr])
    return [] if target is None else [target]


def _code_arguments(module: ModuleSource, call: ast.Call) -> list[ast.AST]:
    """Test files given to pytester as strings, parsed."""
    out: list[ast.AST] = []
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        try:
            text = force(module.evaluate(arg))
        except Unresolved:
            continue
        if isinstance(text, str):
            try:
                out.append(ast.parse(text))
            except SyntaxError:
                continue
    return out


def read_tests(library: Library, paths: Iterable[str] | None = None) -> list[TestFunction]:
    """Every test function of every test module (or of the modules at ``paths``)."""
    chosen = library.test_paths() if paths is None else list(paths)
    return [fn for path in chosen for fn in library.module(path).test_functions()]
