"""Layouts that hold from 1024 px beside the open sidebar down to a phone."""

from __future__ import annotations

import streamlit as st


def stacked_below(key: str, width_px: int):
    """A container whose columns stack, one a row at full width, while it is narrower than `width_px`
    (a CSS container query: it follows the sidebar opening and closing, not only the window's width).
    Streamlit itself stacks columns only on a phone; at 1024 px beside the open sidebar, side-by-side
    columns cut pickers, charts and words."""
    own = f'.st-key-{key} [data-testid="stHorizontalBlock"]'
    rows = f'{own}:not(.st-key-{key} [data-testid="stColumn"] *)'  # its own rows, not those inside a column
    st.html(f"""<style>.st-key-{key} {{ container-type: inline-size; }}
@container (max-width: {width_px}px) {{
  {rows} {{ flex-direction: column; }}
  {rows} > [data-testid="stColumn"] {{ width: 100% !important; flex: 1 1 auto !important; }}
}}</style>""")
    return st.container(key=key)
