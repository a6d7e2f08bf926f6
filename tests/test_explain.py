"""The first-month explainer recomputes month 1 with plain floats: it must agree with the vectorized
model for every component of every preset and of edge cases (this is an independent oracle)."""
import pytest

from planner import catalog, explain, report
from planner.costs import COMPONENTS
from planner.scenario import replace

CASES = {
    **catalog.presets(),
    "serverless_frames": replace(catalog.preset("retail"), inference_pricing="serverless", cloud_upload="frames",
                                 inference_discount_percent=15),
    "discounted_tiers": replace(catalog.preset("retail"), inference_discount_percent=30),
    "per_device_auto": replace(catalog.preset("retail"), device_sizing="auto", management_basis="per_device",
                               sites=3, cameras=31, retention_days=90),
    "zero_cameras": replace(catalog.preset("retail"), cameras=0, device_sizing="auto"),
    "always_on": replace(catalog.preset("retail"), hours_per_day=24, days_per_month=31),
}


@pytest.mark.parametrize("name", CASES)
def test_explainer_matches_model_month_one(name):
    scenario = CASES[name]
    analysis = report.analyse_one(scenario)
    steps = explain.first_month(scenario)
    assert [s.key for s in steps] == [c.key for c in COMPONENTS]
    for step in steps:
        model = analysis.costs.values(step.key)[0, 0]
        assert step.value == pytest.approx(model, rel=1e-9, abs=1e-9), step.key
        assert step.arithmetic.endswith(f"= {step.value:,.2f} {scenario.currency}")


def test_tier_arithmetic_is_spelled_out():
    step = next(s for s in explain.first_month(catalog.preset("retail")) if s.key == "inference")
    # 50 × 0.4 × 12 × 3600 × 30 = 25,920,000 images: 1M at 1.00, 4M at 0.80, 20.92M at 0.60 per 1000
    assert "1,000,000 images × 1/1,000 + 4,000,000 images × 0.8/1,000 + 20,920,000 images × 0.6/1,000" in step.arithmetic
    assert step.value == pytest.approx(1_000 + 3_200 + 12_552)
