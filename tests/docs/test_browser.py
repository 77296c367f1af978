"""The built pages, as a reader sees them, offline, in a 1280-px-wide window.

Headless Chromium (Debian's ``chromium``, installed by ``docs/install-chromium.sh``)
opens the HTML that ``sphinx-build -b html docs docs/_build/html`` wrote, with
every host name but 127.0.0.1 made unresolvable (``--host-resolver-rules``), so a
page that needed the network for MathJax, a font, an icon or an image would fail
here even on a machine that has one.

How it checks:

* **Math.** For every page whose HTML has math (elements of class ``math``),
  ``chromium --dump-dom`` prints the DOM after MathJax ran (``--virtual-time-budget``
  lets the page's scripts finish first). The page passes when it has at least
  one MathJax output element (``<mjx-container>``) per math element, and no
  raw TeX (``$$``, ``\\(``, ``\\[``, ``\\frac``, ``\\sqrt``, ``\\begin{``) is left in
  its text nodes outside ``<script>``, ``<style>``, ``<pre>``, ``<code>`` and
  MathJax's own output.
* **The reader harness.** What a DOM dump cannot show (an image's
  ``naturalWidth``, an element's ``scrollWidth``, what a click copies) is read
  by a small harness page written to a temporary directory, not into the
  build. It loads every page of the build (search and index pages too), one
  after the other, in a 1280 x 900 ``<iframe>``: the frame is the page's
  viewport, so the theme lays the page out as in a 1280-px window. It waits
  for the frame's ``load`` event, MathJax's first typesetting, the fonts, the
  images and the copy buttons (each wait bounded, so that a stuck page fails
  alone and by name), measures, and writes what it measured into its own DOM
  as JSON, which ``--dump-dom`` prints. Reading a ``file://`` frame's document
  needs ``--allow-file-access-from-files``; nothing is injected into the pages
  before they load. Chromium runs it once, with a network log
  (``--log-net-log``). From that one run:

  - **Plots.** Every ``<img>`` is complete with a non-zero ``naturalWidth``,
    and every plot of the build (``_images/*.png``) is shown by some page.
  - **Copy buttons.** Every code block (``pre``) of every page has its copy
    button, and clicking it copies the code and nothing else: for a block
    with ``>>>`` prompts, exactly its ``>>>`` / ``...`` lines without the
    prompt (no output lines), which compile as Python; for any other block,
    its text. The harness clicks the real button; the page's copy handler
    (sphinx-copybutton through clipboard.js) puts the text in a hidden
    ``<textarea>`` and calls ``document.execCommand("copy")``, which the
    harness replaces, on that page's document only and just for the click,
    by a function that records the textarea's value: a headless browser has
    no clipboard to read back, and a script's click is not a user gesture
    that may write one.
  - **Fits at 1280 px.** No code block needs scrolling (``scrollWidth <=
    clientWidth``) and every one keeps ``white-space: pre`` (so that a long
    line cannot hide by wrapping); no table is wider than its container or
    reaches past the article; no page scrolls sideways.
  - **Offline.** The network log has no request made for a page (its
    ``initiator`` is an origin) to an ``http(s)``/``ws(s)`` address, and no
    page's resource timing lists one. Chromium's own background requests
    (made for no page) are not the pages'. The harness itself requests one
    unresolvable address first: the log must show it, or an empty log would
    prove nothing.

* **Search.** ``search.html?q=Xavier`` is opened from the file system and from
  a server on 127.0.0.1 (started by the test, in a thread). The results must
  list the Xavier page, and every result link must point to a page of the
  build.
* **Offline by construction.** No ``<script>``, ``<img>`` or stylesheet of the
  built pages may point to an ``http(s)://`` address.

Skipped, with the reason, when the built HTML or Chromium is missing, unless
``INITCHECK_DOCS_REQUIRE_BROWSER=1`` (set by ``tox -e docs``), which turns the
skip into a failure.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

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
    # nothing resolves but the test's own server: the pages must work offline
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
VIRTUAL_TIME_MS = 10_000
#: the harness visits every page in one run; virtual time only passes while the pages
#: wait (timers), so this is a bound, not a duration
HARNESS_VIRTUAL_TIME_MS = 600_000
TIMEOUT_S = 300
WIDTH_PX = 1280  # the window width at which every page must fit
RAW_TEX = ("$$", "\\(", "\\)", "\\[", "\\]", "\\frac", "\\sqrt", "\\begin{")
SKIP_DIRS = {"_static", "_sources", "_modules", "_images", "plot_directive"}
SKIP_PAGES = {"genindex.html", "search.html", "py-modindex.html"}
PROMPTS = (">>> ", "... ")  # the pycon prompts that a copy leaves out
#: a word of the Xavier page, and that page: what the offline search must find
SEARCH_WORD = "Xavier"
SEARCH_PAGE = "chapter/xavier.html"
#: a request the harness makes itself, to show that the network log catches requests
PROBE = "http://offline-probe.initcheck.invalid/probe"
REMOTE = re.compile(r"\b(?:https?|wss?)://[^\s\"'<>]+")


def _unavailable() -> str | None:
    if not (HTML / "index.html").is_file():
        return (
            f"the built HTML is absent ({HTML / 'index.html'}): run"
            " `sphinx-build -b html docs docs/_build/html` (tox -e docs does)"
        )
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return (
            f"Chromium is absent ({CHROMIUM}): run `bash docs/install-chromium.sh`"
            " (tox -e docs does)"
        )
    return None


@pytest.fixture(scope="module", autouse=True)
def _browser_available() -> None:
    reason = _unavailable()
    if reason is None:
        return
    if REQUIRED:
        pytest.fail(f"INITCHECK_DOCS_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def _pages(*, every: bool = False) -> list[Path]:
    """The content pages of the build (``every``: with the search and index pages)."""
    if not HTML.is_dir():
        return []
    return sorted(
        p
        for p in HTML.rglob("*.html")
        if not (set(p.relative_to(HTML).parts[:-1]) & SKIP_DIRS)
        and (every or p.name not in SKIP_PAGES)
    )


def _chromium(args: list[str], workdir: Path, *, budget_ms: int = VIRTUAL_TIME_MS) -> str:
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=workdir)
    cmd = [
        CHROMIUM,
        *FLAGS,
        f"--user-data-dir={profile}",
        f"--virtual-time-budget={budget_ms}",
        *args,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    assert done.returncode == 0, (
        f"chromium must exit 0, got {done.returncode}: {done.stderr[-2000:]}"
    )
    return done.stdout


class _Text(HTMLParser):
    """Text nodes outside script, style, pre, code and MathJax's output; and the
    mjx-container count."""

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
    for page in _pages(every=True):
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
            around = text[max(0, where - 40) : where + 40]
            return f"{name}: raw TeX {raw} left in the text, e.g. {around!r}"
        return None

    with ThreadPoolExecutor(max_workers=3) as pool:
        problems = [p for p in pool.map(check, pages) if p]
    assert not problems, "every formula must be typeset by MathJax, got:\n" + "\n".join(problems)


# --- the reader harness ---------------------------------------------------------------

_HARNESS = """<!doctype html>
<html><head><meta charset="utf-8"><title>reader harness</title></head>
<body><pre id="result">pending</pre><pre id="progress"></pre>
<script>
const pages = %(pages)s;
const WIDTH = %(width)d;
const PROBE = %(probe)s;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
// where the harness is, for the failure message of a run that did not finish
const step = what => { document.getElementById("progress").textContent = what; };
// a stage that does not finish within ms (of virtual time) fails its page, not the run
const within = (promise, ms, what) => Promise.race([
  promise,
  sleep(ms).then(() => { throw new Error(what + " did not finish within " + ms + " ms"); }),
]);

