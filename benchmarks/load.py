"""Concurrent sessions: `make load-test`. Loopback only, bounded in sessions and time; prints figures.

SESSIONS browser contexts (each its own Streamlit session) run for DURATION_S at once. Each opens the
app through a share link to a scenario of its own (a preset with a session-specific camera count),
then loops: move the operating-hours slider (once the page shows this session's value), check that the
cloud-cost card shows what the planner computes for *this session's* scenario, switch to another page
and back (each time until that page is drawn and settled). It reports:

    sessions, interactions, errors            errors must be 0 (an exception or a wrong figure)
    isolation_violations                      a page showing another session's scenario (by its name)
    interaction_p50_s, interaction_p95_s      input change or page switch to the page settled
    server_rss_start_mb, server_rss_end_mb    resident memory of the server process
    memory_per_session_mb                     (end − start) ÷ sessions
    server_cpu_s, server_cpu_per_interaction_ms   CPU time of the server process during the run: what the
                                              server costs, apart from the browsers' rendering (the ten
                                              browsers share the same 2 cores and take most of the latency)
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from browser_support import CHROMIUM_ARGS, IDLE, app_server, find_chromium  # noqa: E402

from planner.catalogs import catalog  # noqa: E402
from planner.exports import report  # noqa: E402
from planner.schema.format import money  # noqa: E402
from planner.schema.scenario import replace, to_share_token  # noqa: E402

SESSIONS = 10
DURATION_S = 60
HOURS_SLIDER = "Operating hours (h/day)"
OTHER_PAGES = ("Costs & break-even", "Compare & export", "Architecture advisor")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def session_scenarios():
    presets = list(catalog.presets().items())
    for i in range(SESSIONS):
        key, preset = presets[i % len(presets)]
        yield key, replace(preset, cameras=preset.cameras + 3 + i, name=f"Load session {i}")


def expected_card(scenario) -> str:
    return money(report.summary(report.analyse_one(scenario))["cloud_monthly_cost"], scenario.currency)


async def settle(page) -> None:
    await page.wait_for_selector(IDLE, timeout=60_000)


async def open_page(page, title: str) -> None:
    """Wait until the page `title` is drawn and its run is over (IDLE alone may still be the previous page's)."""
    await page.get_by_role("heading", name=title, level=1).wait_for(timeout=60_000)
    await settle(page)


async def slider_at(page, hours: float) -> None:
    """Wait until the hours slider shows `hours`: the page is drawn with this session's scenario."""
    await page.wait_for_function(
        '([label, v]) => Number(document.querySelector(`input[aria-label="${label}"]`)?.value) === v',
        arg=[HOURS_SLIDER, hours],
        timeout=60_000,
    )


async def run_session(i, browser, url, key, scenario, deadline, stats) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(60_000)
    try:
        await page.goto(f"{url}/?s={to_share_token(scenario)}&p={key}")
        await open_page(page, "Scenario")
        step = 0
        while time.perf_counter() < deadline:
            await slider_at(page, scenario.hours_per_day)
            up = step % 2 == 1  # down half an hour, then back up (presets run ≤ 24 h)
            target = replace(scenario, hours_per_day=scenario.hours_per_day + (0.5 if up else -0.5))
            want = expected_card(target)
            t0 = time.perf_counter()
            await page.get_by_role("slider", name=HOURS_SLIDER).press("ArrowRight" if up else "ArrowLeft")
            try:
                await page.wait_for_function(
                    "(w) => document.querySelector('[data-testid=\"stMetricValue\"]')?.textContent === w",
                    arg=want,
                    timeout=60_000,
                )
            except Exception:
                shown = await page.get_by_test_id("stMetricValue").first.text_content()
                name = await page.get_by_test_id("stSidebar").get_by_role("textbox", name="Scenario name").input_value()
                if name != scenario.name:  # another session's scenario on this page
                    stats["isolation_violations"] += 1
                raise AssertionError(f"expected the cloud cost {want}, the card shows {shown} (scenario “{name}”)")
            await settle(page)
            stats["latencies"].append(time.perf_counter() - t0)
            scenario = target
            t0 = time.perf_counter()
            nav = page.get_by_test_id("stSidebarNav")
            other = OTHER_PAGES[step % len(OTHER_PAGES)]
            await nav.get_by_role("link", name=other).click()
            await open_page(page, other)
            await nav.get_by_role("link", name="Scenario").click()
            await open_page(page, "Scenario")
            stats["latencies"].append(time.perf_counter() - t0)
            stats["interactions"] += 2
            step += 1
    except Exception as exc:  # counted, reported, and the session ends
        stats["errors"].append(f"session {i}: {str(exc).splitlines()[0][:200]}")
    finally:
        await context.close()


async def main_async() -> None:
    chromium = find_chromium()
    if chromium is None:
        sys.exit("load-test needs Chromium: install Debian's chromium (make browser) or set CHROMIUM_PATH")
    stats = {"interactions": 0, "errors": [], "latencies": [], "isolation_violations": 0}
    log = Path(tempfile.mkdtemp(prefix="load-")) / "server.log"
    with app_server(log) as (url, proc):
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            warm = await browser.new_page()  # one session first, so the baseline has the caches
            await warm.goto(url)
            await settle(warm)
            await warm.close()
            rss_start, cpu_start = rss_mb(proc.pid), cpu_s(proc.pid)
            deadline = time.perf_counter() + DURATION_S
            await asyncio.gather(
                *(
                    run_session(i, browser, url, key, scenario, deadline, stats)
                    for i, (key, scenario) in enumerate(session_scenarios())
                )
            )
            rss_end, cpu_used = rss_mb(proc.pid), cpu_s(proc.pid) - cpu_start
            await browser.close()
    latencies = sorted(stats["latencies"])
    figures = {
        "sessions": SESSIONS,
        "duration_s": DURATION_S,
        "interactions": stats["interactions"],
        "errors": len(stats["errors"]),
        "isolation_violations": stats["isolation_violations"],
        "interaction_p50_s": statistics.median(latencies) if latencies else float("nan"),
        "interaction_p95_s": statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else float("nan"),
        "server_rss_start_mb": rss_start,
        "server_rss_end_mb": rss_end,
        "memory_per_session_mb": (rss_end - rss_start) / SESSIONS,
        "server_cpu_s": cpu_used,
        "server_cpu_per_interaction_ms": 1000 * cpu_used / max(stats["interactions"], 1),
    }
    for name, value in figures.items():
        print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}")
    for error in stats["errors"]:
        print(f"error: {error}")


if __name__ == "__main__":
    asyncio.run(main_async())
