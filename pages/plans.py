"""Plans: save the current work as a named plan, open a saved one, see what changed between two revisions."""

import pandas as pd
import streamlit as st

from planner.plans import store
from planner.plans.store import StoreError
from planner.schema.format import md
from planner.ui import compare, plans, state

base = plans.opened()

st.title("Plans")
st.caption(
    "A plan keeps the scenario with the cash/accounting view, the advisor's answers, the comparison set and "
    "the Sensitivity settings — or the Fleet page's fleet. Every save adds a revision with its time and note; "
    "nothing is ever overwritten."
)
signed_in = plans.sign_in_configured()
if not signed_in:
    st.markdown(f"⚠️ **{md(plans.OPEN_TO_ALL)}**")

# ── Save ──
with st.container():
    st.subheader("Save the current work")
    if plans.KIND not in st.session_state:
        st.session_state[plans.KIND] = base.workspace.kind if base else "scenario"
    st.segmented_control(
        "What to save",
        list(plans.KINDS),
        format_func=plans.KINDS.get,
        key=plans.KIND,
        on_change=plans.name_for_kind,
        required=True,
    )
    work = plans.workspace(st.session_state[plans.KIND])
    if "plans.name" not in st.session_state:
        st.session_state["plans.name"] = base.revision.name if base else work.name
    with st.form("plans.form"):
        name_column, note_column = st.columns(2)
        name_column.text_input("Plan name", max_chars=store.MAX_NAME_CHARS, key="plans.name")
        note_column.text_input(
            "Note (optional)",
            max_chars=store.MAX_NOTE_CHARS,
            key="plans.note",
            placeholder="e.g. as approved on 3 March",
        )
        if base and base.workspace.kind == work.kind:
            st.checkbox(
                md(f"Save as a new plan (rather than revision {base.revision.number + 1} of “{base.revision.name}”)"),
                key="plans.as_new",
            )
        if signed_in:
            st.selectbox(
                "Who sees a new plan",
                list(plans.VISIBILITY_LABELS),
                format_func=plans.VISIBILITY_LABELS.get,
                key="plans.visibility",
            )
        st.form_submit_button("Save", key="plans.save", type="primary", on_click=plans.save)
    state.show_notices(plans.SAVE_PLACE)
    plans.show_conflict()
    if base:
        what = "the fleet of " if base.workspace.kind == "fleet" else ""
        st.markdown(
            md(f"Working on {what}“{base.revision.name}” revision {base.revision.number}")
            + (" (no change since it was saved)." if plans.unchanged(base) else ", **changed since it was saved**.")
        )
        if signed_in:
            approval = plans.approval_note()
            (st.success if approval.startswith("Approved") else st.info)(md(approval))
            if plans.access().approves(plans.actor()) and plans.unchanged(base):
                comment, button = st.columns([3, 1], vertical_alignment="bottom")
                comment.text_input(
                    "Approval comment (optional)", key="plans.approval_comment", max_chars=store.MAX_NOTE_CHARS
                )
                button.button(
                    f"Approve revision {base.revision.number}", key="plans.approve", on_click=plans.approve_opened
                )
        st.caption(
            "Link to this revision (whoever may see the plan can open it):"
            if signed_in
            else "Link to this revision (anyone with the link can open the plan):"
        )
        st.code(
            plans.plan_link(st.context.url, base.revision.plan_id, base.revision.number, base.workspace.kind),
            language=None,
            wrap_lines=True,
        )
    download, upload = st.columns(2, gap="large")
    download.download_button(
        "Download this work (plan JSON)",
        lambda: plans.plan_file(work).encode("utf-8"),
        f"{state.file_stem(work.kind, work.name)}-plan.json",
        "application/json",
        key="plans.download",
        on_click="ignore",
        help="The document a save stores, kept on your computer; load it again beside.",
    )
    with upload:
        key = plans.upload_key()
        st.file_uploader(
            "Load a plan file",
            type=["json"],
            key=key,
            on_change=plans.load_plan_file,
            args=(key,),
            help="A file from “Download this work”: the scenario and the rest of the work it holds "
            "replace the current work (a fleet replaces the Fleet page's).",
        )
        state.show_notices(plans.UPLOAD_PLACE)

