"""What the docs tests share: where the sources are, and what the API pages document."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
API = DOCS / "api"

#: modules whose every public name (``__all__``) must have an entry in the API pages
REQUIRED_MODULES = (
    "initcheck",
    "initcheck.init",
    "initcheck.fans",
    "initcheck.laws",
    "initcheck.verdict",
    "initcheck.stats",
    "initcheck.mlp",
    "initcheck.activations",
    "initcheck.losses",
    "initcheck.products",
    "initcheck.depth",
    "initcheck.distributions",
    "initcheck.claims",
)

_DIRECTIVE = re.compile(
    r"^\s*\.\.\s+(?P<kind>auto(?:module|class|function|data|exception|attribute|method)"
    r"|py:(?:module|class|function|data|exception|attribute|method))::\s*(?P<target>[\w.]+)",
    re.MULTILINE,
)


def api_directives() -> list[tuple[str, str, Path]]:
    """Every (directive, target, page) of the API pages' sources."""
    found = []
    for page in sorted(API.glob("*.md")) + sorted(API.glob("*.rst")):
        for m in _DIRECTIVE.finditer(page.read_text(encoding="utf-8")):
            found.append((m.group("kind"), m.group("target"), page))
    return found


def documented_modules() -> set[str]:
    return {t for kind, t, _ in api_directives() if kind in ("automodule", "py:module")}


def documented_names() -> set[str]:
    return {t for kind, t, _ in api_directives() if kind not in ("automodule", "py:module")}
