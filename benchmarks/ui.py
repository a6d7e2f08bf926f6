"""Interaction latency in a real browser: `make bench-ui`. Prints `name: value` lines; asserts nothing.

For each page: the time from an input change (a key press or click event, sent by Playwright) to the page
being up to date: its charts or key figures show new values, the rerun has finished and no element is
left stale. Over 20 changes each, taken in turns (4 rounds), against the same round trip on a one-slider, one-chart app
(`floor_app.py`): the floor the framework itself sets. The Fleet page is also set against the framework's floor
for editing a table (`editor_floor_app.py`: the same 500-row inventory in a data editor and one figure, nothing
else), measured in the same rounds. Sliders step one way, so every change asks for a
value not seen before and no cache flatters the figures (the sensitivity slider, bounded at ±90 %, goes
back and forth instead, as does the cash/accounting switch). The Fleet page is measured on an inventory of
500 varied site rows (uploaded once, not timed): one cell of its table (row 1's cameras) is typed anew each
time, and Enter commits it.

    floor_median_s                 median round trip of the floor app
    <page>_median_s, <page>_p95_s  the page's median and 95th percentile
    <page>_ratio                   its median over the floor's (goal ≤ 1.5)
    worst_ratio                    the largest ratio
    editor_floor_median_s          median round trip of the editor floor app (when the Fleet page is measured)
    editor_floor_ratio             the editor floor's median over the floor's: what a 500-row editor costs alone
    fleet_over_editor_floor        the Fleet page's median over the editor floor's: what the page adds
    timed_out_changes              changes (of the floor and every page) that showed no new figures within
                                   30 s, left out of the figures above; <page>_timed_out for each one with any
    cold_start_s                   `streamlit run app.py` to the first page drawn with its chart
    cold_start_floor_s             the same for the floor app, right after; cold_start_over_floor: the ratio
    cli_report_s                   `python -m planner report --preset retail`, median of 5
    cli_floor_s                    `python -c "import numpy"`, median of 5 taken in turns with the command's;
                                   cli_report_over_floor: the ratio
Then each figure against the last recorded on this machine kind (benchmarks/baseline.py).

The served apps and the command run as an installed copy does, with Python's bytecode cache: an environment with
PYTHONDONTWRITEBYTECODE=1 would compile every planner module again at each start (about 0.2 s of the command and
0.3 s of the cold start on a two-core machine), which no user's start pays. The command is run once untimed first.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
from browser_support import CHART, CHROMIUM_ARGS, IDLE, find_chromium, serve_app  # noqa: E402

from benchmarks import baseline  # noqa: E402

FLOOR_APP = ROOT / "benchmarks" / "floor_app.py"
ROUNDS, PER_ROUND = 4, 5  # 20 measured changes of each page and of the floor

# What the user sees change: every chart's data and annotations, and every metric card.
SIGNATURE = """() => {
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')].map(g =>
    (g._fullData || []).map(t => t.y ? Array.from(t.y).join(',') : '').join('|') + '#' +
    ((g.layout && g.layout.annotations) || []).map(a => a.text).join('|'));
  const metrics = [...document.querySelectorAll('[data-testid="stMetricValue"]')].map(e => e.textContent);
  return charts.join('||') + '@@' + metrics.join('|'); }"""
# The rerun is over (the app root says so) and nothing on the page is still marked stale.
SETTLED = f"""() => document.querySelector('{IDLE}') !== null && !document.querySelector('[data-stale="true"]')"""


@dataclass(frozen=True)
class Change:
    """One input change: `prepare(page, i)` (not timed: typing into a form field) and then `press(page, i)`,
    the one key press or click event that sends it (timed). No Playwright `click()`: it first waits for
    the target to hold still, a delay the floor's key press would not have."""

    press: Callable
    prepare: Callable | None = None
    setup: Callable | None = None  # once, on the first visit to the page (not timed)


def round_trip(page, change: Change, i: int) -> float:
    """Seconds from the key press to the charts and figures on screen differing from before, with the page
    settled."""
    page.wait_for_function(SETTLED)
    if change.prepare:
        change.prepare(page, i)
    before = page.evaluate(SIGNATURE)
    t0 = time.perf_counter()
    change.press(page, i)
    # Settled first: the signature reads every chart's data, so it is computed only once the rerun is over
    # (on every frame it would take the main thread from the very rendering being timed).
    page.wait_for_function(
        f"(before) => ({SETTLED})() && ({SIGNATURE})() !== before", arg=before, polling="raf", timeout=30_000
    )
    return time.perf_counter() - t0