async function settle(w, doc) {
  step(doc.URL + ": MathJax");
  // MathJax's first typesetting changes the layout: measure after it
  if (w.MathJax && w.MathJax.startup && w.MathJax.startup.promise) {
    await within(w.MathJax.startup.promise, 20000, "MathJax's typesetting");
  }
  step(doc.URL + ": fonts");
  await within(doc.fonts.ready, 10000, "loading the fonts");
  step(doc.URL + ": images");
  // an image's load (or error) event, not its decode(): decoding waits for a drawn
  // frame, which headless Chromium under a virtual time budget may never draw
  const loaded = Array.from(doc.images).map(img => img.complete ? null : new Promise(resolve => {
    img.addEventListener("load", resolve);
    img.addEventListener("error", resolve);
  }));
  await within(Promise.all(loaded), 10000, "loading the images");
  // sphinx-copybutton adds its buttons once clipboard.js has loaded (it polls every 250 ms)
  step(doc.URL + ": copy buttons");
  const copyScript = Array.from(doc.scripts).some(s => /copybutton/.test(s.src));
  const blocks = doc.querySelectorAll("pre").length;
  for (let i = 0; copyScript && i < 40; i++) {
    if (doc.querySelectorAll("button.copybtn").length >= blocks) break;
    await sleep(250);
  }
  // (no requestAnimationFrame: under a virtual time budget headless Chromium draws no
  // frames, and a wait for one never ends; reading sizes forces the layout anyway)
  await sleep(100);
}

