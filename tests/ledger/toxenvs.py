"""What a full CI run (``tox``, every env of ``env_list``) runs: read from ``tox.ini``.

For each env: the pytest invocations of its ``commands`` (paths, node ids,
``--ignore``, ``--deselect``, ``-k``, ``-m``) and the packages it installs (the
package's dependencies and ``extras`` from ``pyproject.toml``, and its ``deps``),
so that a test module that skips without a framework counts only where the
framework is installed. A command or an option that could change what pytest
selects and that this reader does not understand is an error, not a guess.
"""

from __future__ import annotations

import configparser
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

#: pytest options that do not change which tests run (with the number of values they take)
NEUTRAL_OPTIONS = {
    "-q": 0,
    "-v": 0,
    "-vv": 0,
    "-s": 0,
    "-x": 0,
    "-l": 0,
    "--quiet": 0,
    "--verbose": 0,
    "--exitfirst": 0,
    "--strict-markers": 0,
    "--strict-config": 0,
    "--no-header": 0,
    "--showlocals": 0,
    "-p": 1,
    "-W": 1,
    "-r": 1,
    "--tb": 1,
    "--color": 1,
    "--durations": 1,
    "--maxfail": 1,
    "-n": 1,
    "--basetemp": 1,
    "--junitxml": 1,
    "--import-mode": 1,
}
#: selection options, with the field of :class:`Run` they fill
SELECTING = {
    "--ignore": "ignore",
    "--ignore-glob": "ignore_glob",
    "--deselect": "deselect",
    "-k": "keyword",
    "-m": "markexpr",
}
#: distributions whose import name differs from their (normalized) name
IMPORT_NAMES = {"tensorflow-cpu": "tensorflow", "tensorflow-gpu": "tensorflow", "jaxlib": "jaxlib"}


class ToxError(Exception):
    """tox.ini says something this reader cannot turn into a test selection."""


@dataclass(frozen=True)
class Run:
    """One pytest invocation: what it selects."""

    paths: tuple[str, ...]
    ignore: tuple[str, ...] = ()
    ignore_glob: tuple[str, ...] = ()
    deselect: tuple[str, ...] = ()
    keyword: str | None = None
    markexpr: str | None = None


@dataclass(frozen=True)
class Env:
    name: str
    runs: tuple[Run, ...]
    provides: frozenset[str]  # import names of what is installed


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def import_name(distribution: str) -> str:
    norm = normalize(distribution)
    return IMPORT_NAMES.get(norm, norm.replace("-", "_"))


def read_envs(
    repo: Path, tox_text: str | None = None, pyproject_text: str | None = None
) -> list[Env]:
    """The envs of ``env_list``, in order."""
    ini = configparser.ConfigParser(interpolation=None, strict=False)
    ini.optionxform = str  # type: ignore[assignment,method-assign]
    ini.read_string(
        tox_text if tox_text is not None else (repo / "tox.ini").read_text(encoding="utf-8")
    )
    project = tomllib.loads(
        pyproject_text
        if pyproject_text is not None
        else (repo / "pyproject.toml").read_text(encoding="utf-8")
    )
    names = _list(ini.get("tox", "env_list", fallback=ini.get("tox", "envlist", fallback="")))
    if not names:
        raise ToxError("tox.ini: [tox] env_list is empty")
    testpaths = tuple(
        project.get("tool", {}).get("pytest", {}).get("ini_options", {}).get("testpaths", ())
    )
    return [_env(ini, project, name, repo, testpaths) for name in names]


def _list(text: str) -> list[str]:
    return [n.strip() for n in re.split(r"[,\s]+", text) if n.strip()]


def _value(ini: configparser.ConfigParser, env: str, key: str) -> str | None:
    """An env's setting, else [testenv]'s (tox 4 inheritance), with {[section]key} substituted."""
    for section in (f"testenv:{env}", "testenv"):
        if ini.has_option(section, key):
            return _substitute(ini, ini.get(section, key))
    return None


def _substitute(ini: configparser.ConfigParser, text: str) -> str:
    def ref(match: re.Match[str]) -> str:
        section, key = match.group(1), match.group(2)
        if not ini.has_option(section, key):
            raise ToxError(f"tox.ini: {{[{section}]{key}}} names no setting")
        return _substitute(ini, ini.get(section, key))

    return re.sub(r"\{\[([^\]]+)\]([\w-]+)\}", ref, text)


def _lines(text: str, env: str) -> list[str]:
    """Setting lines, joined at trailing backslashes, with tox factor conditions applied."""
    joined = re.sub(r"\\\s*\n\s*", " ", text)
    factors = set(env.split("-"))
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cond = re.match(r"^([\w!,-]+):\s+(.*)$", line)
        if cond and not cond.group(1).startswith(("-", "http")):
            wanted = cond.group(1).split(",")
            if not any(
                (f[1:] not in factors) if f.startswith("!") else (f in factors) for f in wanted
            ):
                continue
            line = cond.group(2)
        out.append(line)
    return out


