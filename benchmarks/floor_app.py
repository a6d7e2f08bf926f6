"""The framework's floor for `make bench-ui`: one slider, one chart, nothing else."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

k = st.slider("Frequency", 1, 100, 10)
x = np.linspace(0, 1, 36)
st.plotly_chart(go.Figure(go.Scatter(x=x, y=np.sin(k * x), name=f"sin({k}x)")))
