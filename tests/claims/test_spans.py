"""A claim's span, days and period: the period is where the end date falls by the person's
calendar, an activity across two periods is refused, types measured in days carry their days to
the ledger, and a single-author artefact counts for its first holder only."""

import datetime as dt
from decimal import Decimal

import pytest

from tests import factories as f
from tests.claims.conftest import DAY, RULES, YEAR, file_claim, to_office
from xuefen.audit.models import AuditEvent
from xuefen.claims import actions
from xuefen.claims.errors import ClaimError
from xuefen.claims.models import Claim, ClaimType, Evidence, StatusChange
from xuefen.ledger.judging import evaluate_person
from xuefen.ledger.models import Entry, Standing
from xuefen.policy.actions import import_ruleset
from xuefen.policy.engine import Status as LineStatus

NEW_YEARS_EVE = dt.date(YEAR - 2, 12, 31)
SECOND_OF_JANUARY = dt.date(YEAR - 1, 1, 2)


def _nothing_saved():
    return (
        Claim.objects.count(),
        StatusChange.objects.count(),
        Evidence.objects.count(),
        AuditEvent.objects.filter(object_type="claims.claim").count(),
    )


def evening_class_type(**extra):
    """A part-time class over weeks: the claimant gives the days attended."""
    values = {
        "code": "evening_class",
        "name_zh": "业余培训班",
        "name_en": "Evening class",
        "fields": [
            {"name": "school", "label": {"zh": "举办单位", "en": "Organiser"}, "kind": "text"},
            {
                "name": "days_attended",
                "label": {"zh": "实际参训天数", "en": "Days attended"},
                "kind": "decimal",
            },
        ],
        "evidence": [
            {"code": "proof", "label": {"zh": "结业证书"}, "kinds": ["pdf"], "required": True}
        ],
        "conversion_kind": "party_school_day",
        "quantity_field": "days_attended",
        "days_field": "days_attended",
        "full_day": True,
        "default_categories": ["required"],
    }
    values.update(extra)
    return ClaimType.objects.create(**values)


# --- the period --------------------------------------------------------------------------------


def test_claim_across_new_year_is_refused_and_nothing_is_saved(cast, rules):
    before = _nothing_saved()
    with pytest.raises(ClaimError) as error:
        file_claim(
            cast.lena,
            cast.lena_person,
            "conference",
            title="跨年会议",
            start=NEW_YEARS_EVE,
            end=SECOND_OF_JANUARY,
        )
    assert error.value.code == "span_crosses_periods"
    assert error.value.field == "start_date"
    message = str(error.value.message)
    assert str(YEAR - 2) in message and str(YEAR - 1) in message
    assert "按年度分别登记" in message  # one claim for each year
    assert _nothing_saved() == before


def test_changing_a_draft_to_cross_new_year_is_refused_and_the_draft_is_kept(cast, rules):
    claim = file_claim(
        cast.lena,
        cast.lena_person,
        "conference",
        title="年会",
        start=NEW_YEARS_EVE,
        end=NEW_YEARS_EVE,
        submit=False,
    )
    with pytest.raises(ClaimError) as error:
        actions.update_claim(
            cast.lena,
            claim,
            title="年会（改）",
            start_date=NEW_YEARS_EVE,
            end_date=SECOND_OF_JANUARY,
            data=claim.data,
        )
    assert error.value.code == "span_crosses_periods"
    claim.refresh_from_db()
    assert (claim.title, claim.end_date, claim.period) == ("年会", NEW_YEARS_EVE, YEAR - 2)


def test_the_period_is_where_the_end_date_falls_by_the_persons_calendar(cast):
    # A region whose years start on 1 October: 5 October of last year is in this year's period.
    import_ruleset(
        cast.carol,
        RULES.replace("hours_per_day: 8", 'hours_per_day: 8\nyear_starts: "10-01"'),
        cast.region,
    )
    day = dt.date(YEAR - 1, 10, 5)
    claim = file_claim(cast.lena, cast.lena_person, "conference", title="年会", start=day)
    assert claim.period == YEAR
    to_office(cast, claim)
    [entry] = actions.approve_claim(cast.carol, claim)
    assert entry.period == YEAR


def test_the_last_day_of_september_and_the_first_of_october_are_two_periods(cast):
    import_ruleset(
        cast.carol,
        RULES.replace("hours_per_day: 8", 'hours_per_day: 8\nyear_starts: "10-01"'),
        cast.region,
    )
    with pytest.raises(ClaimError) as error:
        file_claim(
            cast.lena,
            cast.lena_person,
            "conference",
            title="年会",
            start=dt.date(YEAR - 1, 9, 30),
            end=dt.date(YEAR - 1, 10, 1),
        )
    assert error.value.code == "span_crosses_periods"
    assert not Claim.objects.exists()


# --- days and spans into the ledger -------------------------------------------------------------


