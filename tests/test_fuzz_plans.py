"""Malformed input through the plans' entry points: plan documents, the share link's work part, plan ids and
revisions (in the store and in `?plan=&rev=` links). Each ends in a result or a readable error — never
another exception, never a traceback on the page."""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import examples
from streamlit.testing.v1 import AppTest

from planner.catalogs import catalog
from planner.plans.store import PlanNotFound, Store
from planner.plans.workspace import Workspace, from_document, parse_json, to_document, with_share_token
from planner.schema.scenario import ScenarioError

pytestmark = pytest.mark.oracle

APP = Path(__file__).resolve().parent.parent / "app.py"
RETAIL = catalog.preset("retail")
VALID = to_document(Workspace(RETAIL, view="accounting", comparison=(RETAIL,), sensitivity={"mc.seed": 3}))
FUZZ = settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=16,
)
parts = st.sampled_from(list(VALID) + ["fleet", "extra"])


@st.composite
def mutated_documents(draw):
    data = json.loads(json.dumps(VALID))
    for _ in range(draw(st.integers(1, 3))):
        part = draw(parts)
        if draw(st.booleans()):
            data.pop(part, None)
        else:
            data[part] = draw(json_values)
    return data


def readable(call, *args) -> None:
    """`call(*args)` returns, or raises ScenarioError with one printable line."""
    try:
        call(*args)
    except ScenarioError as exc:
        assert str(exc) and "\n" not in str(exc) and len(str(exc)) < 2_000


@FUZZ
@given(mutated_documents())
def test_mutated_plan_documents(data):
    readable(from_document, data)
    readable(parse_json, json.dumps(data))


@FUZZ
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_random_plan_text(text):
    readable(parse_json, text)


def _token(data) -> str:
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(data).encode())).decode().rstrip("=")


@FUZZ
@given(st.text(max_size=300) | mutated_documents().map(_token) | json_values.map(_token))
def test_random_work_parts_of_share_links(token):
    readable(with_share_token, Workspace(RETAIL), token)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    s = Store(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'plans.sqlite3'}")
    s.save(Workspace(RETAIL), "Real plan")
    yield s
    s.close()


@FUZZ
@given(
    plan_id=st.text(max_size=40) | st.from_regex(r"\A[0-9a-f]{32}\Z"), number=st.none() | st.integers(-(2**70), 2**70)
)
def test_random_plan_ids_and_revisions(db, plan_id, number):
    with pytest.raises(PlanNotFound):
        db.open(plan_id, number)
    with pytest.raises(PlanNotFound):
        db.revisions(plan_id)


@settings(
    max_examples=examples(12),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    query=st.fixed_dictionaries(
        {},
        optional={
            "plan": st.text(max_size=40) | st.from_regex(r"\A[0-9a-f]{32}\Z"),
            "rev": st.text(max_size=12) | st.integers(-5, 10**12).map(str),
            "w": st.text(max_size=60) | mutated_documents().map(_token),
        },
    )
)
def test_random_plan_links_never_break_the_page(tmp_path_factory, monkeypatch, query):
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path_factory.getbasetemp() / 'links.sqlite3'}")
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.query_params.update(query)
    at.run()
    assert not at.exception, (query, at.exception)
    assert all("Traceback" not in m.value for m in [*at.error, *at.warning])
    if query.get("plan"):
        assert any(m.value.startswith("The plan could not be opened") for m in at.error), query
