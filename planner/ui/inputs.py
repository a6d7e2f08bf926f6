"""Scenario inputs generated from the schema: one widget per field of `scenario.FIELDS`, catalog pickers
and tier-schedule editors, all bound to the session scenario.

A widget never gets a `value=`: `state.bind` sets its state from the scenario before it is drawn, and
its `on_change` callback validates the edit through `state.commit` (`scenario.replace`). So the
scenario stays the one source of truth and outside changes (preset, upload, share link) show at once.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from planner.advice import advisor
from planner.catalogs import currency
from planner.catalogs.catalog import TIER_ITEMS, same_value
from planner.exports.report import sources
from planner.exports.tables import edited_tiers
from planner.schema.format import md, money, number_text, price_decimals
from planner.schema.scenario import (
    FIELD_BY_NAME,
    FIELDS,
    GROUPS,
    MONEY_FIELDS,
    NO_LINK_CLASS,
    NO_REGION,
    TIER_SCHEDULES,
    ChoiceField,
    NumberField,
    Scenario,
    ScenarioError,
    TextField,
    applies,
    condition_text,
    replace,
    scale_money,
    to_dict,
)
from planner.ui import state
from planner.ui.layout import stacked_below

SLIDER_MAX_STEPS = 100  # a slider where a few key presses reach any value; finer numbers are typed
COLUMNS = 3
CUSTOM = "__custom__"


def key_for(page: str, name: str) -> str:
    return f"{page}.{name}"


# ── Field widgets ──────────────────────────────────────────────────────────────────────────────────
def label_with_unit(spec: NumberField, currency: str) -> str:
    """'Stream bitrate (Mbps)'; the unit is left out where the label already says it ('Cameras')."""
    unit = spec.unit_for(currency)
    if unit in ("", "×") or re.search(rf"\b{re.escape(unit.lower())}\b", spec.label.lower()):
        return md(spec.label)
    return md(f"{spec.label} ({unit})")


def decimals(spec: NumberField, value: float | None = None) -> int:
    """Decimals needed to show the step, the default and `value` exactly (at most 10): a field shows the
    figure the costs are computed with (Coral's $159.99, not $160)."""

    def places(x: float) -> int:
        text = f"{x:.10f}".rstrip("0")
        return len(text.split(".")[1])

    shown = (spec.step, spec.default) if value is None else (spec.step, spec.default, value)
    return 0 if spec.integer else max(map(places, shown))


def bounds_text(spec: NumberField, currency: str) -> str:
    """'0 to 60 frames/s per camera'"""
    return f"{number_text(spec.min)} to {number_text(spec.max)} {spec.unit_for(currency)}".rstrip()


def range_text(spec: NumberField, currency: str) -> str:
    """'Allowed: 0 to 60 frames/s per camera.'"""
    return f"Allowed: {bounds_text(spec, currency)}."


def is_slider(spec: NumberField) -> bool:
    return (spec.max - spec.min) / spec.step <= SLIDER_MAX_STEPS


def widget_value(spec, value):
    """A widget's value as the scenario stores it (ints for integer fields, float noise rounded off)."""
    if isinstance(spec, NumberField):
        return int(round(value)) if spec.integer else round(float(value), 12)
    return value.strip() if isinstance(spec, TextField) else value


def relevance(name: str, scenario: Scenario) -> tuple[bool, str]:
    """(disabled, note) for inputs that only matter for one option of a choice."""
    if applies(scenario, name):
        return False, ""
    return True, f"\n\nUsed when {condition_text(scenario, name, '*')}."


# ── Typed values out of range ──────────────────────────────────────────────────────────────────────
JS_SAFE_INTEGER = 2**53 - 1
OUT_OF_RANGE = "inputs.out_of_range"  # session key: {widget key: (field name, value typed, scenario value then)}


def out_of_range(key: str, scenario: Scenario) -> float | None:
    """The value typed out of range into widget `key`, while the scenario still holds the value it was typed
    over (an undo, a preset or another page's field that changes that input ends it)."""
    found = st.session_state.get(OUT_OF_RANGE, {}).get(key)
    if found is None:
        return None
    name, typed, then = found
    if getattr(scenario, name) != then:
        del st.session_state[OUT_OF_RANGE][key]
        return None
    return typed


def shown_as_typed(typed: float | None) -> bool:
    """Whether a field can keep showing the value typed (a browser sends no NaN, nor numbers past 2^53)."""
    return typed is not None and math.isfinite(typed) and abs(typed) < JS_SAFE_INTEGER


def out_of_range_text(name: str, typed: float, scenario: Scenario) -> str:
    """'**Cameras**: 250,000 is outside 1 to 100,000, not applied: the figures use 50.'"""
    spec, used = FIELD_BY_NAME[name], number_text(getattr(scenario, name))
    return (
        f"**{label_with_unit(spec, scenario.currency)}**: {number_text(typed)} is outside "
        f"{md(bounds_text(spec, scenario.currency))}, not applied: the figures use {used}."
    )


def out_of_range_notice(scenario: Scenario) -> None:
    """A warning beside the key figures while a field holds a value out of range: the figures are not of it."""
    found = {
        name: typed
        for key, (name, *_) in list(st.session_state.get(OUT_OF_RANGE, {}).items())
        if (typed := out_of_range(key, scenario)) is not None
    }
    if found:
        st.warning(
            "\n".join(f"- {out_of_range_text(name, typed, scenario)}" for name, typed in found.items())
            + "\n\nType a value in range to apply it.",
            icon="⛔",
        )


def _commit_widget(name: str, key: str) -> None:
    spec, typed = FIELD_BY_NAME[name], st.session_state[key]
    typed_out = st.session_state.setdefault(OUT_OF_RANGE, {})
    typed_out.pop(key, None)
    if isinstance(spec, NumberField) and typed is not None and not spec.min <= typed <= spec.max:
        typed_out[key] = (name, typed, getattr(state.current(), name))  # kept in the field, said beside the figures
        return
    if state.commit(**{name: widget_value(spec, typed)}) and name in DISTANCE_INPUTS:
        sync_region_distance()


def field_widget(spec, scenario: Scenario, page: str) -> None:
    """The widget for one schema field, bound to the scenario."""
    key = key_for(page, spec.name)
    disabled, note = relevance(spec.name, scenario)
    value = getattr(scenario, spec.name)
    limits = f"\n\n{md(range_text(spec, scenario.currency))}" if isinstance(spec, NumberField) else ""
    common = {
        "key": key,
        "help": md(spec.help) + limits + note,
        "disabled": disabled,
        "on_change": _commit_widget,
        "args": (spec.name, key),
    }
    if isinstance(spec, NumberField):
        kind = int if spec.integer else float
        typed_out = out_of_range(key, scenario)
        shown = state.bind(key, typed_out if shown_as_typed(typed_out) else kind(value))
        places = decimals(spec, value)
        if spec.name in MONEY_FIELDS and scenario.currency != currency.CATALOG_CURRENCY:
            places = min(places, price_decimals(value))  # converted: as a price list; the costs keep it exact
        # A typed field has no bounds in the browser, which would refuse a value out of range without a word
        # to the app: the range is checked here, and a value out of it is said beside the figures.
        bounds = (kind(spec.min), kind(spec.max)) if is_slider(spec) else (None, None)
        (st.slider if is_slider(spec) else st.number_input)(
            label_with_unit(spec, scenario.currency),
            *bounds,
            value=shown,
            step=kind(spec.step),
            format="%d" if spec.integer else f"%.{places}f",
            **common,
        )
        if typed_out is not None:
            bounds_shown = md(bounds_text(spec, scenario.currency))
            st.caption(f":red[{number_text(typed_out)} is outside {bounds_shown}: not applied.]")
    elif isinstance(spec, ChoiceField):
        options = list(spec.options)
        index = state.bind_choice(key, options, value)
        st.radio(md(spec.label), options, index=index, format_func=spec.options.get, **common)
    else:
        st.text_input(md(spec.label), state.bind(key, value), max_chars=spec.max_length, **common)


def field_grid(specs, scenario: Scenario, page: str, columns: int = COLUMNS) -> None:
    """Fields in rows of `columns`, so widgets of one row line up."""
    for start in range(0, len(specs), columns):
        for column, spec in zip(st.columns(columns, gap="medium"), specs[start : start + columns]):
            with column:
                field_widget(spec, scenario, page)


# ── Catalog pickers ────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Picker:
    """A catalog choice that fills several fields at once. `choices`: id → (display text, field values)."""

    name: str  # widget key suffix
    label: str
    help: str
    choices: dict[str, tuple[str, dict]]
    custom_text: str = "Custom figures (edited below)"  # '' : no such entry (a choice always matches)
    own: tuple[str, ...] = ()  # fields a choice fills that the scenario may change and still be that choice


def _same(scenario_values: dict, changes: dict, own: tuple[str, ...] = ()) -> bool:
    return all(same_value(scenario_values[k], v) for k, v in changes.items() if k not in own)


def _pick(picker: Picker, key: str) -> None:
    chosen = st.session_state[key]
    if chosen != CUSTOM and state.commit(**picker.choices[chosen][1]):
        if picker.name == "region":
            sync_region_distance()
        if picker.name == "link" and st.session_state.get(state.ADVISOR_ANSWERS):  # as the advisor's answers
            answers = advisor.link_class_answers(state.current().link_class)
            st.session_state[state.ADVISOR_ANSWERS] = {**st.session_state[state.ADVISOR_ANSWERS], **answers}


# ── Region distance → the advisor's latency budget ────────────────────────────────────────────────
DISTANCE_INPUTS = ("cloud_region", "site_location")


def region_distance_km(scenario: Scenario) -> float | None:
    """Site-to-region distance [km] for the advisor (rounded, within its question's range), or None."""
    km = state.catalog().region_distance_km(scenario.cloud_region, scenario.site_location)
    return None if km is None else float(min(round(km), 20_000))


def sync_region_distance() -> None:
    """Put the scenario's site-to-region distance into the advisor's submitted answers (the form shows it too)."""
    km = region_distance_km(state.current())
    if km is not None and st.session_state.get(state.ADVISOR_ANSWERS):
        st.session_state[state.ADVISOR_ANSWERS] = {**st.session_state[state.ADVISOR_ANSWERS], "region_distance_km": km}


def distance_note(scenario: Scenario) -> str:
    km = region_distance_km(scenario)
    if scenario.cloud_region == NO_REGION:
        return ""
    if km is None:
        return (
            "No site location: the advisor keeps its distance answer (500 km by default, a region in the site's "
            "part of the world). Give the site's latitude and longitude to compute it."
        )
    return (
        f"Site to region: {km:,.0f} km great-circle distance, used as the advisor's *distance to the cloud region* "
        "(latency budget: 2 × distance ÷ 200 km/ms × 1.5 route factor)."
    )


def picker_widget(picker: Picker, scenario: Scenario, page: str) -> None:
    """A selectbox showing which catalog entry the scenario's figures match (or 'custom')."""
    values = to_dict(scenario)
    current = next((cid for cid, (_, changes) in picker.choices.items() if _same(values, changes, picker.own)), CUSTOM)
    key = key_for(page, picker.name)
    texts = {CUSTOM: picker.custom_text} if picker.custom_text else {}
    texts |= {cid: text for cid, (text, _) in picker.choices.items()}
    options = list(texts)
    st.selectbox(
        picker.label,
        options,
        index=state.bind_choice(key, options, current),
        format_func=texts.get,
        key=key,
        help=picker.help,
        on_change=_pick,
        args=(picker, key),
    )
    st.caption(md(source_note(scenario, picker.name)))
    if picker.name == "region" and distance_note(scenario):
        st.caption(distance_note(scenario))


def source_note(scenario: Scenario, picker: str) -> str:
    """'Source: <entry>: <source> (as of 2026-04).' for the catalog entry whose figures the scenario uses."""
    found = next((p for p in sources(scenario) if p.picker == picker), None)
    return f"Source: {found.text()}." if found else "Custom figures: no catalog source."


def exact_money(value: float, cur: str = "USD") -> str:
    """'$2,000', '$159.99': a catalog price with its cents when it has any."""
    return money(value, cur, decimals=0 if float(value).is_integer() else 2)


def _tiers(schedule) -> list[dict]:
    return [{"start": float(start), "price": float(price)} for start, price in schedule]


def link_text(link: dict, scenario: Scenario) -> str:
    """'Metered 5G / LTE · 50 Mbps up, $60/month, 50 GB included, $15/GB above': a link class as the picker lists it."""

    def price(usd):
        return exact_money(usd * scenario.fx_rate, scenario.currency)

    text = f"{link['name']} · {link['upload_mbps']:,g} Mbps up, {price(link['usd_per_month'])}/month"
    if link["metered"] == "yes":
        text += f", {link['allowance_gb'] or 0:,g} GB included, {price(link['usd_per_gb_over'])}/GB above"
    return text


def pickers(group: str, scenario: Scenario) -> list[Picker]:
    """The catalog pickers shown at the top of an input group; their USD prices converted at the scenario's rate."""
    cat, cur = state.catalog(), scenario.currency

    def local(fields):
        return scale_money(fields, scenario.fx_rate)

    usd_note = (
        f" Catalog prices are in USD, converted at the scenario's exchange rate ({currency.rate_text(scenario)})."
    )
    if group == "Cloud":
        schedules = cat.tier_schedules("vision_per_1000_images")
        names = FIELD_BY_NAME["cloud_region"].options
        regions = {NO_REGION: (names[NO_REGION], {"cloud_region": NO_REGION})} | {
            r["region"]: (f"{names[r['region']]} · {r['city']}, {r['country']}", local(r["fields"]))
            for r in cat.regions
        }
        edited = f"{names[scenario.cloud_region]}, figures edited" if scenario.cloud_region != NO_REGION else ""
        instances = {
            key: (
                f"{r['name']} ({r['gpu']}, {r['region']}) · "
                + (
                    f"{r['endpoint']}, +{r['endpoint_surcharge_percent']:g} %"
                    if key.endswith("@endpoint")
                    else "plain VM"
                )
                + f" · {exact_money(f['instance_per_hour'] * scenario.fx_rate, cur)}/h on demand",
                local({"inference_pricing": "instances", **f}),
            )
            for key, (r, f) in cat.instance_choices(scenario.instance_commitment).items()
        }
        link_names = FIELD_BY_NAME["link_class"].options
        links = {NO_LINK_CLASS: (link_names[NO_LINK_CLASS], {"link_class": NO_LINK_CLASS})} | {
            c["id"]: (link_text(c, scenario), local(cat.link_fields(c["id"]))) for c in cat.connectivity
        }
        link_edited = (
            f"{link_names[scenario.link_class]}, figures edited" if scenario.link_class != NO_LINK_CLASS else ""
        )
        return [
            Picker(
                "region",
                "Cloud region (catalog)",
                "Fills transfer-out and per-image tiers, ingest, serverless and storage prices with the "
                "region's figures (data/cloud_regions.csv); 'No region' keeps the figures as they are." + usd_note,
                regions,
                edited,
            ),
            Picker(
                "vision_api",
                "Cloud vision API (catalog)",
                "Fills the per-image price tiers and the price source label." + usd_note,
                {
                    name: (
                        name,
                        local(
                            {"cloud_provider": name, "inference_pricing": "per_image", "inference_tiers": _tiers(tiers)}
                        ),
                    )
                    for name, tiers in schedules.items()
                },
            ),
            Picker(
                "instance",
                "Cloud GPU instance (catalog)",
                "Fills the on-demand, committed (for the commitment chosen below: pick again after changing "
                "it) and spot rates, the partial-upfront share, the managed-endpoint surcharge and the "
                "throughput estimate, and switches inference pricing to GPU instances." + usd_note,
                instances,
            ),
            Picker(
                "link",
                "Site link class (catalog)",
                "The site's connectivity (data/connectivity.csv): its upload capacity is the uplink a cloud design "
                "must fit in (Costs page), and it fills the line's rental, the data it includes and the per-GB bill "
                "above that with the class's business tariff. Custom keeps the figures as they are and takes the "
                "uplink from the advisor's answer." + usd_note,
                links,
                link_edited,
            ),
        ]
    if group == "Edge":
        fields = {d["id"]: local(cat.device_fields(d["id"])) for d in cat.hardware}  # host computer included
        devices = {
            i: (
                f"{d['name']} · {exact_money(f['device_price'], cur)}, {f['device_watts']:g} W, "
                f"{f['device_throughput_ips']:,g} inferences/s" + (" (with host)" if d["host_usd"] else ""),
                f,
            )
            for (i, f), d in zip(fields.items(), cat.hardware)
        }
        management = {
            m["id"]: (
                f"{m['name']} · {money(m['usd_per_month'] * scenario.fx_rate, cur, decimals=2)}/month "
                f"{'per device' if m['basis'] == 'per_device' else 'per site'}",
                local({"management_basis": m["basis"], "management_per_month": m["usd_per_month"]}),
            )
            for m in cat.management
        }
        return [
            Picker(
                "device",
                "Edge device (catalog)",
                "Fills device price, power and throughput. Catalog throughput is a model-only benchmark: "
                "derate it for your pipeline." + usd_note,
                devices,
                own=("device_throughput_ips",),
            ),  # derated or measured, still that device
            Picker(
                "management",
                "Management software (catalog)",
                "Fills the management fee and its basis." + usd_note,
                management,
            ),
        ]
    if group == "Carbon":
        return carbon_pickers(cat)
    return []


def carbon_pickers(cat) -> list[Picker]:
    """Site grid, cloud region, accelerator and network coefficients from data/carbon.csv."""

    def value(r):
        return f"{r['name']} · {r['value']:g} {r['unit'].replace('CO2e', 'CO₂e')}"

    def single(kind, field):
        return {r["id"]: (value(r), {field: r["value"]}) for r in cat.carbon_rows(kind)}

    regions = {
        f"{r['provider']}:{r['id']}": (
            f"{value(r)}, PUE {cat.carbon_row('cloud_pue', r['provider'], r['provider'])['value']:g}",
            cat.cloud_region_fields(r["provider"], r["id"]),
        )
        for r in cat.carbon_rows("cloud_region")
    }
    return [
        Picker(
            "grid",
            "Site grid (catalog)",
            "Fills the site's grid intensity: Ember / Our World in Data countries and US grid regions (EPA eGRID).",
            single("grid", "grid_kgco2e_per_kwh"),
        ),
        Picker(
            "cloud_region",
            "Cloud region (catalog)",
            "Fills the region's grid intensity and its provider's data-centre PUE (Cloud Carbon Footprint).",
            regions,
        ),
        Picker(
            "accelerator",
            "Cloud accelerator (catalog)",
            "Fills the accelerator power.",
            single("accelerator", "cloud_accelerator_watts"),
        ),
        Picker(
            "network",
            "Network energy (catalog)",
            "Fills the network energy per GB.",
            single("network", "network_kwh_per_gb"),
        ),
    ]


# ── Tier schedules ─────────────────────────────────────────────────────────────────────────────────
TIER_ERRORS = "tier_errors"  # session key: {field: (editor key, message)}


def _commit_tiers(name: str, key: str, base: list[dict]) -> None:
    errors = st.session_state.setdefault(TIER_ERRORS, {})
    try:
        state.set_scenario(replace(state.current(), **{name: edited_tiers(base, st.session_state[key])}))
        errors.pop(name, None)
    except ScenarioError as exc:
        errors[name] = (key, str(exc))


def tier_editor(name: str, scenario: Scenario, page: str) -> None:
    """An editable table of one tier schedule; a rejected edit stays visible with the reason under it."""
    tiers = to_dict(scenario)[name]
    digest = zlib.crc32(json.dumps(tiers).encode())
    key = key_for(page, f"{name}.{digest:08x}")  # a new schedule (from anywhere) → a fresh editor
    disabled, note = relevance(name, scenario)
    title, _, detail = TIER_SCHEDULES[name].replace("{cur}", scenario.currency).partition(": ")
    st.markdown(f"**{md(title)}**")
    st.caption(md(detail[0].upper() + detail[1:]) + note.replace("\n\n", " "))
    if name not in PICKED_TIERS:
        st.caption(md(source_note(scenario, TIER_ITEMS[name][0])))
    st.data_editor(
        pd.DataFrame(tiers, columns=["start", "price"]),
        key=key,
        num_rows="dynamic",
        hide_index=True,
        disabled=disabled,
        width="stretch",
        on_change=_commit_tiers,
        args=(name, key, tiers),
        column_config={
            "start": st.column_config.NumberColumn("Starts at", min_value=0, format="localized", required=True),
            "price": st.column_config.NumberColumn("Price", min_value=0, format="%g", required=True),
        },
    )
    error = st.session_state.get(TIER_ERRORS, {}).get(name)
    if error and error[0] == key:
        st.error(f"Tiers not applied: {error[1]}")


# ── All inputs ─────────────────────────────────────────────────────────────────────────────────────
PICKED_LABELS = {"cloud_provider", "device_id", "cloud_region", "link_class"}  # label fields the catalog pickers fill
CURRENCY_FIELDS = {"currency", "fx_rate", "fx_rate_date"}  # drawn by `currency_inputs`
PICKED_TIERS = {"inference_tiers"}  # tier schedules a picker fills (its source shows beside it)


def scenario_inputs(page: str) -> None:
    """The inputs of one schema group at a time, chosen with a segmented control.

    Only the chosen group is drawn (tabs would draw all four): fewer widgets make every rerun's
    round trip to the browser shorter.
    """
    scenario = state.current()
    key, last = key_for(page, "group"), key_for(page, "group.last")
    if st.session_state.get(key) not in GROUPS:  # first visit, or the chosen option clicked off
        st.session_state[key] = st.session_state.get(last, GROUPS[0])
    group = st.session_state[last] = st.segmented_control(
        "Inputs", GROUPS, key=key, label_visibility="collapsed", wrap=True
    )  # five groups: a phone wraps them
    group_pickers = pickers(group, scenario)
    per_row = 2 if len(group_pickers) > 3 else max(len(group_pickers), 1)
    with stacked_below(f"{page}-pickers", 900):  # a picker a row: long entry names and source notes
        for start in range(0, len(group_pickers), per_row):
            for column, picker in zip(st.columns(per_row, gap="medium"), group_pickers[start : start + per_row]):
                with column:
                    picker_widget(picker, scenario, page)
    if group == "Finance":
        currency_inputs(scenario, page)
    drawn_apart = PICKED_LABELS | CURRENCY_FIELDS
    field_grid([f for f in FIELDS if f.group == group and f.name not in drawn_apart], scenario, page)
    if group == "Cloud":
        for column, name in zip(st.columns(len(TIER_SCHEDULES), gap="medium"), TIER_SCHEDULES):
            with column:
                tier_editor(name, scenario, page)


# ── Currency ───────────────────────────────────────────────────────────────────────────────────────
def _convert(key: str, rate_key: str | None = None) -> None:
    """Convert the scenario to the chosen currency (at its reference rate), or to the typed rate."""
    scenario = state.current()
    try:
        if rate_key is None:
            converted = currency.convert(scenario, st.session_state[key])
        else:
            converted = currency.convert(scenario, scenario.currency, float(st.session_state[rate_key]), "")
    except ScenarioError as exc:
        state.notify("error", f"Not converted: {exc}")
        return
    state.set_scenario(converted)


def currency_inputs(scenario: Scenario, page: str) -> None:
    """The currency (catalog codes with ECB reference rates) and its rate per USD; either change converts every
    money input, and the rate in force is stated under them."""
    rates = {r["currency"]: r["name"] for r in state.catalog().fx_rates}
    options = list(rates) if scenario.currency in rates else [scenario.currency, *rates]
    key, rate_key = key_for(page, "currency"), key_for(page, "fx_rate")
    currency_index = state.bind_choice(key, options, scenario.currency)
    rate = state.bind(rate_key, float(scenario.fx_rate))
    spec = FIELD_BY_NAME["fx_rate"]
    left, middle = st.columns(2, gap="medium")
    with left:
        st.selectbox(
            "Currency",
            options,
            index=currency_index,
            key=key,
            on_change=_convert,
            args=(key,),
            format_func=lambda c: f"{c} — {rates[c]}" if c in rates else f"{c} (a label: no exchange rate)",
            help="Converts every money input (prices, fees, tiers) at the ECB reference rate of the new "
            "currency (data/fx_rates.csv), not just its label.",
        )
    with middle:
        st.number_input(
            label_with_unit(spec, scenario.currency),
            float(spec.min),
            float(spec.max),
            rate,
            step=spec.step,
            format="%.6f",
            key=rate_key,
            on_change=_convert,
            args=(key, rate_key),
            disabled=scenario.currency == currency.CATALOG_CURRENCY,
            help=md(spec.help) + "\n\nType your own rate to override the reference rate.",
        )
    st.caption(
        md(
            f"{currency.money_in_text(scenario)} Catalog prices are in USD; "
            "a new currency or rate converts every money input below and in the other groups."
        )
    )
