"""The advisor's latency budget chart (`charts.latency_budget_figure`): built from the ms breakdowns of
`advisor.cloud_latency` / `edge_latency`, checked on the figure's own data (trace values, the requirement
line, the totals written at the bar ends)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from planner.advice import advisor
from planner.catalogs import catalog
from planner.exports.charts import NO_EDGE_PATH, SHARED_PART_COLOR, latency_budget_figure
from planner.schema.format import ms_text

pytestmark = pytest.mark.unit

# The hand-checked budget of tests/test_advisor.py: fibre, 1,000 km, 50 Mbps, a 250 KB frame, detection.
CLOUD = {
    "Access network round trip": 5.0,
    "Distance round trip": 15.0,
    "Frame upload": 40.0,
    "Queueing": 20.0,
    "Cloud inference": 150.0,
}  # 230 ms
EDGE = {"Local network": 2.0, "Edge inference": 3.5}  # 5.5 ms


def totals(fig) -> dict[str, str]:
    """Annotation text at the end of each bar, by path."""
    return {a.y: a.text for a in fig.layout.annotations if a.yref != "paper"}


def test_each_part_is_a_stacked_horizontal_segment_of_its_path():
    fig = latency_budget_figure(CLOUD, EDGE, required_ms=100)
    assert [t.name for t in fig.data] == [*CLOUD, *EDGE]
    assert all(t.type == "bar" and t.orientation == "h" for t in fig.data)
    assert [t.y[0] for t in fig.data] == ["Cloud path"] * 5 + ["Edge path"] * 2
    assert [t.x[0] for t in fig.data] == [*CLOUD.values(), *EDGE.values()]
    assert fig.layout.barmode == "stack"
    assert list(fig.layout.yaxis.categoryarray) == ["Edge path", "Cloud path"]  # the cloud on top
    assert fig.layout.xaxis.ticksuffix == " ms" and fig.layout.xaxis.title.text is None  # no title under the legend


def test_the_requirement_is_a_vertical_line_and_each_total_says_whether_it_fits():
    fig = latency_budget_figure(CLOUD, EDGE, required_ms=100)
    (line,) = fig.layout.shapes
    assert (line.x0, line.x1, line.yref) == (100, 100, "y domain")
    assert any(a.text == "<b>Required ≤ 100 ms</b>" for a in fig.layout.annotations)
    assert totals(fig) == {"Cloud path": "<b>230 ms</b> ✗ over", "Edge path": "<b>5.5 ms</b> ✓ within"}
    assert latency_budget_figure(CLOUD, EDGE, required_ms=230).layout.annotations[0].text.endswith("✓ within")


def test_the_axis_shows_the_line_and_both_totals_with_room_for_the_labels():
    assert latency_budget_figure(CLOUD, EDGE, required_ms=100).layout.xaxis.range == (0, 230 * 1.5)
    assert latency_budget_figure(CLOUD, EDGE, required_ms=5_000).layout.xaxis.range == (0, 5_000 * 1.5)


def test_without_a_fitting_device_the_edge_row_stays_with_a_note():
    fig = latency_budget_figure(CLOUD, {}, required_ms=100)
    assert [t.name for t in fig.data] == [*CLOUD, NO_EDGE_PATH]
    note = fig.data[-1]
    assert (note.x[0], note.y[0], note.showlegend) == (0.0, "Edge path", False)
    assert totals(fig)["Edge path"] == f"<i>{NO_EDGE_PATH}</i>"


@pytest.mark.parametrize("preset", list(catalog.presets()))
def test_the_chart_of_every_preset_adds_up_to_the_advice(preset):
    advice = advisor.advise(advisor.answers(), catalog.preset(preset))
    fig = latency_budget_figure(advice.cloud_latency_ms, advice.edge_latency_ms, advice.response_ms)
    by_path = {}
    for trace in fig.data:
        by_path[trace.y[0]] = by_path.get(trace.y[0], 0) + trace.x[0]
    assert by_path == pytest.approx({"Cloud path": advice.cloud_ms, "Edge path": advice.edge_ms})
    assert totals(fig)["Cloud path"].startswith(f"<b>{ms_text(advice.cloud_ms)}</b>")


def test_ms_text():
    assert [ms_text(v) for v in (229.6, 100.0, 99.94, 17.625, 2.0, 0.0)] == [
        "230 ms",
        "100 ms",
        "99.9 ms",
        "17.6 ms",
        "2 ms",
        "0 ms",
    ]


parts = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.floats(0, 1e5), min_size=1)


@settings(max_examples=examples(60), deadline=None)
@given(cloud=parts, edge=st.one_of(st.just({}), parts), required=st.floats(1, 60_000))
def test_never_crashes_and_always_shows_the_line_and_both_bars(cloud, edge, required):
    fig = latency_budget_figure(cloud, edge, required)
    top = max(required, sum(cloud.values()), sum(edge.values()))
    assert fig.layout.xaxis.range[1] == pytest.approx(top * 1.5)
    assert fig.layout.shapes[0].x0 == required
    assert set(totals(fig)) == {"Cloud path", "Edge path"}


def test_a_part_of_both_paths_is_grey_with_one_legend_entry():
    wait = "Wait for the next analysed frame (average)"
    fig = latency_budget_figure({wait: 1250.0, **CLOUD}, {wait: 1250.0, **EDGE}, required_ms=100)
    waits = [t for t in fig.data if t.name == wait]
    assert [t.y[0] for t in waits] == ["Cloud path", "Edge path"]
    assert {t.marker.color for t in waits} == {SHARED_PART_COLOR}
    assert [t.showlegend for t in waits] == [True, False]
    # the paths' own parts keep their shades from the first one
    assert [t.marker.color for t in fig.data if t.name in EDGE] == ["#065f46", "#34d399"]
