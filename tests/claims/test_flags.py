"""Flags computed when a claim is submitted: each with its reason."""

import datetime as dt

from tests.claims.conftest import DAY, file_claim, to_office
from xuefen.claims import actions
from xuefen.ledger.actions import post_entry


def _flags(claim):
    return {code: reason for code, reason in claim.flags.values_list("code", "reason")}


def test_same_paper_claimed_twice_by_one_person_is_flagged(cast, rules):
    first = file_claim(cast.lena, cast.lena_person, title="县级财政绩效评价")
    second = file_claim(cast.lena, cast.lena_person, title="县级 财政绩效评价！")
    assert f"第 {first.pk} 号申报" in _flags(second)["duplicate"]
    assert "duplicate" not in _flags(first)


def test_same_single_author_item_claimed_by_another_person_is_flagged(cast, rules):
    file_claim(cast.lena, cast.lena_person, title="县级财政绩效评价")
    other = file_claim(cast.alice, cast.person_a, title="县级财政绩效评价")
    reason = _flags(other)["duplicate"]
    assert "another person" in reason or "他人" in reason
    assert cast.lena_person.name not in reason


def test_same_book_by_two_people_is_not_a_duplicate(cast, rules):
    isbn = "978-7-01-000000-1"
    file_claim(cast.lena, cast.lena_person, "book", title="合著", isbn=isbn)
    other = file_claim(cast.alice, cast.person_a, "book", title="合著", isbn="ISBN 9787010000001")
    assert "duplicate" not in _flags(other)


def test_duplicate_of_a_credited_claim_is_flagged(cast, rules):
    first = file_claim(cast.lena, cast.lena_person, "qualification_exam", title="中级会计")
    to_office(cast, first)
    actions.approve_claim(cast.carol, first)
    again = file_claim(cast.lena, cast.lena_person, "qualification_exam", title="中级会计师")
    assert "duplicate" in _flags(again)


def test_rejected_claim_does_not_count_as_a_duplicate(cast, rules):
    first = file_claim(cast.lena, cast.lena_person)
    actions.reject_claim(cast.alice, first, "重复")
    again = file_claim(cast.lena, cast.lena_person)
    assert "duplicate" not in _flags(again)


def test_two_full_day_activities_on_one_day_are_flagged(cast, rules):
    start = DAY
    first = file_claim(cast.lena, cast.lena_person, "secondment", start=start, end=start)
    second = file_claim(cast.lena, cast.lena_person, "conference", title="年会", start=start)
    assert f"第 {first.pk} 号申报" in _flags(second)["overlap"]


def test_full_day_claim_on_a_day_of_a_ledger_class_is_flagged(cast, rules):
    post_entry(
        cast.carol,
        cast.lena_person,
        last_day=DAY,
        categories=["required"],
        amount=8,
        unit="hours",
        source_type="class",
        source_id="c1",
        kind="party_school_day",
        description="党校培训班",
    )
    claim = file_claim(cast.lena, cast.lena_person, "conference", title="年会", start=DAY)
    assert "党校培训班" in _flags(claim)["overlap"]


def test_another_persons_ledger_does_not_make_an_overlap(cast, rules):
    post_entry(
        cast.carol,
        cast.person_a,
        last_day=DAY,
        categories=["required"],
        amount=8,
        unit="hours",
        source_type="class",
        source_id="c1",
        kind="party_school_day",
        description="党校培训班",
    )
    claim = file_claim(cast.lena, cast.lena_person, "conference", title="年会", start=DAY)
    assert "overlap" not in _flags(claim)


def test_more_than_24_hours_in_one_day_is_flagged(cast, rules):
    file_claim(cast.lena, cast.lena_person, "teaching", title="授课一", hours="14")
    claim = file_claim(cast.lena, cast.lena_person, "teaching", title="授课二", hours="12")
    assert "26" in _flags(claim)["over_24h"]


def test_conversion_cap_is_flagged_with_the_cap(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person, "teaching", hours="8")  # 40 > 30 per item
    assert "30" in _flags(claim)["capped"]
    assert claim.amount == 30


def test_rule_set_cap_per_year_is_flagged_with_the_cap(cast, rules):
    # 40 split over 2 years = 20 a year; with 10 already in the ledger the year has 30 > 24.
    post_entry(
        cast.carol,
        cast.lena_person,
        last_day=DAY,
        categories=["professional"],
        amount=10,
        unit="hours",
        source_type="claim",
        source_id="old",
        kind="degree",
    )
    claim = file_claim(cast.lena, cast.lena_person, "degree", title="硕士")
    reason = _flags(claim)["capped"]
    assert "24" in reason and "学历教育年度上限" in reason