function copied(w, doc, button) {
  // what the page's copy handler hands to document.execCommand("copy"): the value of
  // the hidden textarea it has just selected (clipboard.js)
  let text = null;
  const own = doc.execCommand;
  doc.execCommand = function (command) {
    if (command === "copy") {
      const active = doc.activeElement;
      const areas = doc.querySelectorAll("textarea");
      const area = active && active.tagName === "TEXTAREA" ? active : areas[areas.length - 1];
      text = area ? area.value : null;
      return true;
    }
    return own.apply(doc, arguments);
  };
  try { button.click(); } finally { delete doc.execCommand; }
  return text;
}

function copyButtonOf(pre) {
  let next = pre.nextElementSibling;
  while (next && !(next.matches("button.copybtn"))) next = next.nextElementSibling;
  return next;
}

function measure(w, doc) {
  const article = doc.querySelector("article") || doc.body;
  const articleRight = article.getBoundingClientRect().right;
  const blocks = Array.from(doc.querySelectorAll("pre")).map(pre => {
    const holder = pre.closest("div[class*='highlight-']");
    const button = copyButtonOf(pre);
    return {
      language: holder ? holder.className.replace(/^.*highlight-([\\w-]+).*$/, "$1") : null,
      text: pre.innerText,
      shown: pre.getClientRects().length > 0,
      scrollWidth: pre.scrollWidth,
      clientWidth: pre.clientWidth,
      whiteSpace: w.getComputedStyle(pre).whiteSpace,
      button: button !== null,
      copied: button ? copied(w, doc, button) : null,
    };
  });
  const tables = Array.from(doc.querySelectorAll("table")).filter(
    t => t.getClientRects().length > 0 && !t.closest("pre")
  ).map(t => {
    const box = t.getBoundingClientRect();
    const parent = t.parentElement;
    return {
      head: t.innerText.slice(0, 60),
      width: box.width,
      right: box.right,
      articleRight: articleRight,
      parentWidth: parent.clientWidth,
      parentScrollWidth: parent.scrollWidth,
    };
  });
  const root = doc.documentElement;
  return {
    width: w.innerWidth,
    page: {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth},
    blocks: blocks,
    tables: tables,
    images: Array.from(doc.images).map(img => ({
      src: img.getAttribute("src"), complete: img.complete, naturalWidth: img.naturalWidth})),
    resources: w.performance.getEntriesByType("resource").map(e => e.name),
  };
}

async function inspect(url) {
  const frame = document.createElement("iframe");
  frame.style.width = WIDTH + "px";
  frame.style.height = "900px";
  frame.style.border = "0";
  const loaded = new Promise(resolve => { frame.onload = resolve; });
  frame.src = url;
  step(url + ": loading");
  document.body.appendChild(frame);
  try {
    await within(loaded, 20000, "loading the page");
    const w = frame.contentWindow, doc = frame.contentDocument;
    await settle(w, doc);
    step(url + ": measuring");
    return Object.assign({url: url}, measure(w, doc));
  } finally {
    frame.remove();
  }
}

