"""Regressions from the hostile review of the fleet, the links and the exports: one section per finding,
numbered as in the issue. Each test also sweeps the class behind its finding (every CSV writer, every text
field, every number read from a link)."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from app_support import start
from streamlit.testing.v1 import AppTest
from test_exports import HOSTILE_NAMES, runs_as_formula
from test_hardening import one_error_line, run_cli

from planner.advice import advisor
from planner.catalogs import catalog
from planner.exports import report, sensitivity
from planner.exports.tables import comparison_csv
from planner.fleet import inventory as fleet_inventory
from planner.fleet import programme as fleet_programme
from planner.fleet import tables as fleet_tables
from planner.model import risk
from planner.plans import store, workspace
from planner.schema import safe_csv
from planner.schema.scenario import ScenarioError, pack_token, replace, to_dict, validate
from planner.ui import fleet as fleet_page

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
RETAIL = catalog.preset("retail")
FORMULA_EXAMPLES = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    " =1+1",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(A1)",
]
HOSTILE = list(dict.fromkeys(FORMULA_EXAMPLES + HOSTILE_NAMES))


def csv_text(rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def formula_cells(text: str) -> list[str]:
    """Cells a spreadsheet would run as a formula: a formula sign first (behind blanks or invisible characters,
    full-width too) in a cell that is not a plain number."""
    return [
        cell
        for row in csv.reader(io.StringIO(text, newline=""))
        for cell in row
        if runs_as_formula(cell) and not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?", cell)
    ]


# ── 1. Every CSV goes through the one safe writer ────────────────────────────────────────────────────
@pytest.fixture
def no_pandas_csv(monkeypatch):
    """pandas' own CSV writer fails if anything calls it: every CSV must be the safe writer's."""

    def refused(*args, **kwargs):
        raise AssertionError("a CSV written by pandas, not by safe_csv.write_csv_rows")

    monkeypatch.setattr(pd.DataFrame, "to_csv", refused)
    monkeypatch.setattr(pd.Series, "to_csv", refused)


def hostile_inventory(tmp_path) -> Path:
    """Every hostile text as a site name, next to a negative number in a numeric column."""
    rows = [["site", "count", "workload_growth_percent_per_year", "pin"]]
    rows += [[name, 2, -2.5, "edge_only" if i % 2 else ""] for i, name in enumerate(HOSTILE)]
    path = tmp_path / "hostile.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def test_every_cli_csv_neutralises_formulas_and_keeps_negative_numbers(tmp_path, no_pandas_csv):
    sites = hostile_inventory(tmp_path)
    fleet_file = tmp_path / "hostile.json"
    f = fleet_inventory.make_fleet(sites.read_bytes(), RETAIL, name=FORMULA_EXAMPLES[0])
    fleet_file.write_text(fleet_inventory.fleet_json(f), encoding="utf-8")
    outputs = {}
    for source in (sites, fleet_file):
        for table in ("sites", "monthly", "inventory"):
            code, out, err = run_cli("fleet", "--sites", source, "--format", "csv", "--table", table)
            assert code == 0, err
            outputs[f"fleet {source.suffix} {table}"] = out
    for i, name in enumerate(HOSTILE):
        scenario_file = tmp_path / f"scenario{i}.json"
        hostile = replace(RETAIL, name=name, description=name, cloud_provider=name)
        scenario_file.write_text(json.dumps(to_dict(hostile)), encoding="utf-8")
        for view in ("cash", "accounting"):
            code, out, err = run_cli("report", "--scenario", scenario_file, "--format", "csv", "--view", view)
            assert code == 0, err
            outputs[f"report {i} {view}"] = out
    for what, text in outputs.items():
        assert formula_cells(text) == [], what
    # The names are kept (neutralised with a leading '), and a negative number stays a number.
    per_site = pd.read_csv(io.StringIO(outputs["fleet .csv sites"]))
    assert per_site["name"].str.removeprefix("'").tolist() == [n.strip() for n in HOSTILE]
    inventory = pd.read_csv(io.StringIO(outputs["fleet .json inventory"]))
    assert inventory["workload_growth_percent_per_year"].tolist() == [-2.5] * len(HOSTILE)
    monthly = pd.read_csv(io.StringIO(outputs["fleet .csv monthly"]))
    assert all(kind in "if" for kind in monthly.dtypes.map(lambda d: d.kind))


def test_every_library_and_page_csv_neutralises_formulas(no_pandas_csv):
    for name in FORMULA_EXAMPLES:
        scenario = replace(RETAIL, name=name, description=name, cloud_provider=name)
        a = report.analyse_one(scenario)
        f = fleet_inventory.make_fleet(csv_text([["site"], [name], ["Shop"]]), scenario)
        p = fleet_programme.evaluate(f)
        table = risk.tornado(scenario, inputs=("device_price", "cameras"), percent=20)
        xs, ys = [1000.0, 2000.0], [10.0, 50.0]
        break_even, savings = risk.grid_map(scenario, "device_price", xs, "cameras", ys)
        result = risk.monte_carlo(scenario, {"device_price": risk.Distribution("uniform", 800, 900, 1000)}, 50, 1)
        texts = [
            report.report_csv(a),
            *(safe_csv.table_csv(t) for t in report.csv_tables(a).values()),
            comparison_csv([a, report.analyse_one(RETAIL)], notes=[name, name]),
            safe_csv.table_csv(advisor.advice_table(advisor.advise(advisor.answers(), scenario))),
            sensitivity.tornado_csv(table, scenario, "cash", 20),
            safe_csv.table_csv(sensitivity.tornado_frame(table, scenario)),
            sensitivity.map_csv("device_price", xs, "cameras", ys, break_even, savings, scenario, "cash"),
            sensitivity.monte_carlo_csv(result, {}, scenario, "cash"),
            sensitivity.draws_csv(result, scenario.currency),
            # The Fleet page's downloads (pages/fleet.py): inventory, per site, monthly.
            f.inventory.to_csv(),
            fleet_tables.to_csv(fleet_tables.site_table(p)),
            fleet_tables.to_csv(fleet_tables.monthly_table(p)),
        ]
        for text in texts:
            assert formula_cells(text) == [], (name, text[:200])


def test_a_table_is_written_a_column_at_a_time_as_cell_by_cell():
    """table_csv's column-wise cells are safe_cell's: every dtype, blanks, -0, infinities, hostile text."""
    frame = pd.DataFrame(
        {
            "float": [-0.0, np.nan, np.inf, 1e-20, 123456789.123456789, -2.5, 0.0],
            "int": np.arange(-3, 4),
            "bool": [True, False] * 3 + [True],
            "mixed": ["=1", "x", None, 1.5, -0.0, "＝1", "a\rb"],
            "text": ["a\rb", "a\nb", "Z=1", " =1", "\u200b=1", "", "x"],
            "string": pd.array(["a", "-1", None, "b\r", "é", "9", "@x"], dtype="string"),
        }
    )
    for table in (
        frame,
        frame.iloc[:0],
        fleet_tables.site_table(fleet_programme.evaluate(fleet_inventory.preset("retail_chain"))),
    ):
        out = io.StringIO()
        safe_csv.write_csv_rows(safe_csv.frame_rows(table), out)
        assert safe_csv.table_csv(table) == out.getvalue()


def test_no_module_writes_csv_but_the_safe_writer():
    """The class, by reading the code: `csv.writer` in planner/schema/safe_csv.py only, no pandas `.to_csv(` anywhere
    (the Inventory's own `to_csv` method and fleet_tables.to_csv go through safe_csv.table_csv)."""
    found = []
    for path in sorted([*(ROOT / "planner").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("writer", "DictWriter")
                and getattr(node.value, "id", None) == "csv"
                and path.name != "safe_csv.py"
            ):
                found.append(f"{path.name}: csv.{node.attr}")
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) == "to_csv"
                and any(k.arg in ("index", "sep", "float_format", "lineterminator") for k in node.keywords)
            ):
                found.append(f"{path.name}: pandas to_csv")
    assert found == []


