"""Sphinx configuration of initcheck's documentation.

Built twice by ``tox -e docs``: ``-b html`` renders the pages (math bundled
offline, plots drawn by matplotlib at build time) and ``-b doctest`` runs
every ``{doctest}`` / ``{testcode}`` example, so that a number printed on a
page is a number the code computed. Both run with ``-W -n``: a warning, or a
cross-reference that leads nowhere, fails the build.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import itertools
import os
import re
import sys
from pathlib import Path

import initcheck

sys.path.insert(0, str(Path(__file__).parent / "_ext"))
import audit_example
import conformance_page

# the conformance matrices page, from the adapters' tables and the last recorded runs
_RUNS = os.environ.get("INITCHECK_CONFORMANCE_DIR")
conformance_page.write(
    Path(__file__).parent / "_generated" / "conformance.md", Path(_RUNS) if _RUNS else None
)

# the worked example of "Audit your model", from the last frameworks run (same directory)
audit_example.write(Path(__file__).parent / "_generated" / "audit_example.md", Path(_RUNS) if _RUNS else None,
                    Path(__file__).parent / "_generated" / "audit_depth.png")

project = "initcheck"
author = "the initcheck authors"
copyright = "the initcheck authors"
release = version = initcheck.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    # bundles MathJax 3 into _static/mathjax: math renders with no network
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
    "matplotlib.sphinxext.plot_directive",
    "sphinx_copybutton",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "_generated", "_ext", "Thumbs.db", ".DS_Store"]

# --- MyST -------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

# --- HTML -------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"initcheck {release}"
html_static_path = ["_static"]
html_css_files = ["initcheck.css"]
templates_path = ["_templates"]
html_theme_options: dict[str, object] = {
    "navbar_center": [],
    "navbar_end": ["search-button", "theme-switcher"],
    "navbar_persistent": [],
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"**": ["sidebar-nav-full"]}

# --- copy buttons -------------------------------------------------------------------
# Copy the code of an example, not its prompts or its output: on a block with
# `>>> ` / `... ` (or `$ `) prompts only the prompted lines are copied, without
# the prompt; a block without prompts is copied whole.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_remove_prompts = True
html_show_sourcelink = False

# --- autodoc / napoleon -----------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
# numpy's DTypeLike would otherwise be expanded into its full union (aliasing
# ArrayLike too trips Sphinx inside generics: Sequence[ArrayLike])
autodoc_type_aliases = {"DTypeLike": "numpy.typing.DTypeLike"}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = False
napoleon_use_rtype = False

# Types from outside the project: with no network there is no intersphinx
# inventory to resolve them against, so they are named, not linked.
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|scipy|numpy\.typing|npt)(\..*)?"),
    (r"py:.*", r"(ArrayLike|DTypeLike|NDArray|Array|Path)"),
    (r"py:.*", r"(collections\.abc|typing|dataclasses|argparse|pathlib)\..*"),
    (r"py:.*", r"(_pytest|pytest|hypothesis)\..*"),  # third-party types in signatures
    (r"py:.*", r"types\..*"),
]
# Names that docstrings mention but that are not public (not in any __all__),
# and modules whose reference pages are not part of these docs yet.
nitpick_ignore = [
    ("py:data", "DISTRIBUTIONS"),
    ("py:class", "DrawFn"),
    ("py:data", "DEFAULT_SHAPES"),
    ("py:mod", ".registry"),
    ("py:mod", "registry"),
    ("py:func", "ad_sf"),
    ("py:func", "default_orthogonality_rtol"),
    ("py:class", "UsageError"),  # named in Raises: sections by its short name
    ("py:class", "ModelFault"),  # likewise
    ("py:class", "initcheck.planning.VerdictPlan"),  # the verdict's plan: planning.py has no page yet
    ("py:class", "initcheck.planning.PlannedShape"),  # the planner has no reference page yet
]

_BARS = re.compile(r"(?<![\\`|\w])\|(?=\S)([^|`\n]*?\S)\|(?![`|\w])")
_LITERAL = re.compile(r"(``.+?``)")


def _escape_absolute_values(app, what, name, obj, options, lines):
    """Docstrings write absolute values and norms as ``|x|``; reST reads ``|x|`` as a
    substitution reference. Escape such bars (outside literals and tables) so they
    show as written."""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("+") or (
            stripped.startswith("|") and stripped.endswith("|") and " | " in stripped
        ):
            continue  # a grid table's border or row
        parts = _LITERAL.split(line)
        parts[::2] = [_BARS.sub(r"\\|\1\\|", p) for p in parts[::2]]
        lines[i] = "".join(parts)


def _drop_type_docstrings(app, what, name, obj, options, lines):
    """A constant without a doc comment would show its type's docstring ("Convert a
    string or number to a floating point number" for a float): show nothing instead."""
    if what in ("data", "attribute") and lines:
        own = inspect.getdoc(type(obj)) or ""
        if "\n".join(lines).strip() == own.strip():
            lines.clear()