def slider(name: str, back_and_forth: bool = False) -> Change:
    """ArrowRight on a slider (a new value each time), or ArrowRight and ArrowLeft in turn."""
    return Change(
        lambda page, i: page.get_by_role("slider", name=name).press(
            "ArrowLeft" if back_and_forth and i % 2 else "ArrowRight"
        )
    )


def options(first: str, second: str) -> Change:
    """Two options of a segmented control in turn (a click event sent to the option: no wait for it to
    hold still, like a key press)."""
    return Change(
        lambda page, i: page.get_by_role("radio", name=first if i % 2 == 0 else second, exact=True).dispatch_event(
            "click"
        )
    )


def form_number(label: str, values: tuple[int, int]) -> Change:
    """A number typed into a form field (not timed), then Enter, which submits the form: alternately near
    one value and near the other, one more each time (10, 301, 12, 303, …), so every answer is new."""

    def field(page):
        return page.get_by_role("spinbutton", name=label)

    return Change(
        press=lambda page, i: field(page).press("Enter"),
        prepare=lambda page, i: field(page).fill(str(values[i % 2] + i)),
    )


FLEET_ROWS = 500


def upload_fleet(page) -> None:
    """A 500-row inventory (the engine benchmark's varied sites) uploaded on the Fleet page."""
    from benchmarks.engine import varied_fleet

    inventory = Path(tempfile.mkdtemp(prefix="bench-ui-fleet-")) / "sites.csv"
    inventory.write_text(varied_fleet(FLEET_ROWS).inventory.to_csv(), encoding="utf-8")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(inventory))
    page.get_by_text(f"Loaded {FLEET_ROWS} site rows").wait_for()
    page.wait_for_function(SETTLED)
    page.wait_for_timeout(500)  # the grid's canvas lays out after the rerun


def fleet_cell(column: int, values: int) -> Change:
    """Type a new whole number into row 1, column `column` of the Fleet page's inventory (not timed: click the
    row's first cell, arrow across, Enter opens the cell's editor, fill it in), then Enter, which commits it."""

    def prepare(page, i):
        page.wait_for_timeout(300)  # the grid's canvas lays out after a rerun
        box = page.get_by_test_id("stDataFrame").first.bounding_box()
        page.mouse.click(box["x"] + 50, box["y"] + 35 + 17)  # past the row markers, in `site`
        for _ in range(column):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        editor = page.locator("textarea.gdg-input")  # the grid's cell editor
        editor.fill(str(values + i))  # waits for it; typed keys could be lost
        editor.evaluate(
            "(e, v) => { if (e.value !== v) throw new Error('the cell editor holds ' + e.value); }", str(values + i)
        )

    return Change(press=lambda page, i: page.keyboard.press("Enter"), prepare=prepare)


EDITOR_CHANGE = fleet_cell(
    column=3, values=20
)  # the same cell as on the Fleet page (site, count, go_live_month, cameras)

# page name → (navigation link, the input change measured)
PAGES = {
    "scenario": ("Scenario", slider("Operating hours (h/day)")),
    "costs": ("Costs & break-even", options("Accounting (depreciation)", "Cash (capex when paid)")),
    "advisor": ("Architecture advisor", form_number("Required response time (ms)", (10, 300))),
    "sensitivity": ("Sensitivity & risk", slider("Vary each input by", back_and_forth=True)),
    "fleet": ("Fleet", dataclasses.replace(EDITOR_CHANGE, setup=upload_fleet)),
}


def measure(page, change: Change, name: str, first: int, count: int) -> list[float]:
    """Round trips `first` … `first + count - 1` of a change (the index picks the value)."""
    times = []
    for i in range(first, first + count):
        try:
            times.append(round_trip(page, change, i))
        except PlaywrightTimeout:  # reported, not hidden: the run goes on
            print(f"{name}: change {i} showed no new figures within 30 s", file=sys.stderr)
    return times


def summary(name: str, times: list[float], floor: float | None = None) -> dict[str, float]:
    if len(times) < 2:  # every change timed out: nothing to summarise
        return {f"{name}_median_s": float("nan")}
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    out = {f"{name}_median_s": median, f"{name}_p95_s": p95}
    if floor:
        out[f"{name}_ratio"] = median / floor
    return out


def open_page(browser, url: str, chart: bool = True):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    page.wait_for_selector(IDLE)
    page.wait_for_selector(CHART if chart else '[data-testid="stDataFrame"]')
    page.wait_for_timeout(500)  # the grid's canvas lays out after the rerun
    return context, page


def cold_start(browser, log: Path, app: str = "app.py") -> float:
    t0 = time.perf_counter()
    with serve_app(log, app=app) as url:
        context, _ = open_page(browser, url)
        elapsed = time.perf_counter() - t0
        context.close()
    return elapsed


