"""Currency conversion by hand (fast tier, read by `make mutation`): cross rates through the euro, a rate set by
hand as the figures' own rate, the comparison's notes word for word, and where a rate comes from in words."""

import pytest

from planner.catalogs import catalog, currency
from planner.schema.scenario import ScenarioError, replace

pytestmark = pytest.mark.unit

RETAIL = replace(catalog.preset("retail"), device_price=2000.0)
EUR_PER_USD = round(1 / 1.1607, 6)  # data/fx_rates.csv: 1.1607 USD and 1 EUR per EUR (2025-10-21)
GBP_PER_USD = round(0.86780 / 1.1607, 6)  # 0.86780 GBP per EUR
RATES = (
    {"currency": "USD", "units_per_eur": 1.25, "as_of": "2026-01-02"},
    {"currency": "EUR", "units_per_eur": 1.0, "as_of": "2026-01-02"},
    {"currency": "JPY", "units_per_eur": 160.0, "as_of": "2026-01-03"},
    {"currency": "XTH", "units_per_eur": 1.0 / 2.4, "as_of": "2026-01-04"},
)


def test_a_reference_rate_is_crossed_through_the_euro_and_rounded_to_six_decimals():
    assert currency.reference_rate("JPY", RATES) == (128.0, "2026-01-03")  # 160 ÷ 1.25
    assert currency.reference_rate("EUR", RATES) == (0.8, "2026-01-02")  # 1 ÷ 1.25
    assert currency.reference_rate("USD", RATES) == (1.0, "2026-01-02")
    assert currency.reference_rate("XTH", RATES) == (0.333333, "2026-01-04")  # (1 ÷ 2.4) ÷ 1.25 = 1/3
    assert currency.reference_rate("EUR") == (EUR_PER_USD, "2025-10-21")  # the catalog's rates


def test_a_code_without_a_reference_rate_names_the_codes_there_are():
    with pytest.raises(ScenarioError) as raised:
        currency.reference_rate("XYZ", RATES)
    assert str(raised.value) == (
        "no reference exchange rate for 'XYZ': the catalog has USD, EUR, JPY, XTH "
        "(give the rate by hand for another currency)"
    )


def test_a_rate_that_is_no_number_is_refused_as_invalid():
    with pytest.raises(ScenarioError, match="exchange rate '2' is not valid"):
        currency.check_rate("2")
    assert currency.check_rate(2) == 2.0 and isinstance(currency.check_rate(2), float)


def test_figures_at_a_rate_set_by_hand_convert_from_that_rate():
    by_hand = currency.convert(RETAIL, "EUR", 0.8)
    assert (by_hand.device_price, by_hand.fx_rate, by_hand.fx_rate_date) == (1600.0, 0.8, "")
    # back to USD at 1600 ÷ 0.8, not at the euro's reference rate
    assert currency.convert(by_hand, "USD").device_price == pytest.approx(2000.0, rel=1e-12)


def test_a_date_given_with_the_reference_rate_is_kept():
    dated = currency.convert(RETAIL, "EUR", date="2025-12-31")
    assert (dated.fx_rate, dated.fx_rate_date) == (EUR_PER_USD, "2025-12-31")


def test_the_comparison_notes_name_each_scenario_its_rate_and_where_it_came_from():
    paris = currency.convert(replace(RETAIL, name="Paris"), "EUR")
    london = currency.convert(replace(RETAIL, name="London"), "GBP")
    shown, notes = currency.to_common([replace(RETAIL, name="Austin"), london, paris], paris)
    assert shown[2] is paris and [s.currency for s in shown] == ["EUR"] * 3
    assert [s.fx_rate_date for s in shown] == ["2025-10-21"] * 3
    assert shown[0].device_price == pytest.approx(2000 * EUR_PER_USD)
    assert shown[1].device_price == pytest.approx(2000 * GBP_PER_USD * EUR_PER_USD / GBP_PER_USD)
    assert notes == [
        f"#1 “Austin” converted from USD to EUR at {EUR_PER_USD:.6g} EUR per USD (ECB reference rate of 2025-10-21).",
        f"#2 “London” converted from GBP to EUR at {EUR_PER_USD / GBP_PER_USD:.6g} EUR per GBP (ECB reference rate "
        f"of 2025-10-21; it stood at {GBP_PER_USD:.6g} GBP per USD, ECB reference rate of 2025-10-21).",
    ]


def test_the_same_currency_at_another_rate_is_converted_too():
    paris = currency.convert(replace(RETAIL, name="Paris"), "EUR")
    by_hand = currency.convert(replace(RETAIL, name="Lyon"), "EUR", 0.8)
    shown, notes = currency.to_common([by_hand, paris], paris)
    assert shown[0].fx_rate == EUR_PER_USD and shown[0].device_price == pytest.approx(1600 * EUR_PER_USD / 0.8)
    back, _ = currency.to_common([replace(RETAIL, name="Austin")], by_hand)  # to the target's rate set by hand
    assert (back[0].fx_rate, back[0].device_price) == (0.8, 1600.0)
    assert notes == [
        f"#1 “Lyon” converted from EUR to EUR at {EUR_PER_USD / 0.8:.6g} EUR per EUR (ECB reference rate "
        "of 2025-10-21; it stood at 0.8 EUR per USD, set by hand)."
    ]


def test_a_scenario_that_cannot_be_converted_stays_with_a_note_why():
    dear = replace(RETAIL, name="Dear", device_price=900_000.0)
    target = currency.convert(RETAIL, "XYZ", 2.0)
    shown, notes = currency.to_common([dear], target)
    assert shown == [dear] and len(notes) == 1
    assert notes[0].startswith(
        "#1 “Dear” stays in USD: it could not be converted (cannot convert to XYZ at 2 per USD: "
    )


def test_where_a_rate_comes_from_in_words():
    assert currency.rate_origin(currency.convert(RETAIL, "EUR")) == "ECB reference rate of 2025-10-21"
    assert currency.rate_origin(currency.convert(RETAIL, "EUR", 0.9, "2025-10-21")) == "rate of 2025-10-21"
    assert currency.rate_origin(currency.convert(RETAIL, "XYZ", 2.0, "2025-01-01")) == "rate of 2025-01-01"
    assert currency.rate_origin(currency.convert(RETAIL, "XYZ", 2.0)) == "set by hand"


def test_the_money_line_of_each_kind_of_rate():
    assert currency.money_in_text(RETAIL) == "Money in USD, the catalogs' currency (no conversion)."
    old = replace(RETAIL, currency="EUR")  # rate 1 and no date: figures entered before rates were stored
    assert currency.money_in_text(old) == "Money in EUR as entered (no exchange rate stated)."
    assert currency.money_in_text(currency.convert(RETAIL, "EUR")) == (
        f"Money in EUR: {EUR_PER_USD:.6g} EUR per USD, ECB reference rate of 2025-10-21."
    )
    assert currency.rate_text(currency.convert(RETAIL, "USD", 2.0)) == "2 USD per USD, set by hand"
