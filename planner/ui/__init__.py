"""Streamlit presentation layer: widgets bound to the scenario schema, session state, shared page pieces.

The only package under `planner/` that imports Streamlit (`format` and `tables` stay Streamlit-free so
they can be tested and reused alone).
"""
