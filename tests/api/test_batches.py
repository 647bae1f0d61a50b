"""POST /batches, GET /batches, /batches/{id}, /batches/{id}/rows: idempotent submission, a
result per row, and a re-sent batch that changes nothing in the ledger."""

import json

import pytest

from tests.api.conftest import error_of, rows_for
from xuefen.intake.models import Batch
from xuefen.intake.processing import process_batch
from xuefen.ledger.models import Entry, Total

BATCHES = "/api/v1/batches"


def submit(client, rows, key=None):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post_json(BATCHES, {"rows": rows}, **extra)


def test_submitting_answers_202_with_the_queued_batch_and_its_location(api, cast):
    response = submit(api.client_a, rows_for(cast.person_a))
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["source"] == "api"
    assert body["rows"]["total"] == 1
    assert response["Location"].endswith(f"/api/v1/batches/{body['id']}")
    assert body["links"]["rows"].endswith(f"/api/v1/batches/{body['id']}/rows")


def test_end_to_end_rows_land_in_the_ledger_with_a_result_each(api, cast):
    rows = [
        *rows_for(cast.person_a, cast.lena_person),
        {"id_number": cast.person_b.id_number, "course_code": "C1", "completed_on": "2026-03-01"},
        {"id_number": cast.person_a.id_number, "course_code": "NOPE", "completed_on": "2026-03-01"},
    ]
    batch_id = submit(api.client_a, rows, key="run-1").json()["id"]
    process_batch(batch_id)

    batch = api.client_a.get(f"{BATCHES}/{batch_id}").json()
    assert batch["status"] == "done" and batch["progress"] == 100
    assert batch["rows"] == {"total": 4, "processed": 4, "posted": 2, "duplicate": 0, "error": 2}
    results = api.client_a.get(f"{BATCHES}/{batch_id}/rows").json()["items"]
    assert [r["status"] for r in results] == ["posted", "posted", "error", "error"]
    # person B is outside PA's reporting scope: reported exactly like a stranger
    assert results[2]["errors"][0]["code"] == "person_unknown"
    assert results[3]["errors"][0]["code"] == "course_unknown"
    assert results[0]["entry_id"] == Entry.objects.get(person=cast.person_a).pk
    assert cast.person_a.id_number not in json.dumps(results)
    assert Total.objects.get(person=cast.person_a, period=2026, category="*").amount == 6


def test_a_batch_sent_again_posts_nothing_new(api, cast):
    first = submit(api.client_a, rows_for(cast.person_a)).json()["id"]
    process_batch(first)
    entries = Entry.objects.count()
    second = submit(api.client_a, rows_for(cast.person_a)).json()["id"]
    process_batch(second)
    assert second != first
    assert Entry.objects.count() == entries
    rows = api.client_a.get(f"{BATCHES}/{second}/rows").json()["items"]
    assert [r["status"] for r in rows] == ["duplicate"]
    assert rows[0]["entry_id"] == Entry.objects.get(person=cast.person_a).pk


def test_same_key_and_body_returns_the_same_batch(api, cast):
    first = submit(api.client_a, rows_for(cast.person_a), key="k-1")
    again = submit(api.client_a, rows_for(cast.person_a), key="k-1")
    assert again.status_code == first.status_code == 202
    assert again.json() == first.json()
    assert Batch.objects.count() == 1


def test_same_key_with_another_body_is_409(api, cast):
    submit(api.client_a, rows_for(cast.person_a), key="k-1")
    response = submit(api.client_a, rows_for(cast.lena_person), key="k-1")
    assert response.status_code == 409
    assert error_of(response)["code"] == "idempotency_key_reused"
    assert Batch.objects.count() == 1


def test_keys_are_per_provider(api, cast):
    submit(api.client_a, rows_for(cast.person_a), key="shared")
    response = submit(api.client_b, rows_for(cast.person_b, course_code="CB"), key="shared")
    assert response.status_code == 202
    assert Batch.objects.count() == 2


@pytest.mark.parametrize("key", ["has space", "x" * 201, "中文"])
def test_a_malformed_key_is_422(api, cast, key):
    response = submit(api.client_a, rows_for(cast.person_a), key=key)
    assert response.status_code == 422
    assert error_of(response)["field"] == "Idempotency-Key"
    assert not Batch.objects.exists()


def test_too_many_rows_is_413(api, cast, settings):
    settings.API_MAX_BATCH_ROWS = 2
    response = submit(api.client_a, rows_for(cast.person_a) * 3)
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_many_rows"
    assert not Batch.objects.exists()


def test_a_body_over_the_upload_limit_is_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.client_a.post_json(BATCHES, {"rows": [{"id_number": "1" * 40}] * 100})
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"


def test_an_empty_batch_is_422(api):
    response = api.client_a.post_json(BATCHES, {"rows": []})
    assert response.status_code == 422
    assert error_of(response)["field"] == "rows"


def test_a_row_missing_a_field_is_422_naming_the_row(api, cast):
    rows = rows_for(cast.person_a, cast.lena_person)
    del rows[1]["course_code"]
    response = api.client_a.post_json(BATCHES, {"rows": rows})
    assert response.status_code == 422
    error = error_of(response)
    assert error["row"] == 2 and error["field"] == "rows[1].course_code"
    assert error["details"][0]["code"] == "missing"
    assert not Batch.objects.exists()


def test_a_body_that_is_not_json_is_400(api):
    response = api.client_a.post(BATCHES, "{nope", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_request"


def test_rows_filter_by_status(api, cast):
    rows = [*rows_for(cast.person_a), *rows_for(cast.person_b)]
    batch_id = submit(api.client_a, rows).json()["id"]
    process_batch(batch_id)
    errors = api.client_a.get(f"{BATCHES}/{batch_id}/rows?status=error").json()
    assert errors["count"] == 1 and errors["items"][0]["row"] == 2


def test_batches_list_newest_first_and_filters(api, cast):
    first = submit(api.client_a, rows_for(cast.person_a)).json()["id"]
    process_batch(first)
    second = submit(api.client_a, rows_for(cast.lena_person)).json()["id"]
    listed = api.client_a.get(BATCHES).json()
    assert [b["id"] for b in listed["items"]] == [second, first]
    done = api.client_a.get(f"{BATCHES}?status=done").json()
    assert [b["id"] for b in done["items"]] == [first]


def test_listing_batches_takes_few_queries(api, cast, django_assert_max_num_queries):
    for n in range(15):
        submit(api.client_a, rows_for(cast.person_a), key=f"k{n}")
    with django_assert_max_num_queries(4):
        assert len(api.client_a.get(BATCHES).json()["items"]) == 15
