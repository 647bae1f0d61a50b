"""GET /people/{id_number}/credits: for `credits:read` tokens, people the provider serves only."""

from tests.api.conftest import rows_for
from xuefen.intake.processing import process_batch


def credits_url(person, period=None):
    url = f"/api/v1/people/{person.id_number}/credits"
    return f"{url}?period={period}" if period else url


def test_reads_totals_standing_and_entries_of_a_served_person(api, cast):
    batch_id = api.client_a.post_json("/api/v1/batches", {"rows": rows_for(cast.person_a)}).json()[
        "id"
    ]
    process_batch(batch_id)
    body = api.credits_client_a.get(credits_url(cast.person_a)).json()
    assert body["period"] == 2026
    assert body["person"]["name"] == cast.person_a.name
    assert body["person"]["id_number"] != cast.person_a.id_number  # masked
    totals = {(t["category"], t["unit"]): t["amount"] for t in body["totals"]}
    assert totals[("*", "hours")] == "6.00"
    assert [e["amount"] for e in body["entries"]] == ["6.00"]
    assert body["entries"][0]["source_type"] == "roster"


def test_a_year_without_credits_is_empty_not_missing(api, cast):
    body = api.credits_client_a.get(credits_url(cast.person_a, 2020)).json()
    assert body["period"] == 2020 and body["totals"] == [] and body["entries"] == []


def test_a_lower_case_x_in_the_number_is_accepted(api, cast):
    person = cast.person_a
    response = api.credits_client_a.get(f"/api/v1/people/{person.id_number.lower()}/credits")
    assert response.status_code == 200


def test_a_token_of_a_provider_serving_unit_b_only_cannot_read_unit_a(api, cast):
    assert api.credits_client_b.get(credits_url(cast.person_a)).status_code == 404
    assert api.credits_client_b.get(credits_url(cast.person_b)).status_code == 200


def test_a_period_out_of_range_is_422(api, cast):
    response = api.credits_client_a.get(credits_url(cast.person_a, 99999))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "period"
