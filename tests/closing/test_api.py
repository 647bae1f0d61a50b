"""GET /assessment: a year's results for annual assessment, for `credits:read` tokens, people the
provider serves only; the grade fixed at the close where the year is closed."""

from tests.api.conftest import TokenClient, api  # noqa: F401  (the API fixtures)
from tests.closing.conftest import YEAR, year  # noqa: F401


def _items(client, period=YEAR):
    response = client.get(f"/api/v1/assessment?period={period}")
    assert response.status_code == 200, response.content
    return {item["person"]["name"]: item for item in response.json()["items"]}


def test_lists_credits_per_category_grade_and_status_of_served_people(api, cast, year):  # noqa: F811
    items = _items(api.credits_client_a)
    a = items[cast.person_a.name]
    assert a["earned"] == "95.00" and a["status"] == "met" and a["fixed"] is True
    assert {t["category"]: t["amount"] for t in a["totals"]}["centralised"] == "95.00"
    assert a["person"]["id_number"] != cast.person_a.id_number  # masked
    assert cast.person_b.name not in items  # PA serves department D only


def test_a_year_not_closed_gives_the_current_standing(api, cast, year):  # noqa: F811
    items = _items(api.credits_client_a, YEAR + 1)
    assert items[cast.person_a.name]["fixed"] is False


def test_a_batches_token_may_not_read_the_assessment(api, cast, year):  # noqa: F811
    assert api.client_a.get(f"/api/v1/assessment?period={YEAR}").status_code == 403