# ── 2, 3, 13. The header is bounded before pandas sees it ────────────────────────────────────────────
@pytest.fixture
def no_pandas_read(monkeypatch):
    def refused(*args, **kwargs):
        raise AssertionError("pandas.read_csv was called on a header that should have been refused")

    monkeypatch.setattr(pd, "read_csv", refused)


@pytest.mark.parametrize(
    "header, message",
    [
        (",".join(["a"] * 100_000), "column 'a' is given more than once: give each column once"),
        (",".join(f"c{i}" for i in range(300_000)), "the inventory has more than 200 columns; at most 200"),
        (",".join(f"c{i}" for i in range(250)), "the inventory has 250 columns; at most 200"),
        ("x" * 9_000_000, "the inventory's header line is longer than 20,000 characters"),
        ("\n \n" + ",".join(["a"] * 100_000), "column 'a' is given more than once"),  # after blank lines
        ('"a\n",' + ",".join(f"c{i}" for i in range(300)), "the inventory has 301 columns"),  # a quoted line break
        ("site,count,count\rA,1,2", "column 'count' is given more than once"),  # CR line ends
    ],
)
def test_a_huge_header_is_refused_before_pandas(header, message, no_pandas_read):
    with pytest.raises(ScenarioError) as err:
        fleet_inventory.make_fleet((header + "\n1\n").encode(), RETAIL)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize(
    "header, repeated", [("site,count,cameras,count", "count"), ("site,a,b,a,b", "a"), ("site, count,count ", "count")]
)
def test_a_repeated_column_is_refused_under_the_files_own_name(header, repeated, no_pandas_read):
    with pytest.raises(ScenarioError) as err:
        fleet_inventory.make_fleet(f"{header}\n" + ",".join("1" * (header.count(",") + 1)) + "\n", RETAIL)
    assert str(err.value) == f"column {repeated!r} is given more than once: give each column once"
    assert ".1" not in str(err.value)


