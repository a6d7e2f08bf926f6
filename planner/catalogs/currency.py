"""Currency conversion of a scenario: one pure function for the app, the CLI and the comparison.

A scenario's money figures are in its `currency`; `fx_rate` says how many units of that currency one US
dollar buys (the catalogs are priced in USD) and `fx_rate_date` when (empty for a rate set by hand). The
reference rates are the ECB's euro rates (data/fx_rates.csv), crossed through the euro:

    rate [B per USD] = units_per_eur(B) ÷ units_per_eur(USD)

Converting a scenario from currency A (at rate r_A per USD) to B (at r_B per USD) multiplies every money
input — each field whose unit contains `{cur}`, and each price of the tier schedules — by r_B ÷ r_A.
"""

from __future__ import annotations

from planner.catalogs import catalog
from planner.schema.scenario import Scenario, ScenarioError, scale_money, to_dict, validate

CATALOG_CURRENCY = "USD"
RATE_DIGITS = 6  # decimals a reference cross rate is rounded to


def reference_rate(code: str, rates: tuple[dict, ...] | None = None) -> tuple[float, str]:
    """(units of `code` per USD, the reference date) from the ECB euro rates; ScenarioError for a code without one."""
    rows = {r["currency"]: r for r in (catalog.load().fx_rates if rates is None else rates)}
    if code not in rows:
        raise ScenarioError(
            f"no reference exchange rate for {code!r}: the catalog has {', '.join(rows)} "
            "(give the rate by hand for another currency)"
        )
    if code == CATALOG_CURRENCY:
        return 1.0, rows[code]["as_of"]
    rate = rows[code]["units_per_eur"] / rows[CATALOG_CURRENCY]["units_per_eur"]
    return round(rate, RATE_DIGITS), rows[code]["as_of"]


def check_rate(rate: float) -> float:
    if not isinstance(rate, (int, float)) or not rate > 0 or rate != rate or rate == float("inf"):
        raise ScenarioError(f"exchange rate {rate!r} is not valid: give a positive number of units per USD")
    return float(rate)


def source_rate(scenario: Scenario) -> float:
    """The rate the scenario's figures stand at (per USD). A non-USD scenario from before rates were stored
    (rate 1, no date) is taken at the reference rate of its currency, when the catalog has one."""
    if scenario.currency != CATALOG_CURRENCY and scenario.fx_rate == 1 and not scenario.fx_rate_date:
        try:
            return reference_rate(scenario.currency)[0]
        except ScenarioError:
            pass
    return scenario.fx_rate


def convert(scenario: Scenario, code: str, rate: float | None = None, date: str | None = None) -> Scenario:
    """The scenario with its money in `code`: every money input × (rate ÷ the scenario's own rate).

    `rate` is units of `code` per USD; without it, the ECB reference rate and its date. A rate given by hand
    has no date unless `date` says one. Raises ScenarioError (unknown code, bad rate, a figure that leaves its
    field's range)."""
    if rate is None:
        rate, found = reference_rate(code)
        date = found if date is None else date
    rate = check_rate(rate)
    values = scale_money(to_dict(scenario), rate / source_rate(scenario))
    try:
        return validate({**values, "currency": code, "fx_rate": rate, "fx_rate_date": date or ""})
    except ScenarioError as exc:
        raise ScenarioError(f"cannot convert to {code} at {rate:g} per USD: {exc}") from None


def to_common(scenarios: list[Scenario], target: Scenario) -> tuple[list[Scenario], list[str]]:
    """Every scenario in the target's currency (at the target's rate), and a note per converted one."""
    converted, notes = [], []
    for i, s in enumerate(scenarios, start=1):
        if s.currency == target.currency and s.fx_rate == target.fx_rate:
            converted.append(s)
            continue
        try:
            converted.append(convert(s, target.currency, target.fx_rate, target.fx_rate_date))
            origin = rate_origin(target) + ("" if s.currency == CATALOG_CURRENCY else f"; it stood at {rate_text(s)}")
            notes.append(
                f"#{i} “{s.name}” converted from {s.currency} to {target.currency} at "
                f"{target.fx_rate / source_rate(s):.6g} {target.currency} per {s.currency} ({origin})."
            )
        except ScenarioError as exc:
            converted.append(s)
            notes.append(f"#{i} “{s.name}” stays in {s.currency}: it could not be converted ({exc}).")
    return converted, notes


def rate_origin(scenario: Scenario) -> str:
    """Where the scenario's rate comes from: 'ECB reference rate of 2025-10-21', 'rate of …' or 'set by hand'."""
    if not scenario.fx_rate_date:
        return "set by hand"
    try:
        reference = reference_rate(scenario.currency) == (scenario.fx_rate, scenario.fx_rate_date)
    except ScenarioError:
        reference = False
    return f"{'ECB reference rate' if reference else 'rate'} of {scenario.fx_rate_date}"


def money_in_text(scenario: Scenario) -> str:
    """'Money in USD, the catalogs' currency (no conversion).' / 'Money in EUR: 0.861549 EUR per USD, …'."""
    text = rate_text(scenario)
    if text.startswith(f"{scenario.currency}, ") or text.startswith(f"{scenario.currency} as entered"):
        return f"Money in {text}."  # the text names the currency itself
    return f"Money in {scenario.currency}: {text}."


def rate_text(scenario: Scenario) -> str:
    """'0.861549 EUR per USD, ECB reference rate of 2025-10-21' / 'USD, the catalogs' currency' / '… set by hand'."""
    if scenario.currency == CATALOG_CURRENCY and scenario.fx_rate == 1:
        return "USD, the catalogs' currency (no conversion)"
    if scenario.fx_rate == 1 and not scenario.fx_rate_date:
        return f"{scenario.currency} as entered (no exchange rate stated)"
    return f"{scenario.fx_rate:.6g} {scenario.currency} per USD, {rate_origin(scenario)}"
