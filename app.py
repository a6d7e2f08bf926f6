"""Edge Inference Planner — the Streamlit entry point: page frame, shared sidebar, navigation.

Run with `streamlit run app.py`. Every page reads the one scenario in the session (planner.ui.state).
"""

from pathlib import Path

import streamlit as st

from planner.model import allocator
from planner.ui import glossary, plans, sidebar, state

PAGES = Path(__file__).parent / "pages"
allocator.keep_freed_arrays()  # once per server process

st.set_page_config(page_title="Edge Inference Planner", page_icon="🛰️", layout="wide")
if plans.sign_in_needed():  # [auth] in the secrets: nothing but the sign-in page until someone signs in
    st.navigation([st.Page(plans.sign_in_page, title="Sign in", url_path="signin")], position="hidden").run()
    st.stop()  # (a navigation of one page: no other page, nor pages/, is reachable)
if state.init_session():
    plans.restore_from_link()  # the link's view, advisor answers, comparison and Sensitivity settings, or a plan
    state.forget_history()  # undo starts from what the link opened

page = st.navigation(
    [
        st.Page(PAGES / "scenario.py", title="Scenario", icon="🎛️", default=True),
        st.Page(PAGES / "costs.py", title="Costs & break-even", icon="📈"),
        st.Page(PAGES / "advisor.py", title="Architecture advisor", icon="🧭"),
        st.Page(PAGES / "sensitivity.py", title="Sensitivity & risk", icon="🎲"),
        st.Page(PAGES / "compare.py", title="Compare & export", icon="🗂️"),
        st.Page(PAGES / "report.py", title="Report (print)", icon="🖨️"),
        st.Page(PAGES / "plans.py", title="Plans", icon="💾"),
        st.Page(PAGES / "fleet.py", title="Fleet", icon="🏬"),
        st.Page(PAGES / "glossary.py", title="Glossary & formulas", icon="📖", url_path=glossary.URL_PATH),
    ]
)
plans.land_on_the_fleet(page)
st.set_page_config(page_title=plans.page_title(page))
sidebar.render()
plans.account_box()
state.sync_share_link(plans.work_token())
plans.sync_link()
state.show_notices()
page.run()
