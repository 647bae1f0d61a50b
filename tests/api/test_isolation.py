"""A token of provider A reads and writes nothing of provider B: the same 404 as for what does
not exist, and nothing changes."""

import pytest

from tests.api.conftest import error_of, rows_for
from xuefen.intake.models import Batch
from xuefen.intake.processing import process_batch
from xuefen.ledger.models import Entry


@pytest.fixture
def batch_of_b(api, cast):
    batch_id = api.client_b.post_json(
        "/api/v1/batches", {"rows": rows_for(cast.person_b, course_code="CB")}
    ).json()["id"]
    process_batch(batch_id)
    return batch_id


def test_a_cannot_list_bs_courses(api):
    codes = [c["code"] for c in api.client_a.get("/api/v1/courses").json()["items"]]
    assert "CB" not in codes


def test_a_cannot_read_bs_course(api):
    response = api.client_a.get("/api/v1/courses/CB")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_cannot_list_bs_batches(api, batch_of_b):
    assert api.client_a.get("/api/v1/batches").json()["count"] == 0


@pytest.mark.parametrize("suffix", ["", "/rows"])
def test_a_cannot_read_bs_batch_or_its_rows(api, batch_of_b, suffix):
    response = api.client_a.get(f"/api/v1/batches/{batch_of_b}{suffix}")
    missing = api.client_a.get(f"/api/v1/batches/{batch_of_b + 1000}{suffix}")
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()


def test_a_cannot_post_for_bs_people_or_courses(api, cast):
    rows = [*rows_for(cast.person_b), *rows_for(cast.person_a, course_code="CB")]
    batch_id = api.client_a.post_json("/api/v1/batches", {"rows": rows}).json()["id"]
    process_batch(batch_id)
    results = api.client_a.get(f"/api/v1/batches/{batch_id}/rows").json()["items"]
    assert [r["status"] for r in results] == ["error", "error"]
    assert not Entry.objects.exists()


def test_a_key_used_by_b_is_not_a_door_to_bs_batch(api, cast, batch_of_b):
    Batch.objects.filter(pk=batch_of_b).update(idempotency_key="k")
    response = api.client_a.post_json(
        "/api/v1/batches", {"rows": rows_for(cast.person_a)}, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 202
    assert response.json()["id"] != batch_of_b


def test_a_cannot_read_credits_of_people_outside_its_scope(api, cast):
    outside = api.credits_client_a.get(f"/api/v1/people/{cast.person_b.id_number}/credits")
    nobody = api.credits_client_a.get("/api/v1/people/110101198506150000/credits")
    assert outside.status_code == nobody.status_code == 404
    assert outside.json() == nobody.json()
    assert cast.person_b.name not in outside.content.decode()
