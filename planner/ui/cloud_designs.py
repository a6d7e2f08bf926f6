"""The Costs page's fair comparison: the scenario's own cloud design against the cheapest one the site's link
carries (`planner.model.designs`), the edge's break-even, NPV and TCO against each, and one button that sets
the scenario to the cheapest."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planner.exports.report import LINK_MBPS, cloud_designs, design_summary, site_link_mbps
from planner.model.designs import UPLINK_UTILISATION, Designs
from planner.schema.format import break_even_text, md, money
from planner.schema.scenario import Scenario, parse_json, to_json
from planner.ui import state

APPLY_KEY = "costs.cheapest_cloud"


def designs_of_json(scenario_json: str, link_mbps: float) -> Designs:
    """Every cloud design of the scenario given as its JSON text, costed with the current catalog's prices."""
    return _designs(scenario_json, link_mbps, state.catalog_version())


@st.cache_resource(max_entries=32, show_spinner=False)
def _designs(scenario_json: str, link_mbps: float, catalog_version: str) -> Designs:
    """The cache behind `designs_of_json` (as `state.analysis`: one object per process for each scenario, uplink
    and catalog, shared and never changed; a rerun does not copy its hundred designs out of the cache)."""
    return cloud_designs(parse_json(scenario_json), link_mbps)


def designs_of(scenario: Scenario, link_mbps: float) -> Designs:
    """`designs_of_json` of a scenario: the cached stand-in for `designs.evaluate` (`advisor.advise` takes it)."""
    return designs_of_json(to_json(scenario), link_mbps)


def link_mbps(scenario: Scenario) -> float:
    """The site's uplink: its link class's upload capacity, or for the custom class the advisor's last submitted
    answer, else its default."""
    return site_link_mbps(
        scenario, float((st.session_state.get(state.ADVISOR_ANSWERS) or {}).get("uplink_mbps", LINK_MBPS))
    )


def link_source(scenario: Scenario) -> str:
    """Where the site's uplink figure comes from: its link class, or the advisor's answer."""
    found = state.catalog().link_class(scenario.link_class)
    return f"its link class, {found['name']}" if found else "the advisor's uplink answer"


def _apply(changes: dict, text: str) -> None:
    if state.commit(**changes):
        state.notify("success", f"Cloud design set to the cheapest the uplink carries: {text}.")


def section(scenario: Scenario) -> None:
    """'Your cloud design' against 'the cheapest feasible cloud design', and the button that applies it."""
    link = link_mbps(scenario)
    options = designs_of_json(to_json(scenario), link)
    cur, h = scenario.currency, scenario.horizon_months
    st.subheader("Your cloud design and the cheapest one")
    st.caption(
        md(
            f"{options.n} cloud designs costed for this workload (each inference pricing, commitment, "
            f"upfront payment, billing, upload and catalog region of the provider); feasible: the site's "
            f"{link:,g} Mbps uplink carries its upload at ≤ {UPLINK_UTILISATION:.0%} ({link_source(scenario)}), "
            "or the next link class of data/connectivity.csv that does, bought by the cloud side (its installation "
            "and rental in the design's cost). Cash view."
        )
    )
    own = design_summary(options, options.current)
    best = design_summary(options, options.cheapest) if options.cheapest is not None else None
    rows = {"Your cloud design": own} | ({"Cheapest feasible cloud design": best} if best else {})
    table = pd.DataFrame(
        {
            "Design": list(rows),
            "What it is": [r["text"] for r in rows.values()],
            "Fits the uplink": [
                ("yes, with a link upgrade" if r["link_upgrade_install"] or r["link_upgrade_per_month"] else "yes")
                if r["feasible"]
                else f"no ({r['upload_mbps']:,.1f} Mbps sustained)"
                for r in rows.values()
            ],
            f"Cloud, first month [{cur}]": [r["monthly_cost"] for r in rows.values()],
            f"Cloud TCO [{cur}]": [r["total_cost"] for r in rows.values()],
            f"Edge TCO [{cur}]": [r["edge_total_cost"] for r in rows.values()],
            "Edge break-even": [break_even_text(r["break_even_month"], h) for r in rows.values()],
            f"NPV of savings [{cur}]": [r["npv_savings"] for r in rows.values()],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        key="costs.designs",
        column_config={
            c: st.column_config.NumberColumn(format="accounting") for c in table.columns if c.endswith(f"[{cur}]")
        },
    )
    if best is None:
        st.warning(
            md(
                f"No cloud design fits the {link:,g} Mbps uplink or a link class it can buy: the lightest upload "
                "needs more."
            )
        )
        return
    if options.cheapest == options.current:
        st.success("Your cloud design is already the cheapest the uplink carries.")
        return
    st.markdown(
        "**Cheapest feasible:** "  # bold; the rest is escaped text
        + md(
            f"{best['text']}, {money(best['total_cost'], cur)} over {h} months "
            f"against {money(own['total_cost'], cur)}; the edge {break_even_text(best['break_even_month'], h)} "
            "against it."
        )
    )
    st.markdown("\n".join(f"- {md(line)}" for line in best["changes"]))
    st.caption(md("Prices from: " + "; ".join(best["sources"])))
    st.button(
        "Use the cheapest cloud design",
        key=APPLY_KEY,
        on_click=_apply,
        args=(options.changes[options.cheapest], best["text"]),
        help="Sets the scenario's cloud inputs to this design (the edge and the workload stay as they are).",
    )
