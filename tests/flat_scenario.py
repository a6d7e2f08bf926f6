"""`flat(...)`: a scenario small enough that every figure is a line of arithmetic.

1 camera × 8 Mbps = 1 MB/s for 10 h × 10 days = 360,000 s → 360 GB a month at 1 USD/GB = 360 USD/month
of cloud cost; every other price is zero. The edge is one device bought at go-live (price = capex) and
a per-site management fee (the only running cost).
"""
from planner.scenario import validate


def flat(device_price=900.0, management=40.0, **changes):
    values = dict(
        cameras=1, bitrate_mbps=8, hours_per_day=10, days_per_month=10, cloud_upload="video",
        uplink_per_gb=1, ingest_per_gb=0, storage_per_gb_month=0,
        inference_tiers=[{"start": 0, "price": 0}], egress_tiers=[{"start": 0, "price": 0}],
        device_sizing="manual", devices_manual=1, device_price=device_price, install_per_device=0,
        salvage_percent=0, useful_life_months=48, failure_percent_per_year=0,
        management_basis="per_site", sites=1, management_per_month=management,
        electricity_per_kwh=0, feedback_percent=0, discount_percent_per_year=0, horizon_months=36,
    )
    return validate({**values, **changes})
