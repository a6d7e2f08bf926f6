"""A programme's results as tables: the deciding reason of each site, the per-site table, the plans' summary,
the monthly cash flow, the JSON result and CSVs; what changed between two fleets (a saved plan's revisions).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from planner.fleet.devices import DEVICE_COLUMNS, FIT_RULE_TEXT, OWN_DEVICE, DeviceChoice
from planner.fleet.inventory import CLOUD_SIDES, PLACEMENTS, PLANS, SPECS, Fleet, answers_dict, cell_text
from planner.fleet.programme import HARD_RULES, Programme
from planner.model import designs
from planner.model.designs import UPLINK_UTILISATION
from planner.schema.format import break_even_label, irr_figures
from planner.schema.safe_csv import table_csv
from planner.schema.scenario import to_dict

if TYPE_CHECKING:  # imported where used: the commands that need no tables skip loading it
    import pandas as pd


# ── Words for the keys ─────────────────────────────────────────────────────────────────────────────
PLACEMENT_TEXT = {"cloud": "Cloud", "split_brain_edge": "Split-brain edge", "edge_only": "Edge only"}
SITE_COLUMN_TEXT = {
    "name": "Site",
    "count": "Sites",
    "go_live_month": "Go-live month",
    "placement": "Placement",
    "advised": "Advised",
    "device": "Edge device",
    "cloud_design": "Cloud design",
    "reason": "Why",
    "devices": "Devices",
    "capex": "Capex",
    "monthly_saving": "Monthly saving",
    "payback_month": "Payback",
    "pin_cost_npv": "Pin cost (NPV)",
}
INVENTORY_COLUMN_TEXT = {
    "site": "Site",
    "count": "Sites (count)",
    "go_live_month": "Go-live month",
    "pin": "Pinned placement",
    "device": "Edge device",
    "cloud_account": "Cloud account",
}


def column_label(name: str) -> str:
    """An inventory column as a reader knows it: the fleet's own words, else the field's or question's label."""
    spec = SPECS.get(name)
    return INVENTORY_COLUMN_TEXT.get(name) or (spec.label if spec is not None else name)


def placement_text(keys) -> np.ndarray:
    """'split_brain_edge' → 'Split-brain edge', element-wise (blank and unknown cells unchanged)."""
    return np.array([PLACEMENT_TEXT.get(k, k) for k in np.asarray(keys, dtype=object)], dtype=object)