(async () => {
  // the positive control of the network check: one request that must show in the log
  await fetch(PROBE).catch(() => null);
  const out = [];
  for (const url of pages) {
    try { out.push(await inspect(url)); } catch (e) { out.push({url: url, error: String(e)}); }
  }
  document.getElementById("result").textContent = JSON.stringify(out);
})();
</script></body></html>
"""


@pytest.fixture(scope="module")
def reading(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One harness run over every page: ``pages`` (what it measured, by page) and
    ``net`` (the text of Chromium's network log)."""
    workdir = tmp_path_factory.mktemp("reader")
    pages = _pages(every=True)
    harness = workdir / "harness.html"
    harness.write_text(
        _HARNESS
        % {
            "pages": json.dumps([p.as_uri() for p in pages]),
            "width": WIDTH_PX,
            "probe": json.dumps(PROBE),
        },
        encoding="utf-8",
    )
    netlog = workdir / "net.json"
    dom = _chromium(
        [
            "--allow-file-access-from-files",
            f"--window-size={WIDTH_PX + 40},1000",
            f"--log-net-log={netlog}",
            "--net-log-capture-mode=Default",
            "--dump-dom",
            harness.as_uri(),
        ],
        workdir,
        budget_ms=HARNESS_VIRTUAL_TIME_MS,
    )
    m = re.search(r'<pre id="result">(.*?)</pre>', dom, re.DOTALL)
    at = re.search(r'<pre id="progress">(.*?)</pre>', dom, re.DOTALL)
    assert m and m.group(1) != "pending", (
        "the harness must report within the time budget, got no report; it was at "
        + (html.unescape(at.group(1)) if at else f"an unknown step: {dom[-300:]!r}")
    )
    results = json.loads(html.unescape(m.group(1)))
    for page in results:
        assert "error" not in page, f"harness could not inspect {page['url']}: {page.get('error')}"
    assert len(results) == len(pages) > 0
    return {"pages": results, "requests": _page_requests(netlog)}


def _page_requests(netlog: Path) -> list[str]:
    """The URLs of the requests made for a page (the harness's or a frame's), from a
    network log (``--log-net-log``). A request's ``initiator`` is the origin it was made
    for (``null`` for a ``file://`` page); Chromium's own background requests (its clock,
    updater, account checks) are made for no page and have ``not an origin``."""
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        e["params"]["url"]
        for e in log["events"]
        if e["type"] == start
        and "url" in e.get("params", {})
        and e["params"].get("initiator", "not an origin") != "not an origin"
    ]


def _name(page: dict[str, Any]) -> str:
    return str(Path(unquote(urlsplit(page["url"]).path)).relative_to(HTML))


def test_every_plot_image_loads(reading: dict[str, Any]) -> None:
    plots = sorted(p.name for p in (HTML / "_images").glob("*.png"))
    assert plots, f"the build must have drawn plots into {HTML / '_images'}, got none"
    broken, shown = [], set()
    for page in reading["pages"]:
        for img in page["images"]:
            shown.add(Path(img["src"]).name)
            if not img["complete"] or img["naturalWidth"] <= 0:
                broken.append(f"{_name(page)}: {img}")
    assert not broken, "every image must load (complete, naturalWidth > 0), got:\n" + "\n".join(
        broken
    )
    missing = sorted(set(plots) - shown)
    assert not missing, f"every plot of the build must be shown by a page, got unshown: {missing}"


