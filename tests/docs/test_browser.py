"""The built pages, as a reader sees them: typeset math and loaded plots, offline.

Headless Chromium (Debian's ``chromium``, installed by ``docs/install-chromium.sh``)
opens the HTML that ``sphinx-build -b html docs docs/_build/html`` wrote, with
every host name made unresolvable (``--host-resolver-rules``), so a page that
needed the network for MathJax or an image would fail here even on a machine
that has one.

How it checks:

* **Math.** For every page whose HTML has math (elements of class ``math``),
  ``chromium --dump-dom`` prints the DOM after MathJax ran (``--virtual-time-budget``
  lets the page's scripts finish first). The page passes when it has at least
  one MathJax output element (``<mjx-container>``) per math element, and no
  raw TeX (``$$``, ``\\(``, ``\\[``, ``\\frac``, ``\\sqrt``, ``\\begin{``) is left in
  its text nodes outside ``<script>``, ``<style>``, ``<pre>``, ``<code>`` and
  MathJax's own output.
* **Plots.** ``naturalWidth`` is a property of a loaded image, not an
  attribute, so a DOM dump cannot show it. A small harness page (written to a
  temporary directory, not into the build) loads every page with images in an
  ``<iframe>``, waits for the frame's ``load`` event and for each image's
  ``decode()``, and writes what it finds (``src``, ``complete``,
  ``naturalWidth``) into its own DOM as JSON, which ``--dump-dom`` then prints.
  Reading a ``file://`` frame's document needs ``--allow-file-access-from-files``;
  the pages themselves are loaded as they are, nothing is injected into them.
  Every ``<img>`` must be complete with a non-zero ``naturalWidth``, and every
  plot of the build (``_images/*.png``) must be shown by some page.
* **Offline by construction.** No ``<script>``, ``<img>`` or stylesheet of the
  built pages may point to an ``http(s)://`` address.

Skipped, with the reason, when the built HTML or Chromium is missing, unless
``INITCHECK_DOCS_REQUIRE_BROWSER=1`` (set by ``tox -e docs``), which turns the
skip into a failure.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.docs._docs import DOCS

HTML = Path(os.environ.get("INITCHECK_DOCS_HTML", DOCS / "_build" / "html"))
CHROMIUM = os.environ.get("INITCHECK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = os.environ.get("INITCHECK_DOCS_REQUIRE_BROWSER") == "1"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing resolves: the pages must work offline
)
VIRTUAL_TIME_MS = 10_000
TIMEOUT_S = 120
RAW_TEX = ("$$", "\\(", "\\)", "\\[", "\\]", "\\frac", "\\sqrt", "\\begin{")
SKIP_DIRS = {"_static", "_sources", "_modules", "_images", "plot_directive"}
SKIP_PAGES = {"genindex.html", "search.html", "py-modindex.html"}


def _unavailable() -> str | None:
    if not (HTML / "index.html").is_file():
        return f"the built HTML is absent ({HTML / 'index.html'}): run `sphinx-build -b html docs docs/_build/html` (tox -e docs does)"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium is absent ({CHROMIUM}): run `bash docs/install-chromium.sh` (tox -e docs does)"
    return None


@pytest.fixture(scope="module", autouse=True)
def _browser_available() -> None:
    reason = _unavailable()
    if reason is None:
        return
    if REQUIRED:
        pytest.fail(f"INITCHECK_DOCS_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def _pages() -> list[Path]:
    if not HTML.is_dir():
        return []
    return sorted(
        p
        for p in HTML.rglob("*.html")
        if not (set(p.relative_to(HTML).parts[:-1]) & SKIP_DIRS) and p.name not in SKIP_PAGES
    )


def _chromium(args: list[str], workdir: Path) -> str:
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=workdir)
    cmd = [
        CHROMIUM,
        *FLAGS,
        f"--user-data-dir={profile}",
        f"--virtual-time-budget={VIRTUAL_TIME_MS}",
        *args,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    assert done.returncode == 0, (
        f"chromium must exit 0, got {done.returncode}: {done.stderr[-2000:]}"
    )
    return done.stdout


class _Text(HTMLParser):
    """Text nodes outside script, style, pre, code and MathJax's output; and the mjx-container count."""

    SKIP = frozenset({"script", "style", "pre", "code", "mjx-container", "textarea"})

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.stack: list[str] = []
        self.text: list[str] = []
        self.mjx = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "mjx-container":
            self.mjx += 1
        if tag in self.SKIP:
            self.depth += 1
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth == 0:
            self.text.append(data)


