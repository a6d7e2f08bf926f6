"""The advisor tests' cheap-cloud case (tests/test_advisor.py, tests/test_app_advisor.py): answers under which the
cloud wins every factor of the seed table (and the uplink carries the video), and a scenario where the edge never
pays back (a tiny cloud bill against an expensive installation)."""

from planner.catalogs import catalog
from planner.schema.scenario import replace

RETAIL = catalog.preset("retail")
CLOUDY = dict(
    data_origin="cloud",
    response_ms=10_000,
    connectivity="fiber",
    privacy="none",
    update_cadence="hourly",
    region_distance_km=100,
    uplink_mbps=1_000,
)
CHEAP_CLOUD = replace(
    RETAIL,
    cameras=1,
    analysed_fps=0.1,
    hours_per_day=1,
    uplink_per_gb=0,
    ingest_per_gb=0,
    install_per_device=20_000,
    horizon_months=12,
)