def test_missing_required_evidence_is_flagged(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person, evidence=False)
    assert "evidence_missing" in _flags(claim)


def test_claim_with_its_evidence_has_no_evidence_flag(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    assert "evidence_missing" not in _flags(claim)


def test_no_rule_for_the_type_is_flagged(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person, "book", title="专著")
    assert "no_rule" in _flags(claim)
    assert claim.amount is None


def test_flags_are_recomputed_on_resubmission(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person, evidence=False)
    actions.return_claim(cast.alice, claim, "请上传论文")
    from tests.claims.conftest import pdf

    actions.add_evidence(cast.lena, claim, "article", pdf())
    actions.submit_claim(cast.lena, claim)
    assert "evidence_missing" not in _flags(claim)


def test_flags_do_not_reach_across_dates(cast, rules):
    file_claim(cast.lena, cast.lena_person, "secondment", start=DAY)
    other_day = DAY + dt.timedelta(days=3)
    claim = file_claim(cast.lena, cast.lena_person, "conference", title="年会", start=other_day)
    assert "overlap" not in _flags(claim)


def _class(cast, person, first, last, days, source_id="c1"):
    """A ledger entry of a party-school class (a per-day kind: full days) over first..last."""
    return post_entry(
        cast.carol,
        person,
        first_day=first,
        last_day=last,
        days=days,
        categories=["required"],
        amount=8 * days,
        unit="hours",
        source_type="class",
        source_id=source_id,
        kind="party_school_day",
        description="党校培训班",
    )


def test_conference_on_the_last_day_of_a_three_day_ledger_class_is_flagged(cast, rules):
    first, last = DAY - dt.timedelta(days=2), DAY
    _class(cast, cast.lena_person, first, last, 3)
    claim = file_claim(cast.lena, cast.lena_person, "conference", title="年会", start=last)
    reason = _flags(claim)["overlap"]
    assert last.isoformat() in reason and "党校培训班" in reason


def test_two_day_conference_inside_a_ledger_class_is_flagged_on_each_shared_day(cast, rules):
    _class(cast, cast.lena_person, DAY - dt.timedelta(days=3), DAY, 4)
    start = DAY - dt.timedelta(days=1)
    claim = file_claim(
        cast.lena, cast.lena_person, "conference", title="年会", start=start, end=DAY
    )
    reasons = list(claim.flags.filter(code="overlap").values_list("reason", flat=True))
    assert len(reasons) == 2
    assert any(start.isoformat() in r for r in reasons) and any(
        DAY.isoformat() in r for r in reasons
    )


def test_part_time_ledger_class_over_weeks_does_not_make_an_overlap(cast, rules):
    # Three days of classes somewhere in nine: which days is not known, so none is claimed.
    _class(cast, cast.lena_person, DAY - dt.timedelta(days=8), DAY, 3)
    claim = file_claim(cast.lena, cast.lena_person, "conference", title="年会", start=DAY)
    assert "overlap" not in _flags(claim)
    assert "over_24h" not in _flags(claim)


def test_ledger_class_ending_the_day_before_does_not_make_an_overlap(cast, rules):
    _class(cast, cast.lena_person, DAY - dt.timedelta(days=3), DAY - dt.timedelta(days=1), 3)
    claim = file_claim(cast.lena, cast.lena_person, "conference", title="年会", start=DAY)
    assert "overlap" not in _flags(claim)


def test_a_part_time_class_claimed_over_weeks_does_not_overlap_a_conference(cast, rules):
    from tests.claims.test_spans import evening_class_type

    evening = actions.create_claim(
        cast.lena,
        cast.lena_person,
        evening_class_type(),
        title="周末财务班",
        start_date=DAY - dt.timedelta(days=6),
        end_date=DAY,
        data={"school": "县委党校", "days_attended": "2"},
        submit=True,
    )
    conference = file_claim(cast.lena, cast.lena_person, "conference", title="年会", start=DAY)
    assert "overlap" not in _flags(conference)
    actions.return_claim(cast.alice, evening, "请补充")
    actions.submit_claim(cast.lena, evening)
    assert "overlap" not in _flags(evening)


def test_a_full_time_class_claimed_day_by_day_overlaps_a_conference(cast, rules):
    from tests.claims.test_spans import evening_class_type

    file_claim(cast.lena, cast.lena_person, "conference", title="年会", start=DAY)
    full = actions.create_claim(
        cast.lena,
        cast.lena_person,
        evening_class_type(),
        title="脱产培训班",
        start_date=DAY - dt.timedelta(days=1),
        end_date=DAY,
        data={"school": "县委党校", "days_attended": "2"},
        submit=True,
    )
    assert DAY.isoformat() in _flags(full)["overlap"]
