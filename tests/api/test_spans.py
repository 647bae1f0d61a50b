"""Spans and days through the API: batch rows take `first_day` and `days` and give them back,
each refusal on its row; a person's credits give every entry's span and days, and the standing's
status and what is missing in words."""

import datetime as dt

from tests.api.conftest import error_of, rows_for
from xuefen.intake.models import Batch
from xuefen.intake.processing import process_batch
from xuefen.ledger.models import Entry
from xuefen.policy.actions import import_ruleset

BATCHES = "/api/v1/batches"
OPENAPI = "/api/v1/openapi.json"

RULES = """
code: api_test
name: {zh: 接口测试规则, en: API test rules}
version: 1
valid_from: 2020-01-01
unit: hours
categories:
  - {code: required, label: 必修}
  - {code: offline, label: 面授}
  - {code: elective, label: 选修}
requirements:
  - {code: total, label: 总学时, min: 90}
conversions:
  training_day: {method: per_day, rate: 6, categories: [required]}
"""


def run(api, rows):
    response = api.client_a.post_json(BATCHES, {"rows": rows})
    assert response.status_code == 202, response.content
    batch_id = response.json()["id"]
    process_batch(batch_id)
    return api.client_a.get(f"{BATCHES}/{batch_id}/rows").json()["items"]


def span(person, first, last, days=None, course="C1"):
    row = {"id_number": person.id_number, "course_code": course, "completed_on": last}
    if first is not None:
        row["first_day"] = first
    if days is not None:
        row["days"] = days
    return row


def test_rows_with_first_day_and_days_post_them_and_give_them_back(api, cast):
    results = run(
        api,
        [
            span(cast.person_a, "2026-03-02", "2026-03-04", 2.5),
            span(cast.lena_person, "2026-03-02", "2026-03-04", "3"),
            span(cast.person_a, None, "2026-03-05", course="C2"),
        ],
    )
    assert [r["status"] for r in results] == ["posted", "posted", "posted"]
    assert (results[0]["first_day"], results[0]["completed_on"], results[0]["days"]) == (
        "2026-03-02",
        "2026-03-04",
        "2.5",
    )
    assert results[1]["days"] == "3"
    assert (results[2]["first_day"], results[2]["days"]) == ("2026-03-05", None)
    entry = Entry.objects.get(pk=results[0]["entry_id"])
    assert (entry.first_day, entry.last_day, str(entry.days)) == (
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 4),
        "2.5",
    )


def test_each_bad_span_is_refused_on_its_row_and_the_rest_post(api, cast):
    results = run(
        api,
        [
            span(cast.person_a, "2026-03-02", "2026-03-04", 3),
            span(cast.lena_person, "2026-03-05", "2026-03-04"),
            span(cast.lena_person, "2026-03-02", "2026-03-04", 4, course="C2"),
            span(cast.lena_person, "2026-03-02", "2026-03-04", 1.25, course="C2"),
            span(cast.lena_person, "2025-12-30", "2026-01-02", course="C2"),
            span(cast.lena_person, "2026-3-2x", "2026-03-04", course="C2"),
        ],
    )
    assert [r["status"] for r in results] == ["posted"] + ["error"] * 5
    problems = [(r["errors"][0]["code"], r["errors"][0]["field"]) for r in results[1:]]
    assert problems == [
        ("span_reversed", "first_day"),
        ("days_exceed_span", "days"),
        ("days_invalid", "days"),
        ("date_outside_course", "first_day"),  # C2 starts on 2026-01-01
        ("bad_date", "first_day"),
    ]
    assert results[3]["days"] == "1.25"  # what was sent
    assert not Entry.objects.filter(person=cast.lena_person).exists()


def test_a_row_across_new_year_is_refused_as_crossing_two_periods(api, cast):
    from tests.api.conftest import course

    course(api.pa, "XMAS", starts_on=dt.date(2025, 12, 1))
    [result] = run(api, [span(cast.person_a, "2025-12-30", "2026-01-02", 4, course="XMAS")])
    assert result["status"] == "error"
    error = result["errors"][0]
    assert (error["code"], error["field"]) == ("span_crosses_periods", "first_day")
    assert "2025" in error["message"] and "2026" in error["message"]