def test_a_repeated_or_endless_column_list_of_a_fleet_file_is_refused():
    doc = json.loads(fleet_inventory.fleet_json(fleet_inventory.preset("retail_chain")))
    with pytest.raises(ScenarioError, match="column 'count' is given more than once"):
        fleet_inventory.from_fleet_document({**doc, "columns": ["site", "count", "count"]})
    with pytest.raises(ScenarioError, match="column 'a' is given more than once"):
        fleet_inventory.from_fleet_document({**doc, "columns": ["a"] * 100_000})
    with pytest.raises(ScenarioError, match="the inventory has 300,000 columns; at most 200"):
        fleet_inventory.from_fleet_document({**doc, "columns": [f"c{i}" for i in range(300_000)]})


def test_the_cli_names_a_repeated_column(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("site,count,count\nA,1,2\n", encoding="utf-8")
    code, _, err = run_cli("fleet", "--sites", path)
    assert one_error_line(code, err) == "error: column 'count' is given more than once: give each column once\n"


# ── 4. One text rule for every text field of every file ────────────────────────────────────────────
def scenario_name(text):
    return validate({**to_dict(RETAIL), "name": text})


def scenario_description(text):
    return validate({**to_dict(RETAIL), "description": text})


def fleet_name(text):
    return fleet_inventory.from_fleet_document(
        {**json.loads(fleet_inventory.fleet_json(fleet_inventory.preset("retail_chain"))), "name": text}
    )


def fleet_description(text):
    return fleet_inventory.from_fleet_document(
        {
            **json.loads(fleet_inventory.fleet_json(fleet_inventory.preset("retail_chain"))),
            "description": f"Line one\n{text}",
        }
    )


def fleet_name_of_a_csv(text):
    return fleet_inventory.make_fleet("site\nA\n", RETAIL, name=text)


def site_name_in_csv(text):
    f = fleet_inventory.make_fleet(csv_text([["site"], [f"Shop {text}"]]), RETAIL)
    if f.inventory.errors:
        raise ScenarioError(f.inventory.errors[0])


def site_name_in_json(text):
    doc = json.loads(fleet_inventory.fleet_json(fleet_inventory.preset("retail_chain")))
    doc["sites"][0]["site"] = f"Shop {text}"
    workspace._fleet(doc)  # a fleet plan refuses a file with a refused cell


def plan_name(text):
    try:
        store._clean_name(f"Plan {text}")
    except store.StoreError as exc:
        raise ScenarioError(str(exc)) from None


def plan_note(text):
    try:
        store._clean_note(f"Note {text}")
    except store.StoreError as exc:
        raise ScenarioError(str(exc)) from None


TEXT_FIELDS = [
    scenario_name,
    scenario_description,
    fleet_name,
    fleet_description,
    fleet_name_of_a_csv,
    site_name_in_csv,
    site_name_in_json,
    plan_name,
    plan_note,
]


@pytest.mark.parametrize("character", ["\x1b", "\x9b", "\u200f", "\u200e", "\u061c", "\u202e"])
@pytest.mark.parametrize("field", TEXT_FIELDS, ids=lambda f: f.__name__)
def test_every_text_field_refuses_control_and_bidi_characters(field, character):
    field("Plain name")  # accepted without it
    with pytest.raises(ScenarioError):
        field(f"[31m{character}red")


def test_a_fleet_files_name_with_an_escape_never_reaches_the_terminal(tmp_path):
    doc = json.loads(fleet_inventory.fleet_json(fleet_inventory.preset("retail_chain")))
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps({**doc, "name": "\x1b[2J\x1b[31mowned"}), encoding="utf-8")
    code, out, err = run_cli("fleet", "--sites", path)
    assert "\x1b" not in out + err
    assert one_error_line(code, err).startswith("error: the fleet's name: U+001B at character 1 is not allowed")