CLI_REPORT = ("-m", "planner", "report", "--preset", "retail")
CLI_FLOOR = ("-c", "import numpy")  # the engine's one library: what any command starts with


def cli_report() -> dict[str, float]:
    """The command's median of 5 and its floor's, taken in turns, after one untimed run (which fills the bytecode
    cache, as a first start after installing does)."""
    subprocess.run([sys.executable, *CLI_REPORT], cwd=ROOT, check=True, capture_output=True)
    times: dict[str, list[float]] = {"cli_report_s": [], "cli_floor_s": []}
    for _ in range(5):
        for name, args in (("cli_report_s", CLI_REPORT), ("cli_floor_s", CLI_FLOOR)):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True)
            times[name].append(time.perf_counter() - t0)
    figures = {name: statistics.median(t) for name, t in times.items()}
    figures["cli_report_over_floor"] = figures["cli_report_s"] / figures["cli_floor_s"]
    return figures


def main(only: list[str]) -> None:
    """Measure every page, or only the pages named on the command line (e.g. `scenario costs`)."""
    chromium = find_chromium()
    if chromium is None:
        sys.exit("bench-ui needs Chromium: install Debian's chromium (make browser) or set CHROMIUM_PATH")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # the servers and the command started below cache bytecode
    logs = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    figures: dict[str, float] = {}
    pages = {name: page for name, page in PAGES.items() if not only or name in only}
    samples: dict[str, list[float]] = {name: [] for name in ["floor", *pages]}
    floor_change = slider("Frequency")
    editor_floor = "fleet" in pages
    if editor_floor:
        samples["editor_floor"] = []
    with sync_playwright() as p, contextlib.ExitStack() as apps:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        floor_url = apps.enter_context(serve_app(logs / "floor.log", app=str(FLOOR_APP)))
        app_url = apps.enter_context(serve_app(logs / "app.log"))
        if editor_floor:
            editor_url = apps.enter_context(
                serve_app(logs / "editor.log", app=str(ROOT / "benchmarks" / "editor_floor_app.py"))
            )
            editor_context, editor_page = open_page(browser, editor_url, chart=False)
        floor_context, floor_page = open_page(browser, floor_url)
        app_context, app_page = open_page(browser, app_url)
        # Rounds: the floor, then each page, a few changes each, so a machine that slows down or speeds
        # up mid-run weighs on the floor and the pages alike. The first change of each is a warm-up
        # (first render of every chart, code loaded on first use), not counted.
        for n in range(ROUNDS):
            first = 1 + n * PER_ROUND
            if n == 0:
                round_trip(floor_page, floor_change, 0)
            samples["floor"] += measure(floor_page, floor_change, "floor", first, PER_ROUND)
            if editor_floor:
                if n == 0:
                    round_trip(editor_page, EDITOR_CHANGE, 0)
                samples["editor_floor"] += measure(editor_page, EDITOR_CHANGE, "editor_floor", first, PER_ROUND)
            for name, (link, change) in pages.items():
                app_page.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
                app_page.wait_for_selector(IDLE)
                if n == 0:
                    if change.setup:
                        change.setup(app_page)
                    round_trip(app_page, change, 0)
                samples[name] += measure(app_page, change, name, first, PER_ROUND)
        floor_context.close()
        app_context.close()
        if editor_floor:
            editor_context.close()
        apps.close()  # the servers stop before the cold start is timed
        floor = statistics.median(samples["floor"])
        figures["floor_median_s"] = floor
        for name in pages:
            figures.update(summary(name, samples[name], floor))
        figures["worst_ratio"] = max(v for k, v in figures.items() if k.endswith("_ratio"))
        if editor_floor:
            figures.update(summary("editor_floor", samples["editor_floor"], floor))
            figures["fleet_over_editor_floor"] = figures["fleet_median_s"] / figures["editor_floor_median_s"]
        if not only:
            figures["cold_start_s"] = cold_start(browser, logs / "cold.log")
            figures["cold_start_floor_s"] = cold_start(browser, logs / "cold_floor.log", str(FLOOR_APP))
            figures["cold_start_over_floor"] = figures["cold_start_s"] / figures["cold_start_floor_s"]
        browser.close()
    if not only:
        figures.update(cli_report())
    for name, value in figures.items():
        print(f"{name}: {value:.3f}")
    # A change that timed out is not in the medians: say how many, here and not only on stderr.
    timed_out = {name: ROUNDS * PER_ROUND - len(times) for name, times in samples.items()}
    print(f"timed_out_changes: {sum(timed_out.values())}")
    for name, count in timed_out.items():
        if count:
            print(f"{name}_timed_out: {count}")


if __name__ == "__main__":
    with baseline.compared("ui"):
        main(sys.argv[1:])