def test_days_that_are_not_a_number_are_refused_on_their_row(api, cast):
    results = run(
        api,
        [
            span(cast.person_a, "2026-03-02", "2026-03-04", "两天"),
            span(cast.lena_person, "2026-03-02", "2026-03-04", "1.5"),
        ],
    )
    assert [r["status"] for r in results] == ["error", "posted"]
    assert [(e["code"], e["field"]) for e in results[0]["errors"]] == [("days_invalid", "days")]
    assert results[1]["days"] == "1.5"
    assert not Entry.objects.filter(person=cast.person_a).exists()


def test_days_of_another_type_are_422_naming_the_row(api, cast):
    rows = [span(cast.person_a, "2026-03-02", "2026-03-04", [3])]
    response = api.client_a.post_json(BATCHES, {"rows": rows})
    assert response.status_code == 422
    error = error_of(response)
    assert error["row"] == 1 and error["field"].startswith("rows[0].days")
    assert not Batch.objects.exists()


def test_the_same_rows_sent_again_change_nothing(api, cast):
    rows = [span(cast.person_a, "2026-03-02", "2026-03-04", 3)]
    run(api, rows)
    again = run(api, rows)
    assert again[0]["status"] == "duplicate"
    assert Entry.objects.filter(person=cast.person_a).count() == 1


def test_credits_give_each_entrys_span_and_days_and_the_old_date_as_an_alias(api, cast):
    run(
        api,
        [
            span(cast.person_a, "2026-03-02", "2026-03-04", 3),
            *rows_for(cast.person_a, course_code="C2"),
        ],
    )
    body = api.credits_client_a.get(f"/api/v1/people/{cast.person_a.id_number}/credits").json()
    by_seq = {e["seq"]: e for e in body["entries"]}
    assert (by_seq[1]["first_day"], by_seq[1]["last_day"], by_seq[1]["days"]) == (
        "2026-03-02",
        "2026-03-04",
        "3",
    )
    assert by_seq[1]["activity_date"] == by_seq[1]["last_day"]
    assert (by_seq[2]["first_day"], by_seq[2]["last_day"], by_seq[2]["days"]) == (
        "2026-03-01",
        "2026-03-01",
        None,
    )


def test_credits_give_the_standings_status_and_what_is_missing_in_words(api, cast):
    import_ruleset(cast.carol, RULES, cast.region)
    run(api, [span(cast.person_a, "2026-03-02", "2026-03-04", 3)])
    body = api.credits_client_a.get(
        f"/api/v1/people/{cast.person_a.id_number}/credits?period=2026"
    ).json()
    standing = body["standing"]
    assert standing["status"] == "short"
    assert standing["met"] is False
    assert standing["earned"] == "6.00"
    assert standing["ruleset"] == "api_test v1"
    [gap] = standing["shortfalls"]
    assert "总学时" in gap and "84" in gap


def test_credits_of_a_person_no_rule_set_applies_to(api, cast):
    body = api.credits_client_a.get(
        f"/api/v1/people/{cast.person_a.id_number}/credits?period=2026"
    ).json()
    assert body["standing"]["status"] == "no_rules"
    assert body["standing"]["shortfalls"] == []


def test_the_document_describes_the_new_fields_and_deprecates_activity_date(client, db):
    schemas = client.get(OPENAPI).json()["components"]["schemas"]
    row_in = schemas["RowIn"]["properties"]
    assert {"first_day", "days"} <= set(row_in)
    assert "half" in row_in["days"]["description"] or "0.5" in row_in["days"]["description"]
    entry = schemas["EntryOut"]["properties"]
    assert {"first_day", "last_day", "days"} <= set(entry)
    assert entry["activity_date"]["deprecated"] is True
    assert "last_day" in entry["activity_date"]["description"]
    standing = schemas["StandingOut"]["properties"]
    assert set(standing["status"]["enum"]) == {"met", "short", "in_progress", "exempt", "no_rules"}
    assert "shortfalls" in standing
    row_out = schemas["RowOut"]["properties"]
    assert {"first_day", "days"} <= set(row_out)
