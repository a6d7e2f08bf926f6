"""Glossary & formulas: the terms the figures use and how every figure is computed (docs/FORMULAS.md)."""

from planner.ui import glossary, state

state.current()  # a fresh server's very first request: through the app's frame (see `state.current`)
glossary.render()
