"""What schemathesis found once, kept as explicit cases: a value outside what the OpenAPI document
promises is refused (created_before=0.5 is no timestamp), and an answer the server can give (414)
is in the document with the error body."""

import pytest
import schemathesis

from tests.api.test_openapi import OPENAPI, served_in_this_transaction


@pytest.mark.parametrize(
    "value",
    ["0.5", "1700000000", "2026-03-01", "2026-03-01T08:00:00", "2026-13-01T00:00:00Z", "now"],
)
def test_a_timestamp_filter_takes_only_rfc_3339_date_times(api, value):
    for name in ("created_before", "created_after"):
        response = api.client_a.get("/api/v1/batches", {name: value})
        assert response.status_code == 422, (name, value)
        error = response.json()["error"]
        assert (error["code"], error["field"]) == ("invalid_request", name)


@pytest.mark.parametrize("value", ["2026-03-01T08:00:00+08:00", "2026-03-01T00:00:00Z"])
def test_a_date_time_with_its_offset_is_taken(api, value):
    assert api.client_a.get("/api/v1/batches", {"created_before": value}).status_code == 200


def test_the_document_says_date_time(client, db):
    document = client.get(OPENAPI).json()
    parameters = document["paths"]["/api/v1/batches"]["get"]["parameters"]
    created = next(p for p in parameters if p["name"] == "created_before")
    schema = created["schema"]
    formats = [s.get("format") for s in schema.get("anyOf", [schema])]
    assert "date-time" in formats


def test_a_request_line_too_long_gets_a_documented_414(api):
    response = api.client_a.get("/api/v1/batches", {"status": "x" * 5000})
    assert response.status_code == 414
    assert response.json()["error"]["code"] == "uri_too_long"
    with served_in_this_transaction() as app:
        schema = schemathesis.openapi.from_wsgi(OPENAPI, app)
        for result in schema.get_all_operations():
            operation = result.ok()
            assert "414" in operation.definition.raw["responses"], operation.label
        operation = schema["/api/v1/batches"]["GET"]
        case = operation.Case(query={"status": "x" * 5000})
        token = {"Authorization": f"Bearer {api.secret_a}"}
        served = case.call(headers=token)
        assert served.status_code == 414
        case.validate_response(served, headers=token)


@pytest.mark.parametrize(
    "value",
    ["0067-08-23T12:08:17+23:00", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59"],
)
def test_any_rfc_3339_offset_and_year_is_taken_on_every_database(api, value):
    # PostgreSQL refuses offsets beyond 15:59 (the database error was a 500); the filter is
    # compared in UTC, and a moment beyond what UTC can hold bounds it at the extreme.
    for name in ("created_before", "created_after"):
        assert api.client_a.get("/api/v1/batches", {name: value}).status_code == 200
