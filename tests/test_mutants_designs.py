"""Cloud designs' kernels by hand (fast tier, read by `make mutation`): a site's upload, whether a link carries it,
which link class is bought, the rounding that lets equal designs tie, and a design in words."""

import numpy as np
import pytest

from planner.model import designs

pytestmark = pytest.mark.unit

CLASSES = (
    {"id": "slow", "upload_mbps": 20.0, "usd_per_month": 50.0, "install_usd": 100.0},
    {"id": "mid", "upload_mbps": 50.0, "usd_per_month": 90.0, "install_usd": 200.0},
    {"id": "mid-cheap", "upload_mbps": 50.0, "usd_per_month": 70.0, "install_usd": 300.0},
    {"id": "fast", "upload_mbps": 500.0, "usd_per_month": 200.0, "install_usd": 500.0},
)


def test_site_upload_spreads_cameras_over_sites():
    # 12 cameras on 3 sites: 4 × 5 Mbps of video, or 4 × 2 frames/s × 250 kB × 8 ÷ 1000 = 16 Mbps of frames
    assert designs.site_upload_mbps(12, 3, 5.0, 2.0, 250.0) == (20.0, 16.0)


def test_a_link_carries_up_to_80_percent_of_itself():
    assert designs.carries(100.0, 80.0) and not designs.carries(100.0, 80.001)
    assert designs.carries(np.array([10.0, 10.0]), np.array([8.0, 9.0])).tolist() == [True, False]


def test_the_link_bought_is_the_least_that_carries_the_upload_above_the_sites_line():
    assert designs.link_upgrade(8.0, 10.0, CLASSES) is None  # the site's line carries it
    # 30 Mbps needs 37.5: of the 50 Mbps classes the cheaper one
    assert designs.link_upgrade(30.0, 10.0, CLASSES)["id"] == "mid-cheap"
    assert designs.link_upgrade(16.0, 10.0, CLASSES)["id"] == "slow"  # 16 ≤ 0.8 × 20
    assert designs.link_upgrade(16.0, 20.0, CLASSES) is None  # exactly 80 % of the line
    assert designs.link_upgrade(17.0, 20.0, CLASSES)["id"] == "mid-cheap"  # a class above the line
    assert designs.link_upgrade(401.0, 10.0, CLASSES) is None  # no class carries it


def test_rounding_to_nine_significant_digits_lets_float_noise_tie():
    rounded = designs._rounded(np.array([1234.5678912345, 1234.5678914, 0.0, -0.012345678912]))
    assert rounded[0] == rounded[1] == pytest.approx(1234.56789)
    assert rounded[2] == 0.0 and rounded[3] == pytest.approx(-0.0123456789, rel=1e-12)


def test_a_design_in_words():
    values = dict(
        inference_pricing="instances",
        instance_commitment="three_year",
        instance_upfront="all",
        instance_billing="always_on",
        cloud_upload="frames",
        cloud_region=designs.NO_REGION,
    )
    words = designs.design_words(values)
    field = designs.FIELD_BY_NAME
    assert words == (
        f"{field['inference_pricing'].options['instances']}, {field['instance_commitment'].options['three_year']}, "
        f"{field['instance_upfront'].options['all']}; uploads: {field['cloud_upload'].options['frames'].lower()}; "
        "region: prices as entered"
    )
    hourly = designs.design_words(values | {"instance_commitment": "spot", "instance_billing": "scale_to_zero"})
    assert field["instance_billing"].options["scale_to_zero"] in hourly
    per_image = designs.design_words(values | {"inference_pricing": "per_image"})
    assert per_image.startswith(field["inference_pricing"].options["per_image"] + "; uploads: ")