# ── 5. A repeated Monte Carlo input in the work state ──────────────────────────────────────────────
REPEATED_INPUTS = {"mc.inputs": ["cameras", "cameras"]}


def test_a_repeated_monte_carlo_input_is_refused_in_a_plan_and_a_link():
    plan = json.loads(workspace.to_json(workspace.Workspace(RETAIL)))
    with pytest.raises(ScenarioError, match="sensitivity: mc.inputs names 'cameras' more than once"):
        workspace.from_document({**plan, "sensitivity": REPEATED_INPUTS})
    token = pack_token({"workspace_version": 1, "sensitivity": REPEATED_INPUTS})
    with pytest.raises(ScenarioError, match="mc.inputs names 'cameras' more than once: give each input once"):
        workspace.with_share_token(workspace.Workspace(RETAIL), token)


def test_a_link_with_a_repeated_monte_carlo_input_keeps_the_work_and_the_sensitivity_page():
    token = pack_token({"workspace_version": 1, "view": "accounting", "sensitivity": REPEATED_INPUTS})
    at = start(w=token)
    assert any("mc.inputs names 'cameras' more than once" in w.value for w in at.warning)
    assert "sensitivity.mc.inputs" not in at.session_state
    at.switch_page("pages/sensitivity.py").run()
    assert not at.exception, at.exception
    assert at.session_state["sensitivity.mc.inputs"] != ["cameras", "cameras"]


# ── 6. Numbers from links: ASCII digits only ──────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "text, number",
    [
        ("1", 1),
        ("0012", 12),
        ("999999999", 999_999_999),
        ("²", None),
        ("٣", None),
        ("１", None),
        ("1234567890", None),
        ("-1", None),
        (" 1", None),
        ("1\n", None),
        ("", None),
        (None, None),
    ],
)
def test_a_number_from_a_link_is_ascii_digits_of_bounded_length(text, number):
    assert workspace.link_number(text) == number