# ── Results as tables ───────────────────────────────────────────────────────────────────────────────
def _none(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def reasons(p: Programme) -> np.ndarray:
    """The deciding reason of each site's placement, one line each (built column-wise, no loop over sites)."""
    pl = p.placement
    n = p.fleet.inventory.n
    # Hard constraints: one text per distinct combination (at most 2⁵), picked by a bit code per row.
    code = pl.hard.astype(int) @ (1 << np.arange(len(HARD_RULES)))
    codes, inverse = np.unique(code, return_inverse=True)
    hard_text = np.array(
        ["edge mandatory for " + ", ".join(HARD_RULES[i] for i in range(len(HARD_RULES)) if c >> i & 1) for c in codes],
        dtype=object,
    )[inverse]
    side = np.where(pl.edge_votes > pl.cloud_votes, "edge", "cloud").astype(object)  # the vote's (fit: below)
    side = np.where(pl.edge_votes == pl.cloud_votes, np.where(pl.advised != 0, "edge", "cloud"), side).astype(object)
    high = np.char.mod("%.1f", np.maximum(pl.edge_votes, pl.cloud_votes)).astype(object)
    low = np.char.mod("%.1f", np.minimum(pl.edge_votes, pl.cloud_votes)).astype(object)
    vote_text = np.where(
        pl.edge_votes != pl.cloud_votes,
        "the site's answers and the money favour the " + side + " (weighted votes " + high + " to " + low + ")",
        "a tie in the weighted votes: the " + side + " stays",
    )
    why = np.where(code > 0, hard_text, vote_text)
    table = p.fleet.inventory.table
    pins = table["pin"].to_numpy(dtype=object) if "pin" in table else np.full(n, "", dtype=object)
    advised = placement_text(np.array(PLACEMENTS, dtype=object)[pl.advised])
    why = np.where(pins != "", "pinned to " + placement_text(pins) + " (advised: " + advised + ", as " + why + ")", why)
    short = pl.power_needed_watts > pl.power_available_watts
    per_site = np.round(pl.power_needed_watts / np.where(pl.device_watts > 0, pl.device_watts, 1))
    power = (
        np.char.mod("%.0f", per_site).astype(object)
        + np.where(per_site == 1, " device × ", " devices × ")
        + np.char.mod("%g", pl.device_watts).astype(object)
        + " W = "
        + np.char.mod("%.0f", pl.power_needed_watts)
        + " W needed, "
        + np.char.mod("%.0f", pl.power_available_watts)
        + " W available"
    )
    why = np.where(
        short & p.edge, why + "; its devices do not fit the site's power (" + power + "): costed as if they did", why
    )
    why = np.where(short & ~p.edge, why + "; the edge's devices would not fit the site's power (" + power + ")", why)
    return (why + _upload_reasons(p) + _device_reasons(p.device)).astype(str)


def _upload_reasons(p: Programme) -> np.ndarray:
    """'; its link cannot carry its video …: the cloud is costed with the cheapest design its link carries (… Mbps)',
    or that it carries neither video nor frames: for the rows whose link limits the cloud (`devices.cloud_designs`)."""
    u = p.upload
    if u is None or not u.too_thin.any():
        return np.full(p.fleet.inventory.n, "", dtype=object)

    def mbps(x):
        return np.char.mod("%.1f", x).astype(object)

    room = f"{UPLINK_UTILISATION:.0%} of "
    link = mbps(u.link_mbps) + " Mbps)"
    return np.select(
        [u.cannot_upload, u.too_thin],
        [
            "; its link carries neither its video nor its frames to the cloud ("
            + mbps(u.video_mbps)
            + " or "
            + mbps(u.frames_mbps)
            + " Mbps sustained, more than "
            + room
            + link
            + ", nor does any link class it could buy: the all-cloud plan could not run here",
            "; its link cannot carry its "
            + u.given.astype(object)
            + " to the cloud ("
            + mbps(u.own_mbps)
            + " Mbps sustained, more than "
            + room
            + link
            + ": the cloud is costed with the cheapest design"
            + np.where(u.over_upgrade, ", over a link upgrade it buys (", " its link carries (").astype(object)
            + mbps(u.sustained_mbps)
            + " Mbps)",
        ],
        "",
    ).astype(object)


def _device_reasons(d: DeviceChoice) -> np.ndarray:
    """What the catalog search found, for the rows that asked for it: '; cheapest of 4 catalog devices that fit',
    or '; no catalog device fits: power' (the rules that the devices nearest to fitting break)."""
    codes, inverse = np.unique(d.unfit, return_inverse=True)
    unfit = np.array(
        [
            "; no catalog device fits: " + ", ".join(FIT_RULE_TEXT[i] for i in range(len(FIT_RULE_TEXT)) if c >> i & 1)
            for c in codes
        ],
        dtype=object,
    )[inverse]
    found = np.where(
        d.fitting == 1,
        "; the only catalog device that fits",
        "; cheapest of " + d.fitting.astype(str).astype(object) + " catalog devices that fit",
    )
    return np.where(d.searched, np.where(d.fitting > 0, found, unfit), "")


SITE_COLUMNS = (
    "name",
    "count",
    "go_live_month",
    "placement",
    "advised",
    "device",
    "cloud_design",
    "reason",
    "devices",
    "capex",
    "monthly_saving",
    "payback_month",
    "pin_cost_npv",
)


def site_table(p: Programme) -> pd.DataFrame:
    """Per row: its placement, device, devices, capex, average monthly saving and payback under that placement.

    device is the catalog id the row is costed with (its cell's, or the search's pick), else the base
    scenario's device_id when the row sets none of the device columns, else "row's own";
    devices, capex and monthly saving count every site the row stands for; payback_month is the programme
    month at which the site's cumulative savings reach zero (None if not within the programme);
    pin_cost_npv is the NPV the pin gives up against the advised placement (0 without a pin).
    """
    import pandas as pd

    r, edge, count = p.rows, p.edge, p.count
    live_months = p.months - p.go_live
    monthly_saving = (r.cloud_total - (r.edge_total - r.capex_total)) / live_months * count
    rate = p.fleet.base.discount_percent_per_year
    npv_site = r.npv_savings * count * (1 + rate / 100) ** (-p.go_live / 12)
    advised_edge = p.placement.advised != 0
    return pd.DataFrame(
        {
            "name": p.fleet.inventory.table["site"].to_numpy(),
            "count": count.astype(int),
            "go_live_month": p.go_live,
            "placement": np.array(PLACEMENTS)[p.placement.final],
            "advised": np.array(PLACEMENTS)[p.placement.advised],
            "device": device_used(p),
            "cloud_design": cloud_design_text(p),
            "reason": reasons(p),
            "devices": np.where(edge, p.devices * count, 0).astype(int),
            "capex": np.where(edge, r.capex_total * count, 0.0),
            "monthly_saving": np.where(edge, monthly_saving, 0.0),
            "payback_month": np.where(edge, p.go_live + r.payback_months, np.nan),
            "pin_cost_npv": np.where(advised_edge, npv_site, 0.0) - np.where(edge, npv_site, 0.0),
        }
    )


def site_display(sites: pd.DataFrame, horizon_months: int) -> pd.DataFrame:
    """`site_table` for reading: placements in words, payback in the break-even wording, columns labelled."""
    return sites.assign(
        placement=placement_text(sites["placement"]),
        advised=placement_text(sites["advised"]),
        payback_month=[break_even_label(_none(m), horizon_months) for m in sites["payback_month"]],
    ).rename(columns=SITE_COLUMN_TEXT)


def cloud_design_text(p: Programme) -> np.ndarray:
    """The site table's `cloud_design` column: the cloud design each row is costed with, in words; with the fleet's
    cloud side `cheapest`, whether it is the row's own ("its own design, the cheapest its link carries", or its link
    carries none); with `own`, for a row whose link cannot carry its own design, that it is the cheapest its link
    carries (or that it carries none); a design over a link upgrade the row buys says so."""
    n = p.fleet.inventory.n
    if p.cloud_inputs is None:
        return np.full(n, "", dtype=object)
    words = designs.inputs_text(p.cloud_inputs)
    if p.cloud_design is None:
        return words
    cheapest = np.where(
        p.upload.over_upgrade, "the cheapest, over a link upgrade it buys", "the cheapest its link carries"
    )
    if p.fleet.cloud == "own":  # only the rows whose link cannot carry their own design were searched
        return np.select(
            [p.upload.cannot_upload, p.upload.too_thin],
            [
                words + " (its own design: its link carries none)",
                words + " (" + cheapest + ": its own design does not fit its link)",
            ],
            words,
        ).astype(object)
    own = p.cloud_design.design < 0
    return np.select(
        [own & p.cloud_design.feasible, own],
        [
            words + " (its own design: the cheapest its link carries)",
            words + " (its own design: its link carries none)",
        ],
        words + " (" + cheapest + ")",
    ).astype(object)


def device_used(p: Programme) -> np.ndarray:
    """The site table's `device` column (see `site_table`)."""
    numbers = p.fleet.inventory.numbers
    own = np.zeros(p.fleet.inventory.n, bool)
    for name in DEVICE_COLUMNS:
        if name in numbers:
            own |= ~np.isnan(numbers[name])
    fallback = np.where(own, OWN_DEVICE, p.fleet.base.device_id).astype(object)
    return np.where(p.device.device_id != "", p.device.device_id, fallback).astype(object)


def plan_summary(p: Programme) -> dict[str, dict]:
    """Per plan: capex (total, by quarter), break-even, NPV, IRR, TCO, savings, sites on the edge, and emissions
    [kg CO₂e] over the programme (each site over its months from go-live) with what they avoid against all cloud."""
    f = p.plans
    out = {}
    quarters = np.arange(0, p.months, 3)
    _, edge_kg = p.kgco2e_per_site
    cloud_kg = p.plan_cloud_kgco2e.sum(axis=1)  # the plan's sites in the cloud, their instances pooled
    on_edge = {
        "all_cloud": np.zeros(len(p.count), bool),
        "all_edge": np.ones(len(p.count), bool),
        "recommended": p.edge,
    }
    all_cloud_kg = float(cloud_kg[0])
    for i, plan in enumerate(PLANS):
        kg = float(cloud_kg[i] + p.count @ np.where(on_edge[plan], edge_kg, 0.0))
        out[plan] = {
            "capex_total": float(f.capex_total[i]),
            "capex_by_quarter": [float(x) for x in np.add.reduceat(p.plan_capex[i], quarters)],
            "break_even_month": None if i == 0 else _none(f.break_even_month[i]),
            "npv": float(f.npv_savings[i]),
            **dict(
                zip(
                    ("irr_percent", "irr_note"),
                    irr_figures(int(p.irr_sign_changes[i]), p.irr_rates[i])
                    if p.irr_sign_changes is not None
                    else irr_figures(int(np.isfinite(p.irr[i])), [p.irr[i]]),
                )
            ),
            **(_after_tax(p.after_tax, i) if p.after_tax is not None else {}),
            "tco": float(p.cloud_monthly.sum() - f.savings_total[i]),
            "savings_total": float(f.savings_total[i]),
            "sites_on_edge": int(p.count[on_edge[plan]].sum()),
            "kgco2e_total": kg,
            "kgco2e_avoided": all_cloud_kg - kg,
        }
    return out


def _after_tax(after_tax, i: int) -> dict:
    """Plan i's `npv_after_tax`, `irr_percent_after_tax` and `irr_note_after_tax`, as a scenario's JSON has them."""
    irr, note = irr_figures(int(after_tax.irr_sign_changes[i]), after_tax.irr_rates[i])
    return {"npv_after_tax": float(after_tax.npv_savings[i]), "irr_percent_after_tax": irr, "irr_note_after_tax": note}


def monthly_table(p: Programme) -> pd.DataFrame:
    """The programme's cash flow by month, per plan: cost and cumulative savings against all cloud."""
    import pandas as pd

    cost = p.plan_opex + p.plan_capex
    cum = np.cumsum(p.cloud_monthly[None, :] - cost, axis=1)
    data = {"month": np.arange(1, p.months + 1)}
    for i, plan in enumerate(PLANS):
        data[f"{plan}_capex"] = p.plan_capex[i]
        data[f"{plan}_cost"] = cost[i]
    for i, plan in enumerate(PLANS):
        data[f"{plan}_cumulative_savings"] = cum[i]
    return pd.DataFrame(data)


def result_dict(p: Programme) -> dict:
    sites = site_table(p)
    return {
        "name": p.fleet.name,
        "base": {"name": p.fleet.base.name, "source": p.fleet.base_source},
        "currency": p.fleet.base.currency,
        "months": p.months,
        "cloud": p.fleet.cloud,
        "rows": p.fleet.inventory.n,
        "sites_total": int(p.count.sum()),
        "sites_link_too_thin": _named(p, None if p.upload is None else p.upload.too_thin),
        "sites_without_upload": _named(p, None if p.upload is None else p.upload.cannot_upload),
        "plans": plan_summary(p),
        "sites": [
            {k: (_none(v) if isinstance(v, float) else v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in sites.to_dict("records")
        ],
    }


def _named(p: Programme, rows: np.ndarray | None) -> list[str]:
    """The site names of the rows marked."""
    return [] if rows is None else [str(s) for s in p.fleet.inventory.table["site"].to_numpy()[rows]]


def to_csv(frame: pd.DataFrame) -> str:
    """A result table (per site, monthly) through the spreadsheet-safe writer."""
    return table_csv(frame)


# ── What changed between two fleets (a saved plan's revisions) ─────────────────────────────────────
CHANGE_COLUMNS = ("What", "Change", "Detail")


def fleet_changes(old: Fleet, new: Fleet) -> pd.DataFrame:
    """What differs between two fleets, one line each: the programme's name, months, base scenario and base
    answers, then the site rows added, removed or changed (rows matched by site name; a second row of the same
    name is "name (2)"). A blank cell reads "(base)": it takes the base's value."""
    import pandas as pd

    lines = []
    if old.name != new.name:
        lines.append(("Fleet name", "changed", f"{old.name} → {new.name}"))
    if old.months != new.months:
        lines.append(("Programme months", "changed", f"{old.months} → {new.months}"))
    if old.base_source != new.base_source:
        lines.append(("Base source", "changed", f"{old.base_source} → {new.base_source}"))
    if old.cloud != new.cloud:
        lines.append(("Cloud side", "changed", f"{CLOUD_SIDES[old.cloud]} → {CLOUD_SIDES[new.cloud]}"))
    for what, before, after in (
        ("Base scenario", to_dict(old.base), to_dict(new.base)),
        ("Base answers", answers_dict(old.answers), answers_dict(new.answers)),
    ):
        if before != after:
            lines.append((what, "changed", _cells_change(before, after, sorted(set(before) | set(after)))))
    before, after = _rows_by_site(old.inventory.table), _rows_by_site(new.inventory.table)
    for site, cells in after.items():
        if site not in before:
            lines.append((site, "added", ", ".join(f"{k} {v}" for k, v in cells.items() if v and k != "site")))
        elif cells != before[site]:
            lines.append(
                (site, "changed", _cells_change(before[site], cells, list(dict.fromkeys([*before[site], *cells]))))
            )
    lines += [(site, "removed", "") for site in before if site not in after]
    return pd.DataFrame(lines, columns=CHANGE_COLUMNS)


def _rows_by_site(table: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Site rows by name (the n-th row of a repeated name is "name (n)"), blank cells left out."""
    rows, seen = {}, {}
    for row in table.to_dict("records"):
        name = row["site"]
        seen[name] = seen.get(name, 0) + 1
        rows[name if seen[name] == 1 else f"{name} ({seen[name]})"] = {k: v for k, v in row.items() if v != ""}
    return rows


def _cells_change(before: dict, after: dict, keys) -> str:
    def text(cells, key):
        value = cells.get(key, "")
        return "(base)" if value in ("", None) else cell_text(value)

    return "; ".join(f"{k} {text(before, k)} → {text(after, k)}" for k in keys if before.get(k) != after.get(k))