def _static_math_count(page: Path) -> int:
    return len(re.findall(r'class="math[ "]', page.read_text(encoding="utf-8")))


def test_every_page_is_offline() -> None:
    remote = []
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        for tag, attr in (("script", "src"), ("img", "src"), ("link", "href")):
            for m in re.finditer(rf"<{tag}\b[^>]*\b{attr}=\"(https?://[^\"]+)\"", text):
                if tag == "link" and "stylesheet" not in m.group(0):
                    continue
                remote.append(f"{page.relative_to(HTML)}: <{tag} {attr}={m.group(1)}>")
    assert not remote, f"built pages must load nothing from the network, got: {remote}"


def test_math_is_typeset(tmp_path: Path) -> None:
    pages = [p for p in _pages() if _static_math_count(p) > 0]
    assert len(pages) >= 10, (
        f"expected the derivation pages to have math, got {len(pages)} pages with math"
    )

    def check(page: Path) -> str | None:
        dom = _chromium(["--dump-dom", page.as_uri()], tmp_path)
        parser = _Text()
        parser.feed(dom)
        expected = _static_math_count(page)
        name = page.relative_to(HTML)
        if parser.mjx < expected:
            return f"{name}: {parser.mjx} <mjx-container> for {expected} math elements"
        text = "".join(parser.text)
        raw = [t for t in RAW_TEX if t in text]
        if raw:
            where = text.find(raw[0])
            return f"{name}: raw TeX {raw} left in the text, e.g. {text[max(0, where - 40) : where + 40]!r}"
        return None

    with ThreadPoolExecutor(max_workers=3) as pool:
        problems = [p for p in pool.map(check, pages) if p]
    assert not problems, "every formula must be typeset by MathJax, got:\n" + "\n".join(problems)


_HARNESS = """<!doctype html>
<html><head><meta charset="utf-8"><title>image harness</title></head>
<body><pre id="result">pending</pre>
<script>
const pages = %s;
async function inspect(url) {
  const frame = document.createElement("iframe");
  frame.style.width = "1200px";
  frame.style.height = "900px";
  const loaded = new Promise(resolve => { frame.onload = resolve; });
  frame.src = url;
  document.body.appendChild(frame);
  await loaded;
  const doc = frame.contentDocument;
  const images = Array.from(doc.images);
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  return {url: url, images: images.map(img => ({
    src: img.getAttribute("src"), complete: img.complete, naturalWidth: img.naturalWidth}))};
}
(async () => {
  const out = [];
  for (const url of pages) {
    try { out.push(await inspect(url)); } catch (e) { out.push({url: url, error: String(e)}); }
  }
  document.getElementById("result").textContent = JSON.stringify(out);
})();
</script></body></html>
"""


def test_every_plot_image_loads(tmp_path: Path) -> None:
    pages = [p for p in _pages() if "<img" in p.read_text(encoding="utf-8")]
    plots = sorted(p.name for p in (HTML / "_images").glob("*.png"))
    assert plots, f"the build must have drawn plots into {HTML / '_images'}, got none"
    harness = tmp_path / "harness.html"
    harness.write_text(_HARNESS % json.dumps([p.as_uri() for p in pages]), encoding="utf-8")
    dom = _chromium(["--allow-file-access-from-files", "--dump-dom", harness.as_uri()], tmp_path)
    m = re.search(r'<pre id="result">(.*?)</pre>', dom, re.DOTALL)
    assert m and m.group(1) != "pending", (
        f"the harness must report within the time budget, got: {dom[-500:]!r}"
    )
    results = json.loads(html.unescape(m.group(1)))
    broken, shown = [], set()
    for page in results:
        assert "error" not in page, f"harness could not inspect {page['url']}: {page.get('error')}"
        for img in page["images"]:
            shown.add(Path(img["src"]).name)
            if not img["complete"] or img["naturalWidth"] <= 0:
                broken.append(f"{page['url']}: {img}")
    assert not broken, "every image must load (complete, naturalWidth > 0), got:\n" + "\n".join(
        broken
    )
    missing = sorted(set(plots) - shown)
    assert not missing, f"every plot of the build must be shown by a page, got unshown: {missing}"
