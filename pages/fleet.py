"""Fleet: a site inventory, a placement per site, rollout waves, and the programme's business case."""

import zlib

import streamlit as st

from planner.fleet import inventory as fleet_inventory
from planner.fleet import programme as fleet_programme
from planner.fleet import tables as fleet_tables
from planner.schema.format import break_even_label, md, money
from planner.ui import fleet as page
from planner.ui import pieces, state
from planner.ui import plans as plans_ui

f = page.current()
st.title("Fleet")
st.caption(
    "One row per site (or per group of identical sites: *Sites (count)*). A blank cell takes the value of the "
    "*Base scenario* picked below (per site) or the base answer. Costs and capex of a site start at its *Go-live "
    "month*; a *Pinned placement* forces one."
)
state.show_notices(page.PLACE)

top = st.columns([2, 1, 1], gap="medium", vertical_alignment="bottom")
with top[0]:
    presets = fleet_inventory.presets()
    choice = st.selectbox(
        "Fleet preset",
        list(presets),
        format_func=presets.get,
        index=None,
        placeholder="Load a bundled fleet…",
        key="fleet.preset",
    )
with top[1]:
    st.button(
        "Load", key="fleet.load", disabled=choice is None, on_click=page.load_preset, args=(choice,), width="stretch"
    )
with top[2]:
    months = int(
        st.number_input(
            "Programme months", 1, 240, f.months, 1, key=f"fleet.months.{st.session_state.get(page.VERSION, 0)}"
        )
    )

base_row = st.columns([2, 2], gap="medium", vertical_alignment="bottom")
with base_row[0]:
    base_labels = page.base_options(f)
    base_choice = st.selectbox(
        "Base scenario",
        list(base_labels),
        format_func=base_labels.get,
        key=page.base_key(),
        on_change=page.choose_base,
        args=(page.base_key(),),
        help="What every blank cell takes (an uploaded inventory CSV too): a bundled preset, the current scenario, "
        "or a saved scenario plan's latest revision. The table, answers and months are kept. The fleet file "
        "stores the base and where it came from.",
    )
if base_choice == page.PLAN_BASE:
    with base_row[1]:
        try:
            plan_labels = plans_ui.scenario_plan_labels()
        except plans_ui.store_module().StoreError as exc:
            st.warning(f"The saved plans cannot be listed: {md(plans_ui.problem(exc))}.")
        else:
            if not plan_labels:
                st.info("No saved scenario plan yet: save one on the Plans page.")
            picked = st.selectbox(
                "Saved scenario plan",
                list(plan_labels),
                format_func=plan_labels.get,
                index=None,
                placeholder="Pick a plan…",
                key="fleet.base_plan",
            )
            st.button(
                "Use this plan as the base",
                key="fleet.base_plan.use",
                disabled=picked is None,
                on_click=page.use_plan_base,
                args=(picked, plans_ui.open_scenario_plan),
            )

cloud = st.radio(
    "Cloud side",
    list(fleet_inventory.CLOUD_SIDES),
    index=list(fleet_inventory.CLOUD_SIDES).index(f.cloud),
    format_func=lambda key: fleet_inventory.CLOUD_SIDES[key].capitalize(),
    horizontal=True,
    key=f"fleet.cloud.{st.session_state.get(page.VERSION, 0)}",
    help="The cloud each site is costed with, in the three plans and the placement alike: the design the inventory "
    "states (pricing, commitment, upload, region), or the cheapest design the site's link carries (a site whose "
    "link carries none keeps its own). Sites given the same design share its pooled bills. The fleet file stores it.",
)

table = st.data_editor(
    f.inventory.table,
    num_rows="dynamic",
    key=page.editor_key(),
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * (f.inventory.n + 1), 420),
    column_config={c: st.column_config.Column(fleet_tables.column_label(c)) for c in f.inventory.table.columns}
    | {"site": st.column_config.TextColumn("Site", pinned=True)},
)
f = page.edited(f, table, months, cloud)
if f.inventory.errors:
    st.warning(
        "Refused (the base value is used instead):\n\n"
        + "\n".join(f"- {md(e)}" for e in fleet_inventory.errors_text(f.inventory.errors))
    )
