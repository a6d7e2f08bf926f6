"""Hostile scenario text in a real browser: a share link whose name, device and price-source labels are
markup must show that text literally on every page, and nothing in it may run or link anywhere.

Each case opens `?s=<token>` in a fresh browser context, visits the five pages from the sidebar, then adds
the scenario and a bundled preset to the comparison (labels in buttons, table headers and the Plotly
legend; the device and price-source labels in the "Inputs that differ" table). On every page: no
JavaScript dialog, no <img src="x">, no link (HTML or SVG) to evil.example, no bold, heading or formula
made from the user's text. `md()` puts an invisible word joiner (U+2060) into URLs and ':name' codes so
the renderer cannot link them: text is compared with those removed.

The currency label reaches metric values and table cells through `money()`, not `md()`: the schema only
admits letters or one currency sign there, so it cannot carry a link.
"""

from __future__ import annotations

import pytest
from browser_support import pick, screenshot, wait_for_idle
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from planner.catalogs import catalog
from planner.exports.tables import entry_labels
from planner.schema.scenario import ScenarioError, replace, to_share_token

pytestmark = pytest.mark.browser

PAGES = ("Scenario", "Costs & break-even", "Architecture advisor", "Sensitivity & risk", "Compare & export")
HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "**bold** [link](http://evil.example)",
    "http://evil.example",
    "$x^2$",
    '=HYPERLINK("http://evil.example")',
]
EXTRA = '<a href="http://evil.example">x</a>'  # Plotly renders <a href> in legend text
DESCRIPTION = "# Heading\n- item www.evil.example\n> quote a@evil.example :red[red] <http://evil.example>"
OTHER = catalog.preset("manufacturing")
WORD_JOINER = "\u2060"

CASES = [
    (name, HOSTILE[(i + 1) % len(HOSTILE)], HOSTILE[(i + 2) % len(HOSTILE)], "") for i, name in enumerate(HOSTILE)
] + [(EXTRA, EXTRA, HOSTILE[0], DESCRIPTION)]

FINDINGS_JS = """() => {
  const urls = [...document.querySelectorAll('a, [href], [src], [action], [formaction]')].flatMap(e =>
      ['href', 'xlink:href', 'src', 'action', 'formaction'].map(a => e.getAttribute(a)).filter(Boolean));
  const decoded = u => { try { return decodeURIComponent(u); } catch (e) { return u; } };
  const texts = sel => [...document.querySelectorAll(sel)].map(e => e.textContent.trim());
  return {
    evilLinks: urls.filter(u => /evil\\.example/i.test(decoded(u))),
    imgX: texts('img[src="x"]').length,
    markup: [...texts('strong, b, em').filter(t => t === 'bold' || t === 'link'),
             ...texts('h1, h2, h3, h4, h5, h6').filter(t => t.startsWith('Heading')),
             ...texts('li').filter(t => t.startsWith('item')),
             ...texts('blockquote, del, .katex')],
  };
}"""


def plain(text: str) -> str:
    return text.replace(WORD_JOINER, "")


def assert_harmless(page, where: str, dialogs: list[str]) -> None:
    found = page.evaluate(FINDINGS_JS)
    assert not dialogs, f"{where}: a dialog opened: {dialogs}"
    assert found == {"evilLinks": [], "imgX": 0, "markup": []}, f"{where}: {found}"


def go_to(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    wait_for_idle(page)


@pytest.mark.parametrize(
    "name, device_id, cloud_provider, description",
    CASES,
    ids=["img-tag", "bold-and-link", "bare-url", "latex", "formula", "a-href-and-blocks"],
)
def test_hostile_text_stays_literal_on_every_page(new_page, app_url, name, device_id, cloud_provider, description):
    scenario = replace(
        catalog.preset("retail"), name=name, device_id=device_id, cloud_provider=cloud_provider, description=description
    )
    dialogs: list[str] = []
    page = new_page(f"{app_url}/?s={to_share_token(scenario)}&p=retail", dialogs)
    main = page.get_by_test_id("stMain")

    expect(page.get_by_test_id("stSidebar").get_by_role("textbox", name="Scenario name")).to_have_value(name)
    for title in PAGES:
        go_to(page, title)
        assert_harmless(page, title, dialogs)
        if title == "Scenario":  # the caption under the title: description, else the name
            caption = main.get_by_test_id("stCaptionContainer").first.inner_text()
            assert plain(caption) == (" ".join(description.split("\n")) if description else name)
        if title == "Architecture advisor":
            assert f"“{name}”" in plain(main.get_by_test_id("stCaptionContainer").first.inner_text())

    add = main.get_by_role("button", name="to the comparison")
    assert plain(add.inner_text()) == f"Add “{name}” to the comparison"
    add.click()
    wait_for_idle(page)
    pick(page, "Start from preset", OTHER.name, "stSidebar")
    # The preset's rerun has reached the browser (an idle app root alone may still be the previous run):
    # a click sent sooner carries the old name back with it.
    expect(page.get_by_test_id("stSidebar").get_by_role("textbox", name="Scenario name")).to_have_value(OTHER.name)
    wait_for_idle(page)
    main.get_by_role("button", name="to the comparison").click()
    wait_for_idle(page)
    expect(main.get_by_test_id("stTable")).to_have_count(2)

    labels = entry_labels([scenario, OTHER])
    assert plain(main.get_by_role("button", name="✕ #1").inner_text()) == f"✕ {labels[0]}"
    legend = "[...document.querySelectorAll('.legendtext')].map(e => e.textContent)"
    try:  # Plotly may still be redrawing the legend
        page.wait_for_function(f"labels => JSON.stringify({legend}) === JSON.stringify(labels)", arg=labels)
    except PlaywrightTimeoutError:
        pass
    assert page.evaluate(legend) == labels
    results, differing = (t.inner_text() for t in main.get_by_test_id("stTable").all())
    assert labels[0] in plain(results) and labels[0] in plain(differing)
    cells = plain(differing)
    assert device_id in cells and cloud_provider in cells and "\\" not in cells
    assert_harmless(page, "Compare & export, two scenarios compared", dialogs)
    if name == HOSTILE[0]:
        screenshot(page, "hostile-compare")


def test_a_currency_label_cannot_carry_a_link():
    """The currency label reaches metric values through money(), not md(): the schema admits only letters
    or one currency sign, so 'www.x.co' never gets that far."""
    with pytest.raises(ScenarioError, match="currency = 'www.x.co' is not valid"):
        replace(catalog.preset("retail"), currency="www.x.co")
    assert replace(catalog.preset("retail"), currency="€").currency == "€"
