"""Every public name of initcheck has an entry in the API reference.

Reads the sources of ``docs/api/`` (no Sphinx needed, so it runs in the
default test environment too). A public name is anything in a module's
``__all__``; it is documented when an autodoc or ``py:`` directive names it
with its full dotted path, e.g. ``.. autofunction:: initcheck.init.xavier_uniform``.
The modules checked are :data:`REQUIRED_MODULES` and every module the API
pages document.
"""

from __future__ import annotations

import importlib

import pytest

from tests.docs._docs import (
    API,
    REQUIRED_MODULES,
    api_directives,
    documented_modules,
    documented_names,
)


def _checked_modules() -> list[str]:
    return sorted(set(REQUIRED_MODULES) | documented_modules())


def test_every_required_module_has_an_api_page() -> None:
    missing = sorted(set(REQUIRED_MODULES) - documented_modules())
    assert not missing, (
        f"these modules must have an `.. automodule::` entry in {API.relative_to(API.parents[1])}/, "
        f"got none for: {', '.join(missing)}"
    )


@pytest.mark.parametrize("module", _checked_modules())
def test_every_public_name_is_documented(module: str) -> None:
    mod = importlib.import_module(module)
    public = getattr(mod, "__all__", None)
    assert public is not None, f"{module} must define __all__ (it has an API page)"
    documented = documented_names()
    missing = [name for name in public if f"{module}.{name}" not in documented]
    assert not missing, (
        f"every public name of {module} must be documented in docs/api/, but "
        f"{len(missing)} are not: "
        + ", ".join(f"{module}.{n}" for n in missing)
        + " (add e.g. `.. autofunction:: "
        + f"{module}.{missing[0]}` to the module's page)"
    )


def test_reexports_point_to_a_documented_home() -> None:
    """``initcheck.check`` is documented as a re-export; its home entry must exist too."""
    import initcheck

    documented = documented_names()
    bad = []
    for name in initcheck.__all__:
        obj = getattr(initcheck, name)
        home = getattr(obj, "__module__", "initcheck")
        if home != "initcheck" and f"{home}.{name}" not in documented:
            bad.append(f"initcheck.{name} (home {home}.{name})")
    assert not bad, (
        f"re-exported names must be documented in their home module, got undocumented: {bad}"
    )


def test_every_documented_name_exists() -> None:
    """An entry for a name that was renamed or removed is stale (autodoc would fail the build)."""
    stale = []
    for kind, target, page in api_directives():
        parts = target.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            try:
                for attr in parts[cut:]:
                    obj = getattr(obj, attr)
            except AttributeError:
                stale.append(f"{page.name}: {kind}:: {target}")
            break
        else:
            stale.append(f"{page.name}: {kind}:: {target}")
    assert not stale, f"API entries must name existing objects, got stale entries: {stale}"