def _blocks(reading: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for page in reading["pages"]:
        for block in page["blocks"]:
            yield _name(page), block


def test_every_example_has_a_copy_button(reading: dict[str, Any]) -> None:
    blocks = list(_blocks(reading))
    doctests = [b for _, b in blocks if b["language"] == "pycon"]
    assert len(blocks) >= 100 and len(doctests) >= 50, (
        f"expected the pages' examples (>= 100 code blocks, >= 50 of them doctests), "
        f"got {len(blocks)} blocks, {len(doctests)} doctests"
    )
    bare = [f"{page}: {b['text'][:60]!r}" for page, b in blocks if not b["button"]]
    assert not bare, f"every code block must have a copy button, got {len(bare)} without:\n" + (
        "\n".join(bare[:20])
    )


def _expected_copy(text: str) -> list[str]:
    """The code of a block: its prompted lines without their prompts when it has
    ``>>>`` prompts (output lines left out), else every line; blank lines aside."""
    lines = text.split("\n")
    if any(line.startswith(PROMPTS[0]) for line in lines):
        lines = [line[len(p) :] for line in lines for p in PROMPTS if line.startswith(p)]
    return [line for line in lines if line.strip()]


def test_copy_gives_the_code_without_prompts_or_output(reading: dict[str, Any]) -> None:
    problems, doctests = [], 0
    for page, block in _blocks(reading):
        if not block["button"]:
            continue  # test_every_example_has_a_copy_button says so
        where = f"{page}: {block['text'][:50]!r}"
        copied = block["copied"]
        if copied is None:
            problems.append(f"{where}: the click copied nothing")
            continue
        got = [line for line in copied.split("\n") if line.strip()]
        expected = _expected_copy(block["text"])
        if got != expected:
            problems.append(f"{where}: copied {got[:4]!r}..., must be {expected[:4]!r}...")
            continue
        if block["language"] == "pycon":
            doctests += 1
            try:
                compile(copied, where, "exec")
            except SyntaxError as e:
                problems.append(f"{where}: the copied code is not Python: {e}")
    assert not problems, "the copy button must copy the code alone, got:\n" + "\n".join(
        problems[:20]
    )
    assert doctests >= 50, f"expected >= 50 doctest blocks to be copied, got {doctests}"


def test_nothing_overflows_at_1280_px(reading: dict[str, Any]) -> None:
    problems = []
    for page in reading["pages"]:
        name = _name(page)
        assert page["width"] == WIDTH_PX, f"{name}: viewport {page['width']} px, not {WIDTH_PX}"
        if page["page"]["scrollWidth"] > page["page"]["clientWidth"]:
            problems.append(f"{name}: the page scrolls sideways ({page['page']})")
        for b in page["blocks"]:
            if not b["shown"]:
                continue
            if b["whiteSpace"] != "pre":
                problems.append(f"{name}: a code block wraps (white-space {b['whiteSpace']})")
            if b["scrollWidth"] > b["clientWidth"]:
                longest = max(b["text"].split("\n"), key=len)
                problems.append(
                    f"{name}: a code block is {b['scrollWidth']} px wide in {b['clientWidth']} px;"
                    f" longest line ({len(longest)} chars): {longest!r}"
                )
        for t in page["tables"]:
            if (
                t["width"] > t["parentWidth"] + 0.5
                or t["parentScrollWidth"] > t["parentWidth"]
                or t["right"] > t["articleRight"] + 0.5
            ):
                problems.append(f"{name}: a table overflows its container: {t}")
    assert not problems, f"every page must fit a {WIDTH_PX}-px window, got:\n" + "\n".join(problems)


def test_no_request_leaves_the_machine(reading: dict[str, Any]) -> None:
    requests = reading["requests"]
    assert PROBE in requests, (
        f"the network log must show the harness's own probe request ({PROBE}), got {requests}:"
        " without it, an empty log proves nothing"
    )
    remote = sorted({r for r in requests if REMOTE.match(r) and r != PROBE})
    assert not remote, f"the pages must request nothing from the network, got: {remote[:20]}"
    for page in reading["pages"]:
        off = [r for r in page["resources"] if REMOTE.match(r)]
        assert not off, f"{_name(page)} must load nothing from the network, got: {off}"


# --- search ------------------------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """The build, served on 127.0.0.1 (an ephemeral port) for as long as the module runs."""
    handler = functools.partial(_Quiet, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _Links(HTMLParser):
    """The links of the search results list (``#search-results``)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attr = dict(attrs)
        if self.depth:
            self.depth += tag not in ("br", "img", "input", "meta", "link", "hr")
            if tag == "a" and attr.get("href"):
                self.links.append(attr["href"])
        elif attr.get("id") == "search-results":
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1


@pytest.mark.parametrize("where", ["file", "localhost"])
def test_search_finds_pages_offline(
    where: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    base = HTML.as_uri() + "/" if where == "file" else request.getfixturevalue("served")
    url = urljoin(base, f"search.html?q={SEARCH_WORD}")
    dom = _chromium(["--dump-dom", url], tmp_path)
    parser = _Links()
    parser.feed(dom)
    assert parser.links, f"searching {SEARCH_WORD!r} at {url} must list results, got none"
    pages = set()
    for link in parser.links:
        target = urljoin(url, link)
        assert target.startswith(base), f"a result must link into the build, got {link!r}"
        path = unquote(urlsplit(target).path)[len(unquote(urlsplit(base).path)) :]
        assert (HTML / path).is_file(), f"result {link!r} must point to a page, got no {path}"
        pages.add(path)
    assert SEARCH_PAGE in pages, (
        f"searching {SEARCH_WORD!r} must find {SEARCH_PAGE}, got {sorted(pages)}"
    )
