"""The derivation pages keep their shape, and point at claims and tests that exist.

Reads the Markdown sources (no Sphinx needed).
"""

from __future__ import annotations

import re

import pytest

from initcheck.claims import CLAIMS
from tests.docs._docs import DOCS, REPO

SECTIONS = ("Claim", "Assumptions", "Derivation", "Check it", "Where it is tested")
CHAPTER = sorted((DOCS / "chapter").glob("*.md"))
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)

#: claims whose registry entry names a test file that does not exist yet; a claim leaves this
#: table when its file appears (the test below then says so)
KNOWN_MISSING_TEST_FILES: dict[str, str] = {}

_FENCE = re.compile(r"^(`{3,}).*?^\1\s*$", re.DOTALL | re.MULTILINE)


def _prose(text: str) -> str:
    """The page without its fenced blocks."""
    return _FENCE.sub("", text)


@pytest.mark.parametrize("page", CHAPTER, ids=lambda p: p.stem)
def test_derivation_page_has_the_five_sections_in_order(page) -> None:
    headings = re.findall(r"^## (.+?)\s*$", page.read_text(encoding="utf-8"), re.MULTILINE)
    assert headings == list(SECTIONS), (
        f"{page.name} must have the sections {SECTIONS}, in order, got {headings}"
    )


@pytest.mark.parametrize("page", CHAPTER, ids=lambda p: p.stem)
def test_check_it_runs_something(page) -> None:
    text = page.read_text(encoding="utf-8")
    check_it = text.split("## Check it", 1)[1].split("## Where it is tested", 1)[0]
    assert "```{doctest}" in check_it or "```{testcode}" in check_it, (
        f"{page.name}: 'Check it' must contain a {{doctest}} or {{testcode}} block, got none"
    )


def test_every_claim_has_a_derivation_page() -> None:
    named = set()
    for page in CHAPTER:
        named |= set(
            re.findall(r"^([a-z]+\.[a-z0-9-]+) -> ", page.read_text(encoding="utf-8"), re.MULTILINE)
        )
    ids = {c.id for c in CLAIMS}
    assert ids <= named, (
        f"every claim of the registry must be listed on a derivation page, missing: {sorted(ids - named)}"
    )
    assert named <= ids, (
        f"derivation pages must list existing claims only, got unknown: {sorted(named - ids)}"
    )


def test_test_files_named_in_prose_exist() -> None:
    missing = []
    for page in PAGES:
        for path in set(
            re.findall(r"`(tests/[\w/.-]+\.py)`", _prose(page.read_text(encoding="utf-8")))
        ):
            if not (REPO / path).is_file():
                missing.append(f"{page.relative_to(DOCS)}: {path}")
    assert not missing, f"test files named by the docs must exist, got: {missing}"


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_each_claims_test_file_exists(claim) -> None:
    exists = (REPO / claim.tests).is_file()
    if claim.id in KNOWN_MISSING_TEST_FILES:
        assert not exists, (
            f"{claim.tests} exists now: remove {claim.id!r} from KNOWN_MISSING_TEST_FILES in {__file__}"
        )
        return
    assert exists, f"claim {claim.id} names its test file {claim.tests!r}, which must exist"


def test_front_page_commands_are_the_readmes() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, re.DOTALL)
    assert block, "README.md must open with a ```bash block of commands"
    assert f"```bash\n{block.group(1)}```" in index, (
        "docs/index.md must show README.md's commands exactly, got a different block; README has:\n"
        + block.group(1)
    )