def _env(
    ini: configparser.ConfigParser, project: dict, name: str, repo: Path, testpaths: tuple[str, ...]
) -> Env:
    if not ini.has_section(f"testenv:{name}") and not ini.has_section("testenv"):
        raise ToxError(f"tox.ini: env {name!r} of env_list has no [testenv:{name}] or [testenv]")
    runs = []
    for line in _lines(_value(ini, name, "commands") or "", name):
        argv = _argv(line, repo)
        if argv is not None:
            runs.append(_run(argv, name, testpaths))
    return Env(name, tuple(runs), _provides(ini, project, name))


def _argv(line: str, repo: Path) -> list[str] | None:
    """A pytest command's arguments, or None for a command that is not pytest."""
    line = line.lstrip("-! ").strip()
    line = re.sub(r"\{posargs(?::([^}]*))?\}", lambda m: m.group(1) or "", line)
    for key in ("tox_root", "toxinidir"):
        line = line.replace("{" + key + "}", str(repo))
    argv = shlex.split(line)
    if not argv:
        return None
    program = Path(argv[0]).name
    if program in ("pytest", "py.test"):
        return argv[1:]
    if re.fullmatch(r"(python[\d.]*|\{envpython\})", program) and argv[1:3] == ["-m", "pytest"]:
        return argv[3:]
    if any("pytest" in a for a in argv):
        raise ToxError(
            f"tox.ini: a command that runs pytest in a way this reader does not know: {line}"
        )
    return None


def _run(argv: list[str], env: str, testpaths: tuple[str, ...]) -> Run:
    paths: list[str] = []
    fields: dict[str, list[str]] = {v: [] for v in SELECTING.values()}
    i = 0
    while i < len(argv):
        arg = argv[i]
        option, eq, inline = arg.partition("=")
        short = next(
            (o for o in SELECTING if len(o) == 2 and arg.startswith(o) and len(arg) > 2), None
        )
        if option in SELECTING or short:
            key = option if option in SELECTING else short
            if eq:
                value = inline
            elif short and option not in SELECTING:
                value = arg[2:]
            else:
                i += 1
                if i >= len(argv):
                    raise ToxError(f"tox.ini [{env}]: {arg} without a value")
                value = argv[i]
            fields[SELECTING[key]].append(value)  # type: ignore[index]
        elif option in NEUTRAL_OPTIONS:
            i += 0 if eq else NEUTRAL_OPTIONS[option]
        elif NEUTRAL_OPTIONS.get(arg[:2]) == 1:  # a value attached: -pno:cacheprovider, -Werror
            pass
        elif arg.startswith("-"):
            raise ToxError(
                f"tox.ini [{env}]: pytest option {arg!r} may change what runs: teach "
                "tests/ledger/toxenvs.py what it does"
            )
        else:
            paths.append(arg)
        i += 1
    for key in ("keyword", "markexpr"):
        if len(fields[key]) > 1:
            raise ToxError(f"tox.ini [{env}]: more than one {key} option")
    return Run(
        tuple(paths) or testpaths,
        tuple(fields["ignore"]),
        tuple(fields["ignore_glob"]),
        tuple(fields["deselect"]),
        fields["keyword"][0] if fields["keyword"] else None,
        fields["markexpr"][0] if fields["markexpr"] else None,
    )


def _provides(ini: configparser.ConfigParser, project: dict, name: str) -> frozenset[str]:
    requirements: list[str] = []
    skip = (_value(ini, name, "skip_install") or "").strip().lower() == "true" or (
        (_value(ini, name, "package") or "").strip() == "skip"
    )
    if not skip:
        requirements += project.get("project", {}).get("dependencies", [])
        extras = project.get("project", {}).get("optional-dependencies", {})
        for extra in _list(_value(ini, name, "extras") or ""):
            if extra not in extras:
                raise ToxError(f"tox.ini [{name}]: extra {extra!r} is not in pyproject.toml")
            requirements += extras[extra]
    requirements += _lines(_value(ini, name, "deps") or "", name)
    provided = set()
    for text in requirements:
        if text.startswith(("-r", "-c", "-e", ".", "/")):
            raise ToxError(f"tox.ini [{name}]: deps line {text!r}: name the packages")
        try:
            provided.add(import_name(Requirement(text).name))
        except InvalidRequirement as err:
            raise ToxError(f"tox.ini [{name}]: deps line {text!r}: {err}") from None
    return frozenset(provided)