def test_approving_a_three_day_conference_posts_its_span_and_days(cast, rules):
    start, end = DAY - dt.timedelta(days=2), DAY
    claim = file_claim(
        cast.lena, cast.lena_person, "conference", title="年会", start=start, end=end
    )
    to_office(cast, claim)
    [entry] = actions.approve_claim(cast.carol, claim)
    entry.refresh_from_db()
    assert (entry.first_day, entry.last_day, entry.days) == (start, end, Decimal("3"))
    assert entry.period == DAY.year
    assert entry.amount == Decimal("18.00")  # 6 a day


def test_a_one_day_paper_posts_no_days(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    to_office(cast, claim)
    [entry] = actions.approve_claim(cast.carol, claim)
    assert (entry.first_day, entry.last_day, entry.days) == (DAY, DAY, None)


def test_degree_study_first_share_on_the_end_date_second_on_the_next_periods_first_day(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person, "degree", title="会计学硕士")
    to_office(cast, claim)
    first, second = actions.approve_claim(cast.carol, claim)
    assert (first.first_day, first.last_day, first.period) == (DAY, DAY, DAY.year)
    next_year = dt.date(DAY.year + 1, 1, 1)
    assert (second.first_day, second.last_day, second.period) == (
        next_year,
        next_year,
        DAY.year + 1,
    )
    assert first.amount == second.amount == Decimal("20.00")


def test_degree_study_second_share_follows_a_calendar_from_october(cast):
    import_ruleset(
        cast.carol,
        RULES.replace("hours_per_day: 8", 'hours_per_day: 8\nyear_starts: "10-01"'),
        cast.region,
    )
    end = dt.date(YEAR - 1, 11, 20)  # in period YEAR (from 1 October of YEAR - 1)
    claim = file_claim(cast.lena, cast.lena_person, "degree", title="会计学硕士", start=end)
    to_office(cast, claim)
    first, second = actions.approve_claim(cast.carol, claim)
    assert (first.last_day, first.period) == (end, YEAR)
    assert (second.last_day, second.period) == (dt.date(YEAR, 10, 1), YEAR + 1)


def test_part_time_class_posts_the_days_the_claimant_gives(cast, rules):
    ctype = evening_class_type()
    start, end = DAY - dt.timedelta(days=6), DAY
    claim = actions.create_claim(
        cast.lena,
        cast.lena_person,
        ctype,
        title="周末财务班",
        start_date=start,
        end_date=end,
        data={"school": "县委党校", "days_attended": "2.5"},
        submit=True,
    )
    assert claim.days_taken == Decimal("2.5")
    to_office(cast, claim)
    [entry] = actions.approve_claim(cast.carol, claim)
    assert (entry.first_day, entry.last_day, entry.days) == (start, end, Decimal("2.5"))
    assert entry.amount == Decimal("20.00")  # 8 a day for 2.5 days


@pytest.mark.parametrize(
    ("days", "code"),
    [
        ("", "days_missing"),
        ("0", "days_invalid"),
        ("-1", "days_invalid"),
        ("1.3", "days_invalid"),
        ("两天", "days_invalid"),
        ("8", "days_exceed_span"),
    ],
)
def test_part_time_class_with_bad_days_is_refused_and_nothing_is_saved(cast, rules, days, code):
    ctype = evening_class_type()
    before = _nothing_saved()
    with pytest.raises(ClaimError) as error:
        actions.create_claim(
            cast.lena,
            cast.lena_person,
            ctype,
            title="周末财务班",
            start_date=DAY - dt.timedelta(days=6),
            end_date=DAY,
            data={"school": "县委党校", "days_attended": days},
        )
    assert (error.value.code, error.value.field) == (code, "days_attended")
    assert _nothing_saved() == before


# --- once-only artefacts across people ----------------------------------------------------------


def test_single_author_paper_counts_only_for_the_first_person_credited(cast, rules):
    first = file_claim(cast.lena, cast.lena_person, title="县级财政绩效评价")
    to_office(cast, first)
    actions.approve_claim(cast.carol, first)
    period = DAY.year
    before = evaluate_person(cast.person_a, period)
    assert before is not None

    li_ming = f.user("liming", person=cast.person_a)
    second = file_claim(li_ming, cast.person_a, title="县级财政绩效评价")
    to_office(cast, second)
    [entry] = actions.approve_claim(cast.carol, second)

    assert Entry.objects.filter(pk=entry.pk, person=cast.person_a).exists()  # posted
    after = evaluate_person(cast.person_a, period)
    assert after is not None
    assert after.total_counted == before.total_counted == 0
    assert [r.gap_text() for r in after.requirements] == [r.gap_text() for r in before.requirements]
    line = next(x for x in after.lines if x.entry_id == entry.pk)
    assert line.status == LineStatus.DUPLICATE
    standing_b = Standing.objects.get(person=cast.person_a, period=period)
    assert standing_b.earned == 0 and standing_b.status == Standing.Status.SHORT
    standing_a = Standing.objects.get(person=cast.lena_person, period=period)
    assert standing_a.earned == Decimal("24.00")