def _resolve_reexports(app, env, node, contnode):
    """``initcheck.check`` and friends are re-exports, documented in their home
    modules: resolve a reference to the top-level name (``:func:`initcheck.check```,
    or ``:func:`check``` in the top-level docstring) to the home module's entry."""
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"]
    if target.startswith("initcheck.") and target.count(".") == 1:
        name = target.split(".", 1)[1]  # initcheck.check, written out
    elif node.get("py:module") == "initcheck" and "." not in target:
        name = target  # :func:`check` in the top-level docstring
    else:
        return None
    home = getattr(getattr(initcheck, name, None), "__module__", None)
    if home is None or home == "initcheck":
        return None
    py = env.get_domain("py")
    return py.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], f"{home}.{name}", node, contnode
    )


def setup(app):
    app.connect("missing-reference", _resolve_reexports)
    app.connect("autodoc-process-docstring", _drop_type_docstrings)
    app.connect("autodoc-process-docstring", _escape_absolute_values)


# --- doctest ----------------------------------------------------------------------
# Only the explicit {doctest}/{testcode} blocks of the pages run here. The `>>>`
# examples inside docstrings run in their own modules' namespaces instead, in
# tests/docs/test_docstring_examples.py (here they would lack their imports).
doctest_test_doctest_blocks = ""
doctest_global_setup = ""

# --- plots --------------------------------------------------------------------------
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {
    "figure.figsize": (7.5, 3.6),
    "font.size": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
plot_apply_rcparams = True

# --- text generated by the build ------------------------------------------------------
# Command outputs shown on the pages are produced here, at build time, by the
# installed initcheck, and included: they cannot drift. The plain-text tables of
# `initcheck laws` and `initcheck verify --list` are 130-150 columns wide, fixed
# for a terminal; on the page their rows become a Markdown table, cell for cell,
# whose prose wraps to the article's width.
GENERATED = Path(__file__).parent / "_build" / "generated"
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def _cli_output(*argv: str) -> str:
    from initcheck.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    if code != 0:
        raise RuntimeError(f"initcheck {' '.join(argv)} exited {code} while building the docs")
    return out.getvalue()


def _text_table(text: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a table printed by :func:`initcheck.report.table`.

    Its second line is a rule of dashes per column; a line whose first column is
    blank continues the row above (a wrapped cell), and its pieces are joined
    with spaces, as the wrapping split them."""
    lines = text.rstrip("\n").split("\n")
    spans = [m.span() for m in re.finditer(r"-+", lines[1])]
    if not spans or "".join(lines[1].split()) != "-" * sum(b - a for a, b in spans):
        raise RuntimeError(f"not a table with a rule of dashes: {lines[:2]!r}")
    # the last column runs to the end of its lines
    cuts = [a for a, _ in spans] + [None]

    def cells(line: str) -> list[str]:
        return [line[a:b].strip() for a, b in itertools.pairwise(cuts)]

    header, rows = cells(lines[0]), []
    for line in lines[2:]:
        parts = cells(line)
        if parts[0] or not rows:
            rows.append(parts)
        else:
            rows[-1] = [f"{c} {p}".strip() for c, p in zip(rows[-1], parts)]
    return header, rows


def _markdown_table(
    header: list[str], rows: list[list[str]], *, code: set[int], names: set[int]
) -> str:
    """A Markdown table: the columns in ``code`` as one code span, those in ``names``
    as comma-separated names, each a code span, the others as text (every ASCII
    punctuation character escaped, so that no formula reads as Markdown)."""

    def cell(i: int, text: str) -> str:
        if i in code:
            return f"`{text}`" if text else ""
        if i in names:
            return ", ".join(f"`{name.strip()}`" for name in text.split(",") if name.strip())
        return _PUNCTUATION.sub(r"\\\1", text)

    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(i, c) for i, c in enumerate(row)) + " |" for row in rows]
    return "\n".join(out) + "\n"


def _generate() -> None:
    GENERATED.mkdir(parents=True, exist_ok=True)
    outputs = {
        "laws.md": (("laws",), {"code": {0}, "names": {1}}),  # law, aliases, formula
        "verify-list.md": (("verify", "--list"), {"code": {0}, "names": set()}),
    }
    for name, (argv, kinds) in outputs.items():
        header, rows = _text_table(_cli_output(*argv))
        if argv[0] == "verify":  # the parse must give back every claim, in order
            from initcheck.claims import CLAIMS

            ids = [r[0] for r in rows]
            if ids != [c.id for c in CLAIMS]:
                raise RuntimeError(f"initcheck verify --list parsed into rows {ids}")
        text = _markdown_table(header, rows, **kinds)
        target = GENERATED / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


_generate()
os.environ.setdefault("MPLBACKEND", "Agg")