if f.inventory.n == 0:
    st.info("Add a row per site (or upload an inventory CSV) to see the programme.")
    st.stop()

p = fleet_programme.evaluate(f, search=page.search_designs)  # each row searched once for its inputs
sites = fleet_tables.site_table(p)
cur = f.base.currency

placed = sites.groupby("placement")["count"].sum()
with st.container(horizontal=True, gap="large"):  # wraps on narrow screens rather than truncating
    st.metric("Sites", f"{int(p.count.sum()):,}", help=f"{f.inventory.n:,} rows", width="content")
    for key in fleet_inventory.PLACEMENTS:
        sites_here = int(placed.get(key, 0))
        st.metric(
            fleet_tables.PLACEMENT_TEXT[key], f"{sites_here:,} site{'' if sites_here == 1 else 's'}", width="content"
        )

st.subheader("Three plans")
st.markdown(  # the cloud side said when it is not the inventory's own (each site's design: *Cloud design* below)
    f"**{md(f.name)}** · base: {md(f.base_text)}"
    + (f" · cloud side: {fleet_inventory.CLOUD_SIDES[f.cloud]}" if f.cloud != "own" else "")
)
summary = fleet_tables.plan_summary(p)["recommended"]
be = summary["break_even_month"]
with st.container(horizontal=True, gap="large"):  # wraps on narrow screens rather than truncating
    st.metric(
        "Recommended: break-even",
        break_even_label(be, f.months),
        width="content",
        help="Programme month at which the recommended mix's cumulative cost falls to the all-cloud plan's.",
    )
    st.metric("Recommended: capex", money(summary["capex_total"], cur), width="content")
    st.metric("Recommended: NPV of savings", money(summary["npv"], cur), width="content", help="Against all cloud.")
    if "npv_after_tax" in summary:  # the base sets a tax rate: the after-tax NPV beside the pre-tax one
        st.metric(
            "Recommended: NPV after tax",
            money(summary["npv_after_tax"], cur),
            width="content",
            help=f"At the base's {f.base.tax_rate_percent:g} % tax rate: running costs deductible as paid, edge "
            "capex through its depreciation, an upfront commitment over its term. Against all cloud.",
        )
    st.metric(
        "Recommended: TCO", money(summary["tco"], cur), width="content", help=f"Over {f.months} programme months."
    )
plans_table = page.plans_table(p)
st.dataframe(
    plans_table,
    hide_index=True,
    width="stretch",
    column_config={
        c: st.column_config.NumberColumn(format="accounting" if c.endswith(f"[{cur}]") else "localized")
        for c in plans_table.columns
        if c.endswith("]")
    },
)
st.caption(
    "The cloud bills an account, not a site: its tiers, free allowances and GPU instance pool are priced on the "
    "volume of every site a plan leaves in the cloud (one account unless the table's *Cloud account* column names "
    "several)."
)
if p.upload is not None and (p.upload.too_thin & ~p.upload.cannot_upload).any():
    rerouted = p.upload.too_thin & ~p.upload.cannot_upload
    st.info(
        "These sites' links cannot carry their own cloud design, so their cloud is costed with the cheapest design "
        "their link carries: "
        + ", ".join(
            fleet_inventory.errors_text(tuple(md(str(n)) for n in f.inventory.table["site"].to_numpy()[rerouted]))
        )
    )
if p.upload is not None and p.upload.cannot_upload.any():
    stranded = [md(str(name)) for name in f.inventory.table["site"].to_numpy()[p.upload.cannot_upload]]
    st.warning(
        "The all-cloud plan could not run at these sites: their link carries neither their video nor their frames "
        "to the cloud: " + ", ".join(fleet_inventory.errors_text(tuple(stranded)))
    )