# ── The saved plans ──
with st.container():
    st.subheader("Saved plans")
    search = st.text_input("Search by name", key="plans.search", placeholder="part of a plan's name")
    try:
        found = plans.store().plans(search, actor=plans.actor())
    except StoreError as exc:
        st.error(md(f"The saved plans cannot be listed: {plans.problem(exc)}."))
        st.stop()
    if not found:
        st.info("No saved plan matches." if search.strip() else "No plans saved yet: save the current work.")
        st.stop()
    listing = pd.DataFrame(
        {
            "Plan": [p.name for p in found],
            "Holds": [p.kind for p in found],
            "Revisions": [p.revisions for p in found],
            "Last change (UTC)": [f"{p.updated_at:%Y-%m-%d %H:%M}" for p in found],
            "Link": [plans.plan_link(st.context.url, p.id, kind=p.kind) for p in found],
        }
    )
    if signed_in:
        listing.insert(1, "Owner", [p.owner or "(none)" for p in found])
        listing.insert(2, "Who sees it", [p.visibility for p in found])
    if any(p.problem for p in found):
        listing["Problem"] = [f"cannot be read: {p.problem}" if p.problem else "" for p in found]
    st.dataframe(
        listing,
        hide_index=True,
        height=min(38 + 35 * len(found), 300),
        column_config={"Link": st.column_config.LinkColumn(display_text="link")},
    )
    unreadable = [p for p in found if p.problem]
    if unreadable:  # said in full here too: a table cell cuts a long reason short
        st.warning(
            "\n".join(f"- “{md(p.name)}” cannot be read: {md(p.problem)}." for p in unreadable[:5])
            + (f"\n- … and {len(unreadable) - 5:,} more (see the Problem column)." if len(unreadable) > 5 else "")
        )

    by_id = {p.id: p for p in found}
    plan_labels = plans.plan_labels(found)
    wanted = plans.picked_plan()
    wanted = wanted if wanted in by_id else found[0].id
    if st.session_state.get(plans.PICK) != wanted:
        st.session_state[plans.PICK] = wanted
    plan_column, revision_column = st.columns(2)
    picked = plan_column.selectbox("Plan", list(by_id), key=plans.PICK, format_func=plan_labels.get)
    try:
        history = plans.store().revisions(picked, plans.actor())
    except StoreError as exc:
        st.error(md(f"The plan's revisions cannot be listed: {plans.problem(exc)}."))
        st.stop()
    labels = {r.number: plans.revision_label(r) for r in history}
    revision = plans.revision_key("rev", picked)
    if st.session_state.get(revision) not in labels:
        st.session_state[revision] = history[0].number
    chosen = revision_column.selectbox("Revision", list(labels), key=revision, format_func=labels.get)
    revision_column.caption(plans.revision_note_text(next(r for r in history if r.number == chosen)))
    st.button(
        "Open this revision",
        key="plans.open",
        type="primary",
        on_click=plans.open_picked,
        help="Replaces the current work with this revision (save first to keep it).",
    )
    state.show_notices(plans.OPEN_PLACE)
    if signed_in:
        owned = by_id[picked].owner is not None and by_id[picked].owner == (plans.actor().email or None)
        if owned:
            share = plans.revision_key("share", picked)
            st.session_state.setdefault(share, by_id[picked].visibility)
            st.selectbox(
                "Who sees this plan",
                list(plans.VISIBILITY_LABELS),
                format_func=plans.VISIBILITY_LABELS.get,
                key=share,
                on_change=plans.share_plan,
                args=(picked,),
            )
        with st.expander("Audit trail"):
            try:
                st.dataframe(plans.audit_table(picked), hide_index=True)
            except StoreError as exc:
                st.error(md(f"The audit trail cannot be shown: {plans.problem(exc)}."))

# ── What changed ──
st.subheader(md(f"What changed in “{by_id[picked].name}”"))
if len(history) < 2:
    st.caption("A plan with one revision has nothing to compare: save it again after a change.")
    st.stop()
numbers = list(labels)
older, newer = st.columns(2)
from_key, to_key = plans.revision_key("from", picked), plans.revision_key("to", picked)
if st.session_state.get(from_key) not in labels:
    st.session_state[from_key] = numbers[1]
if st.session_state.get(to_key) not in labels:
    st.session_state[to_key] = numbers[0]
first = older.selectbox("From", numbers, key=from_key, format_func=labels.get)
second = newer.selectbox("To", numbers, key=to_key, format_func=labels.get)
if first == second:
    st.caption("Pick two different revisions to compare.")
    st.stop()
try:
    old, new = plans.saved_pair(picked, first, second)
except StoreError as exc:
    st.error(md(f"The revisions cannot be compared: {plans.problem(exc)}."))
    st.stop()
old_label, new_label = f"Revision {first}", f"Revision {second}"
was, now = old.workspace, new.workspace
if was.kind != now.kind:
    st.caption(f"Revision {first} holds a {was.kind} and revision {second} a {now.kind}: nothing to compare.")
    st.stop()
changes = plans.work_changes(was, now, old_label, new_label)
if now.kind == "fleet":
    if changes.empty:
        st.caption("The two revisions hold the same fleet.")
    else:
        st.table(compare.escaped(changes), hide_index=True)
    figures = plans.fleet_figure_changes(
        plans.fleet_figures(was.fleet), plans.fleet_figures(now.fleet), old_label, new_label
    )
    st.markdown("**The programme's key figures** (savings against all cloud)")
    st.table(compare.escaped(figures), hide_index=True)
    st.stop()
if changes.empty:
    st.caption("The two revisions hold the same work.")
else:
    st.table(compare.escaped(changes), hide_index=True)
view = now.view
figures = plans.figure_changes(state.analysis(was.scenario), state.analysis(now.scenario), view, old_label, new_label)
st.markdown(f"**Key figures** ({view} view)")
st.table(compare.escaped(figures), hide_index=True)
