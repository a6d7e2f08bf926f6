"""Streamlit presentation layer: widgets bound to the scenario schema, session state, shared page pieces.

The only package under `planner/` that imports Streamlit; what needs no Streamlit lives a floor below
(`planner.schema.format`, `planner.exports.tables`, `planner.exports.sensitivity`), where the CLI and the exports
use it too.
"""
