"""Fixtures and helpers for the browser tests: a real `streamlit run app.py` server and Debian's Chromium
driven by Playwright's sync API (Playwright's own browser download cannot work offline).

The fixtures are registered once in tests/conftest.py; test modules import only the helpers.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out"
SCREENSHOTS = OUT / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Glyphs at their own advances, as the full browser prints them: the headless shell snaps them to whole pixels
    # by default, and a printed word then reads as two ("Tot al") in the PDF's text.
    "--font-render-hinting=none",
]
IDLE = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'
CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'


def find_chromium(headless_shell: bool = False) -> str | None:
    """$CHROMIUM_PATH, else (with `headless_shell`) Debian's /usr/bin/chromium-headless-shell, else Debian's
    /usr/bin/chromium, else a chromium/chrome on the PATH.

    The tests take the headless shell: the same Blink and V8 as Chromium without the full browser's windowing
    layer: a page load of the first page took about a tenth less time on two cores (5.6–5.8 s against 6.0–6.6 s).
    The benchmarks take the full browser a user runs.
    """
    shell = ("/usr/bin/chromium-headless-shell",) if headless_shell else ()
    for candidate in (os.environ.get("CHROMIUM_PATH"), *shell, "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def require_chromium() -> str:
    """The Chromium binary for the tests; skip with a visible reason when there is none (fail under CI=true)."""
    path = find_chromium(headless_shell=True)
    if path is None:
        reason = "no Chromium found: set CHROMIUM_PATH or install Debian's chromium (make browser)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return require_chromium()


@contextmanager
def app_server(log: Path, app: str = "app.py", port: int | None = None, options: tuple[str, ...] = ()):
    """`streamlit run <app>` on `port` (default: a free one) with Streamlit's `options` (e.g. `--secrets.files`);
    yields (URL, process) once /_stcore/health answers; stops that process by its PID."""
    port = port or free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        app,
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        *options,
    ]
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200 and r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"streamlit did not come up:\n{log.read_text()}")
            time.sleep(0.25)
        yield url, proc
    finally:
        proc.terminate()  # this PID only
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def serve_app(log: Path, app: str = "app.py", port: int | None = None, options: tuple[str, ...] = ()):
    """The URL of a served app (see `app_server`)."""
    with app_server(log, app, port, options) as (url, _):
        yield url


@pytest.fixture(scope="session")
def app_url(chromium_path, tmp_path_factory):
    with serve_app(tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)  # the first Plotly render takes 5–6 s on 2 cores
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        # Every context prefers reduced motion, as a user may: the same pages and figures without their
        # animations, which on two cores cost the page loads about a third of their time.
        chromium.new_context = functools.partial(chromium.new_context, reduced_motion="reduce")
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """A factory of pages, each in a fresh browser context (its own session); checks for JS errors."""
    contexts, errors = [], []

    def make(url: str, dialogs: list[str] | None = None):
        """The page at `url`; with `dialogs`, every JavaScript dialog's message is appended to it (and the dialog
        dismissed) from the first script on."""
        context = browser.new_context(accept_downloads=True, viewport={"width": 1440, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("pageerror", lambda e: errors.append(str(e)))
        if dialogs is not None:
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        wait_for_idle(page)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


class SharedPages:
    """Browser pages a test module's tests share, one per window width: a test goes to its page of the app in
    that page's session (`visit`, a rerun) instead of loading the app again in a fresh one. For tests that only
    look at what a page draws: a test that needs a fresh session (a link, a first request) takes `new_page`."""

    def __init__(self, browser, app_url: str):
        self.browser, self.app_url, self.pages, self.errors = browser, app_url, {}, []

    def at(self, width: int, path: str = ""):
        """The app's page at `path`, drawn `width` px wide."""
        if width not in self.pages:
            page = self.browser.new_context(viewport={"width": width, "height": 900}).new_page()
            page.set_default_timeout(20_000)
            page.on("pageerror", lambda e: self.errors.append(str(e)))
            page.goto(self.app_url)
            wait_for_idle(page)
            self.pages[width] = page
        visit(self.pages[width], path)
        return self.pages[width]


@pytest.fixture(scope="module")
def shared_pages(browser, app_url):
    pages = SharedPages(browser, app_url)
    yield pages
    for page in pages.pages.values():
        page.context.close()


@pytest.fixture
def page_at(shared_pages):
    """`page_at(width, path)`: a page of `shared_pages`; the test fails on a JavaScript error while it ran."""
    seen = len(shared_pages.errors)
    yield shared_pages.at
    assert not shared_pages.errors[seen:], f"JavaScript errors: {shared_pages.errors[seen:]}"


