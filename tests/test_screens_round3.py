"""Issue 29 (screens, round three): the fixes that need no browser."""

from __future__ import annotations

import pytest

from planner.catalogs import catalog
from planner.model import risk

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")


# ── 7. The tornado gives inputs at 0 an absolute range ─────────────────────────────────────────────
def test_inputs_at_zero_get_an_absolute_tornado_range_and_move_the_result():
    assert RETAIL.workload_growth_percent_per_year == 0 and RETAIL.install_per_device == 0
    table = risk.tornado(RETAIL, percent=20).set_index("input")
    growth = table.loc["workload_growth_percent_per_year"]
    assert (growth["low"], growth["high"]) == (-20.0, 20.0)  # ±20 points at ±20 %
    fee = table.loc["cloud_fee_change_percent_per_year"]
    assert (fee["low"], fee["high"]) == (-10.0, 10.0)  # a price change: ±10 points
    install = table.loc["install_per_device"]
    assert (install["low"], install["high"]) == (0.0, RETAIL.device_price * 0.2)  # up to 20 % of the device
    for name in ("workload_growth_percent_per_year", "cloud_fee_change_percent_per_year", "install_per_device"):
        assert table.loc[name, "swing"] > 0, name
    wider = risk.tornado(RETAIL, percent=40).set_index("input").loc["workload_growth_percent_per_year"]
    assert (wider["low"], wider["high"]) == (-40.0, 40.0)  # the span follows the percentage


# ── 6. The workbook and the Summary CSV say what the app says ──────────────────────────────────────
def _inputs_sources(book) -> dict[str, str]:
    return {row[0]: row[4] for row in book["Inputs"].iter_rows(min_row=2, values_only=True)}


def test_irr_over_the_bound_reads_over_1000_percent_in_the_summary_csv_and_the_workbook():
    import io

    import openpyxl

    from planner.exports.report import analyse_one, csv_tables, summary
    from planner.exports.workbook import workbook_bytes

    a = analyse_one(RETAIL)
    assert a.cash.irr_percent[0] > 1_000 and summary(a)["irr_percent"] is None  # pays back in 18 days: a huge rate
    table = csv_tables(a)["summary"].set_index("metric")
    assert table.loc["IRR of the move to the edge", "value"] == "over 1,000 %"
    assert table.loc["Cloud cost, first month", "value"] == round(summary(a)["cloud_monthly_cost"], 4)
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(a)))
    cell = next(row[1] for row in book["Summary"].iter_rows(min_row=2) if row[0].value == "irr_percent")
    assert cell.number_format == '[>1000]"over 1,000 %";#,##0.####'  # the exact value, read as the app says


def test_sources_are_credited_only_to_inputs_from_a_catalog():
    import io

    import openpyxl

    from planner.exports.report import analyse_one
    from planner.exports.workbook import workbook_bytes
    from planner.schema.scenario import replace

    typed = replace(RETAIL, uplink_per_gb=0.05, device_throughput_ips=4.4)  # a typed bill, a derated device
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(analyse_one(typed))))
    credited = _inputs_sources(book)
    for name in ("uplink_per_gb", "cloud_upload", "inference_pricing", "device_throughput_ips"):
        assert credited[name] == "scenario input", name
    assert credited["device_price"].startswith("Edge device: ")
    assert credited["cloud_provider"].startswith("Cloud vision API: ")
    figures = [row[2] for row in book["Sources"].iter_rows(min_row=2, values_only=True) if row[0] == "hardware.csv"]
    assert figures == ["unit_price_usd", "watts"]  # not the benchmark throughput it no longer uses


# ── 3. Converted money reads like money ────────────────────────────────────────────────────────────
def test_converted_money_is_shown_to_price_list_precision_and_the_costs_keep_the_exact_value():
    import io

    import openpyxl

    from planner.catalogs import currency
    from planner.exports import printable
    from planner.exports.report import analyse_one
    from planner.exports.workbook import workbook_bytes
    from planner.schema.format import input_text, price_text
    from planner.schema.scenario import to_dict

    assert (price_text(214.525701), price_text(0.04307745), price_text(2_000.0), price_text(1_723.098)) == (
        "214.53",
        "0.04308",
        "2,000",
        "1,723.10",
    )  # cents from 1 up, else 4 significant figures
    eur = currency.convert(RETAIL, "EUR")
    rate = eur.fx_rate
    assert eur.uplink_per_gb == pytest.approx(RETAIL.uplink_per_gb * rate, rel=1e-12)  # stored exactly
    assert input_text("uplink_per_gb", eur.uplink_per_gb, converted=True) == price_text(RETAIL.uplink_per_gb * rate)
    tiers = input_text("inference_tiers", to_dict(eur)["inference_tiers"], converted=True)
    assert tiers.startswith(f"from 0: {round(1.0 * rate, 4):g}")
    a = analyse_one(eur)
    html = printable.assumptions_html(a)  # the printed report
    assert f"{price_text(eur.device_price)} EUR/device" in html and f"{eur.device_price!r}" not in html
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(a)))
    cells = {row[0].value: row[1] for row in book["Inputs"].iter_rows(min_row=2)}
    assert cells["uplink_per_gb"].value == eur.uplink_per_gb  # the model's exact figure
    assert cells["uplink_per_gb"].number_format == "#,##0.000000"  # read as 0.008615
    assert cells["device_price"].number_format == "#,##0.00"


# ── 11. 'Money in USD', not 'Money in USD: USD' ─────────────────────────────────────────────────────
def test_money_in_text_names_the_currency_once():
    from planner.catalogs import currency

    assert currency.money_in_text(RETAIL) == "Money in USD, the catalogs' currency (no conversion)."
    eur = currency.convert(RETAIL, "EUR")
    assert currency.money_in_text(eur) == f"Money in EUR: {currency.rate_text(eur)}."
