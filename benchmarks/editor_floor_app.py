"""The framework's floor for editing a table, for `make bench-ui`'s Fleet page: the same 500-row inventory in a
`st.data_editor` and one figure computed from it, nothing else."""

import sys
from pathlib import Path

import pandas as pd
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.engine import varied_fleet  # noqa: E402

ROWS = 500


@st.cache_data
def inventory() -> pd.DataFrame:
    return varied_fleet(ROWS).inventory.table


table = st.data_editor(inventory(), key="editor", hide_index=True, height=420, num_rows="dynamic")
st.metric("Cameras", f"{pd.to_numeric(table['cameras'], errors='coerce').sum():,.0f}")