st.plotly_chart(page.cashflow_figure(p), config=pieces.CHART_CONFIG)
waves = st.expander("Capex by quarter (rollout waves)", key="fleet.quarters", on_change="rerun")
if waves.open:  # built only when open: a closed expander costs nothing on a rerun
    waves.dataframe(page.quarters_table(p), hide_index=True, width="stretch")

st.subheader("Per site")
by_payback = sites.sort_values("payback_month", na_position="last", kind="stable")
every_row = len(sites) <= page.SITES_SHOWN or st.toggle(f"Show all {len(sites):,} rows", key="fleet.all_sites")
st.caption(
    (
        "Sorted by payback (programme month)"
        if every_row
        else f"The {page.SITES_SHOWN} earliest paybacks (programme month) of {len(sites):,} rows; the per-site CSV "
        "below has them all"
    )
    + ". Click a header to sort by another column. Devices, capex and monthly saving count every site of the "
    "row; pin cost is the NPV a pin gives up against the advice."
)
shown_sites = fleet_tables.site_display(by_payback if every_row else by_payback.head(page.SITES_SHOWN), f.months)
st.dataframe(
    shown_sites,
    hide_index=True,
    width="stretch",
    key="fleet.sites",
    column_config={
        "Capex": st.column_config.NumberColumn(f"Capex [{cur}]", format="accounting"),
        "Monthly saving": st.column_config.NumberColumn(f"Monthly saving [{cur}]", format="accounting"),
        "Pin cost (NPV)": st.column_config.NumberColumn(f"Pin cost (NPV) [{cur}]", format="accounting"),
        "Why": st.column_config.TextColumn("Why", width="large"),
    },
)

left, right = st.columns(2, gap="large")
with left:
    st.markdown("**Between the fleet and the other pages**")
    names = sites["name"].tolist()
    # Keyed by the rows' names: a new inventory or a renamed site starts the picker afresh (with one key for
    # every table, the browser kept showing a name of the table before).
    row = st.selectbox(
        "Fleet row",
        range(f.inventory.n),
        format_func=names.__getitem__,
        key=f"fleet.row.{zlib.crc32(chr(0).join(names).encode())}",
    )
    st.button(
        "Open this row as the current scenario",
        key="fleet.open",
        on_click=page.open_row,
        args=(f, row),
        help="The other pages then show this site alone, over its months from go-live.",
    )
    st.button(
        f"Send “{md(state.current().name)}” to the fleet",
        key="fleet.send",
        on_click=page.send_current_scenario,
        args=(f,),
        help="Adds the current scenario as a row: count = its sites, its per-site cameras, and every field "
        "that differs from the fleet's base.",
    )
with right:
    st.markdown("**Export and import**")
    # Each file is written when its button is clicked (a callable), not on every edit of the table.
    stem = state.file_stem("fleet", f.name)  # the fleet's name, or its saved plan's
    downloads = [
        ("Inventory CSV", f.inventory.to_csv, f"{stem}-sites.csv", "text/csv"),
        ("Per-site CSV", lambda: fleet_tables.to_csv(sites), f"{stem}-per-site.csv", "text/csv"),
        (
            "Monthly cash flow CSV",
            lambda: fleet_tables.to_csv(fleet_tables.monthly_table(p)),
            f"{stem}-monthly.csv",
            "text/csv",
        ),
        ("Fleet JSON", lambda: fleet_inventory.fleet_json(f), f"{stem}.json", "application/json"),
    ]
    for i, (label, text, file_name, mime) in enumerate(downloads):
        st.download_button(label, text, file_name, mime, key=f"fleet.download.{i}", on_click="ignore", width="stretch")
    key = f"fleet.upload.{st.session_state.get(page.VERSION, 0)}"
    st.file_uploader(
        "Inventory CSV or fleet JSON",
        type=["csv", "json"],
        key=key,
        on_change=page.handle_upload,
        args=(key,),
        help="Columns: site, count, go_live_month, pin, device, cloud_account, scenario field names and advisor "
        "question keys. It replaces the table; a bad cell is named and skipped.",
    )