def start_from_preset(page, name: str) -> None:
    """Pick the preset called `name` in the sidebar, and wait until its run is drawn (its name in the field).
    Typed, not clicked: the list closes under the pointer onto the Undo and Redo buttons, whose tooltip can stay
    open (and be printed)."""
    from playwright.sync_api import expect

    settle(page)
    sidebar = page.get_by_test_id("stSidebar")
    if sidebar.get_by_role("textbox", name="Scenario name").input_value() == name:
        return  # already the scenario: nothing to pick
    box = sidebar.get_by_role("combobox", name="Start from preset")
    box.fill(name)
    page.get_by_role("option", name=name, exact=True).wait_for()
    box.press("Enter")
    expect(sidebar.get_by_role("textbox", name="Scenario name")).to_have_value(name)
    settle(page)


def wait_for_idle(page, timeout: int = 20_000) -> None:
    """Streamlit marks the app root with its connection and script state."""
    page.wait_for_selector(IDLE, timeout=timeout)


def visit(page, path: str) -> None:
    """The app's page at `path` ("" for the first page, "costs", …) as a user reaches it: by its link in the
    sidebar (opened first where it is collapsed), in the same session. A rerun, not a page load: a load costs
    Chromium seconds of JavaScript, Plotly's start among them. Streamlit puts the page's path in the address bar
    when its run starts; the run is over when the app is idle and nothing stale is left. Where the sidebar
    covers the page (a phone), it is closed again."""
    from playwright.sync_api import expect

    settle(page)
    if page.evaluate("location.pathname") == f"/{path}":
        return
    expand = page.get_by_test_id("stExpandSidebarButton")
    opened = expand.is_visible()
    if opened:
        expand.click()
    page.get_by_test_id("stSidebarNav").locator(f'a[href$="/{path}"]').click()
    page.wait_for_function("path => location.pathname === path", arg=f"/{path}")
    settle(page)
    close = page.get_by_test_id("stSidebarCollapseButton").get_by_role("button")
    if opened and close.is_visible():
        close.click()
    if opened:
        expect(page.get_by_test_id("stSidebar")).not_to_be_in_viewport()


def settle(page) -> None:
    """Idle, and no element left over from the previous run (Streamlit marks those stale)."""
    wait_for_idle(page)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")


def pick(page, label: str, option: str, where: str = "stMain") -> None:
    """Choose `option` in the selectbox `label` within the element of test id `where`. The list can close
    again as it opens, while the page still scrolls the box into view or a rerun draws it anew: then it is
    opened once more."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    settle(page)
    box = page.get_by_test_id(where).get_by_role("combobox", name=label)
    box.scroll_into_view_if_needed()
    for attempt in range(3):
        box.click()
        try:
            page.get_by_role("option", name=option).click(timeout=5_000)  # the list opens outside `where`
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            settle(page)
    settle(page)


def chart_data(page, index: int = 0) -> list[dict]:
    """Decoded traces of the index-th Plotly chart: [{name, x, y}] (plotly 7 ships arrays as bdata)."""
    return page.evaluate(
        """([sel, i]) => { const g = document.querySelectorAll(sel)[i];
             return g && g._fullData ? g._fullData.map(t => ({name: t.name, x: Array.from(t.x || []),
                                                             y: Array.from(t.y || [])})) : null; }""",
        [CHART, index],
    )


def wait_for_chart(page, predicate_js: str, index: int = 0, timeout: int = 20_000) -> None:
    """Wait until `predicate_js` (a JS expression over `data`, the decoded traces) holds."""
    page.wait_for_function(
        f"""([sel, i]) => {{ const g = document.querySelectorAll(sel)[i];
              if (!g || !g._fullData) return false;
              const data = g._fullData.map(t => ({{name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || [])}}));
              return {predicate_js}; }}""",
        arg=[CHART, index],
        polling=100,
        timeout=timeout,
    )


# Every Plotly chart on show is laid out at its container's width (after a resize Streamlit lays charts out again,
# sometimes in two steps as the sidebar comes or goes).
CHARTS_FIT = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => {
    const g = c.querySelector('.js-plotly-plot');
    return c.offsetParent === null || !g || !g._fullLayout
        || Math.abs(c.getBoundingClientRect().width - g._fullLayout.width) < 2; })"""


def wait_for_charts_to_fit(page, settle_ms: int = 150) -> None:
    """Until every chart shown fits its container, and still does `settle_ms` later (a resize can lay them out
    in steps): instead of a fixed wait long enough for the slowest relayout."""
    for _ in range(20):
        page.wait_for_function(CHARTS_FIT)
        page.wait_for_timeout(settle_ms)
        if page.evaluate(CHARTS_FIT):
            return
    raise AssertionError("the charts kept changing width")


def screenshot(page, name: str) -> Path:
    """A screenshot of the whole page into out/screenshots/.

    Streamlit scrolls inside its main element, so `full_page` alone would stop at the viewport: the
    viewport is stretched to the content's height for the shot, then restored.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    viewport = page.viewport_size
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], body')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
    page.mouse.move(0, 0)  # no tooltip over the shot
    wait_for_charts_to_fit(page)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(viewport)
    return path