def test_no_link_number_is_read_with_isdigit():
    """The class: the pages read numbers from links with workspace.link_number alone."""
    for path in [
        *(ROOT / "planner" / "ui").glob("*.py"),
        ROOT / "planner" / "plans" / "workspace.py",
        *ROOT.glob("pages/*.py"),
    ]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\.is(digit|decimal|numeric)\(", text), path.name


@pytest.mark.parametrize("rev", ["²", "٣", "１", "1" * 12])
def test_a_link_to_a_revision_that_is_not_ascii_digits_opens_the_latest(rev, tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path / 'plans.sqlite3'}")
    db = store.Store()
    plan = db.save(workspace.Workspace(RETAIL), "Store A").plan_id
    db.save(workspace.Workspace(catalog.preset("vessel")), "Store A", plan_id=plan)
    at = start(plan=plan, rev=rev)
    assert "is not a number: opening the latest" in at.warning[0].value
    assert at.session_state["scenario"] == catalog.preset("vessel")


# ── 8. The Fleet page at its row limit ─────────────────────────────────────────────────────────────
def fleet_page_with(f: fleet_inventory.Fleet) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.session_state[fleet_page.DOC] = f
    at.session_state[fleet_page.VERSION] = 1
    at.switch_page("pages/fleet.py").run()
    assert not at.exception, at.exception
    return at


def test_send_to_a_full_fleet_is_refused_and_the_page_keeps_working(monkeypatch):
    monkeypatch.setattr(fleet_inventory, "MAX_ROWS", 2)
    at = fleet_page_with(fleet_inventory.make_fleet("site\nA\nB\n", RETAIL))
    at.button(key="fleet.send").click().run()
    assert not at.exception, at.exception
    assert at.error[0].value.endswith(
        "was not added: the fleet has 2 rows, the most it takes: remove a row to add another."
    )
    assert at.session_state[fleet_page.SHOWN].inventory.n == 2


def _add_row_script():
    """The Fleet page's editor handing back one row more than the fleet takes (its real `edited` path)."""
    import pandas as pd
    import streamlit as st

    from planner.catalogs import catalog
    from planner.fleet import inventory as fleet_inventory
    from planner.ui import fleet as page
    from planner.ui import state

    fleet_inventory.MAX_ROWS = 2
    if page.DOC not in st.session_state:
        st.session_state[page.DOC] = fleet_inventory.make_fleet("site\nA\nB\n", catalog.preset("retail"))
    state.show_notices(page.PLACE)
    f = page.current()
    table = f.inventory.table
    if not st.session_state.get("added"):
        st.session_state["added"] = True
        table = pd.concat([table, pd.DataFrame([{"site": "C"}])], ignore_index=True)
    f = page.edited(f, table, f.months)
    st.write(f"{f.inventory.n} rows")


def test_a_row_added_in_the_editor_beyond_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(fleet_inventory, "MAX_ROWS", 2)
    at = AppTest.from_function(_add_row_script, default_timeout=30).run()
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("The fleet takes at most 2 rows: the rows beyond it were not kept.")
    assert at.markdown[-1].value == "2 rows"


def test_with_row_refuses_a_row_beyond_the_limit(monkeypatch):
    monkeypatch.setattr(fleet_inventory, "MAX_ROWS", 2)
    f = fleet_inventory.make_fleet("site\nA\nB\n", RETAIL)
    with pytest.raises(ScenarioError, match="the fleet has 2 rows, the most it takes"):
        fleet_inventory.with_row(f, {"site": "C"})


# ── 11. --months 0 ─────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("months", [0, -1, 241])
def test_programme_months_outside_1_to_240_are_refused(months, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("site\nA\n", encoding="utf-8")
    for source in (("--sites", path), ("--fleet", "retail_chain")):
        code, _, err = run_cli("fleet", *source, "--months", months)
        assert one_error_line(code, err) == f"error: months = {months} is outside 1 to 240\n"


def test_a_fleet_file_with_months_0_is_refused():
    doc = json.loads(fleet_inventory.fleet_json(fleet_inventory.preset("retail_chain")))
    with pytest.raises(ScenarioError, match="months = 0 is outside 1 to 240"):
        fleet_inventory.from_fleet_document({**doc, "months": 0})


# ── 12. A fleet JSON with a byte-order mark ───────────────────────────────────────────────────────
def test_a_fleet_json_with_a_byte_order_mark_is_read_as_json(tmp_path):
    expected = fleet_inventory.preset("retail_chain")
    path = tmp_path / "fleet.json"
    path.write_bytes(b"\xef\xbb\xbf" + fleet_inventory.fleet_json(expected).encode())
    code, out, err = run_cli("fleet", "--sites", path, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["name"] == expected.name
    assert fleet_inventory.is_fleet_json(b"\xef\xbb\xbf \n{") and not fleet_inventory.is_fleet_json(
        b"\xef\xbb\xbfsite\n{A}\n"
    )


def test_the_fleet_page_reads_an_uploaded_json_with_a_byte_order_mark():
    expected = fleet_inventory.preset("retail_chain")

    class Upload:
        name = "fleet.json"

        def getvalue(self):
            return b"\xef\xbb\xbf" + fleet_inventory.fleet_json(expected).encode()

    at = AppTest.from_function(_upload_script, default_timeout=30, kwargs={"upload": Upload()}).run()
    assert not at.exception, at.exception
    assert [m.value for m in at.error] == []
    assert at.markdown[-1].value == f"{expected.name}: {expected.inventory.n} rows"


def _upload_script(upload):
    import streamlit as st

    from planner.ui import fleet as page
    from planner.ui import state

    st.session_state["upload"] = upload
    if "uploaded" not in st.session_state:
        st.session_state["uploaded"] = True
        page.handle_upload("upload")
    state.show_notices(page.PLACE)
    f = page.current()
    st.write(f"{f.name}: {f.inventory.n} rows")


# ── 17. site_location on the globe ──────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "location, message",
    [
        ("99,999", "site_location: latitude 99 is outside -90 to 90 degrees"),
        ("-91, 0", "site_location: latitude -91 is outside -90 to 90 degrees"),
        ("45, 180.5", "site_location: longitude 180.5 is outside -180 to 180 degrees"),
        ("0,-999", "site_location: longitude -999 is outside -180 to 180 degrees"),
    ],
)
def test_site_location_off_the_globe_is_refused(location, message):
    with pytest.raises(ScenarioError) as err:
        validate({**to_dict(RETAIL), "site_location": location})
    assert str(err.value) == message


@pytest.mark.parametrize("location", ["", "90, 180", "-90,-180", "48.14, 11.58"])
def test_site_location_on_the_globe_is_kept(location):
    assert validate({**to_dict(RETAIL), "site_location": location}).site_location == location


def test_site_location_digits_are_ascii():
    with pytest.raises(ScenarioError, match="site_location = .* is not valid"):
        validate({**to_dict(RETAIL), "site_location": "٤٨, ١١"})


def test_the_cli_refuses_an_impossible_site_location():
    code, _, err = run_cli("report", "--preset", "retail", "--set", "site_location=99,999")
    assert one_error_line(code, err) == "error: site_location: latitude 99 is outside -90 to 90 degrees\n"
