"""`flat(...)`: a scenario small enough that every figure is a line of arithmetic.

1 camera × 8 Mbps = 1 MB/s for 10 h × 10 days = 360,000 s → 360 GB a month at 1 USD/GB = 360 USD/month
of cloud cost; every other price is zero. The edge is one device bought at go-live (price = capex) and
a per-site management fee (the only running cost).
"""

from planner.schema.scenario import validate


def flat(device_price=900.0, management=40.0, **changes):
    values = dict(
        cameras=1,
        bitrate_mbps=8,
        hours_per_day=10,
        days_per_month=10,
        cloud_upload="video",
        uplink_per_gb=1,
        ingest_per_gb=0,
        storage_per_gb_month=0,
        inference_tiers=[{"start": 0, "price": 0}],
        egress_tiers=[{"start": 0, "price": 0}],
        device_sizing="manual",
        devices_manual=1,
        device_price=device_price,
        install_per_device=0,
        salvage_percent=0,
        useful_life_months=48,
        failure_percent_per_year=0,
        management_basis="per_site",
        sites=1,
        management_per_month=management,
        electricity_per_kwh=0,
        feedback_percent=0,
        discount_percent_per_year=0,
        horizon_months=36,
    )
    return validate({**values, **changes})


# Its emissions with the default carbon coefficients [kg CO₂e/month]. Cloud: 1 camera × 0.4 frames/s × 360,000 s =
# 144,000 images × 0.005 s = 720 accelerator-s × 71 W ÷ 3.6×10⁶ × PUE 1.135 × 0.379069 kg/kWh, plus
# (360 + 0.144) GB × 0.001 kWh/GB × 0.379069, plus 720 s ÷ 3600 × 0.00785 kg/accelerator-hour.
CLOUD_KG = 720 * 71 / 3.6e6 * 1.135 * 0.379069 + 360.144 * 0.001 * 0.379069 + 720 / 3600 * 0.00785
# Edge: 300 W × (100 h + 30 % × 630.5 idle h) × PUE 1.2 = 104.094 kWh × 0.4808 kg/kWh; 1,150 kg per device bought.
EDGE_KG = 0.3 * (100 + 0.3 * 630.5) * 1.2 * 0.4808
