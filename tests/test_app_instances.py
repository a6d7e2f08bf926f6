"""Cloud GPU instances in the app (AppTest): switching inference pricing to instances on the Scenario page
changes the cloud cost, the Costs page's component chart and the break-even to the engine's figures."""

from __future__ import annotations

import json

import pytest
from app_support import start

from planner.catalogs import catalog
from planner.exports.report import analyse_one, summary
from planner.schema.format import break_even_short, money
from planner.schema.scenario import replace

pytestmark = pytest.mark.app

RETAIL = catalog.preset("retail")


def metric(at, label: str):
    return next(m for m in at.metric if m.label == label)


def cloud_chart(at) -> dict:
    """The Costs page's 'Cloud: cost per month by component' figure."""
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(c for c in charts if c["layout"]["title"]["text"].startswith("Cloud: cost per month"))


def test_switching_to_gpu_instances_changes_the_inference_component_and_the_break_even():
    at = start()
    at.segmented_control(key="scenario.group").set_value("Cloud").run()
    assert at.number_input(key="scenario.instance_per_hour").disabled  # greyed out until chosen
    at.radio(key="scenario.inference_pricing").set_value("instances").run()
    assert not at.exception and not at.number_input(key="scenario.instance_per_hour").disabled
    at.number_input(key="scenario.instance_min_count").set_value(3).run()
    s = at.session_state["scenario"]
    assert (s.inference_pricing, s.instance_min_count) == ("instances", 3)
    now, before = summary(analyse_one(s)), summary(analyse_one(RETAIL))
    # retail: 50 cameras × 0.4 frames/s × 1.3 = 26/s, one 400/s instance, raised to the minimum of 3
    assert analyse_one(s).costs.values("inference")[0, 0] == 3 * 0.526 * 730.5
    assert metric(at, "Cloud cost per month").value == money(now["cloud_monthly_cost"])
    assert metric(at, "Break-even").value == break_even_short(now["break_even_month"], 36)
    assert now["break_even_month"] != before["break_even_month"]

    at.switch_page("pages/costs.py").run()
    assert not at.exception
    at.session_state["costs.chart"] = "Cost per month by component"  # as a click on the tab does
    at.run()
    traces = {t["name"]: t for t in cloud_chart(at)["data"]}
    assert "Cloud inference" in traces
    y = traces["Cloud inference"]["y"]
    values = y if isinstance(y, list) else None
    if values is None:  # plotly 7 sends arrays as {dtype, bdata}
        import base64

        import numpy as np

        values = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).tolist()
    assert values[1] == 3 * 0.526 * 730.5


def test_the_instance_catalog_picker_fills_rates_and_throughput():
    at = start()
    at.segmented_control(key="scenario.group").set_value("Cloud").run()
    at.selectbox(key="scenario.instance").set_value("gcp-g2-standard-4@endpoint").run()
    assert not at.exception
    s = at.session_state["scenario"]
    assert s == replace(
        RETAIL,
        name=s.name,
        inference_pricing="instances",
        **catalog.load().instance_fields("gcp-g2-standard-4", endpoint=True, commitment="on_demand"),
    )
    assert any("Vertex AI" in c.value and "as of" in c.value for c in at.caption)
