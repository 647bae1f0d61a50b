import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.closing.conftest import PDF, YEAR, credit
from xuefen.closing import actions, guard
from xuefen.closing.errors import ClosingError, PeriodClosed
from xuefen.closing.models import FixedGrade, Notice, Objection
from xuefen.closing.rules import notice_rules
from xuefen.core.errors import PermissionDenied
from xuefen.ledger.bulk import NewEntry
from xuefen.ledger.models import Entry, Standing
from xuefen.ledger.verify import verify

# --- closing --------------------------------------------------------------------------------------


def test_closing_fixes_every_persons_grade_as_the_judge_gave_it(cast, year):
    fixed = {f.person_id: f for f in FixedGrade.objects.filter(close=year.close)}
    assert set(fixed) >= {cast.person_a.pk, cast.lena_person.pk}
    for person_id, row in fixed.items():
        standing = Standing.objects.get(person_id=person_id, period=YEAR)
        assert (row.status, row.grade, row.earned) == (
            standing.status,
            standing.grade,
            standing.earned,
        )
    assert fixed[cast.person_a.pk].status == Standing.Status.MET
    assert fixed[cast.lena_person.pk].status == Standing.Status.SHORT
    assert year.close.people == len(fixed)


def test_a_year_is_closed_once(cast, year):
    with pytest.raises(ClosingError) as refused:
        actions.close_period(cast.carol, cast.region, YEAR)
    assert refused.value.code == "already_closed"


def test_only_the_office_closes_a_year(cast, year):
    with pytest.raises(PermissionDenied):
        actions.close_period(cast.alice, cast.region, YEAR - 1)


# --- the closed period refuses changes but through the office's approval -----------------------


def _row(cast, source_id, day=dt.date(YEAR, 9, 1)):
    return NewEntry(
        person_id=cast.lena_person.pk,
        last_day=day,
        categories=("required", "centralised"),
        amount=Decimal(8),
        unit="hours",
        source_type="roster",
        source_id=source_id,
    )


def test_a_closed_year_refuses_a_late_roster_row_with_a_clear_message(cast, year):
    before = Entry.objects.count()
    result = guard.post_open_entries(cast.carol, [_row(cast, "late-1")], note="t")
    assert result.errors[0].code == "period_closed"
    assert str(YEAR) in str(result.errors[0].message)
    assert "late-report approval" in str(result.errors[0].message) or "补报" in str(
        result.errors[0].message
    )
    assert Entry.objects.count() == before


def test_an_open_year_still_takes_rows_beside_a_closed_one(cast, year):
    rows = [_row(cast, "late-2"), _row(cast, "open-1", day=dt.date(YEAR + 1, 3, 1))]
    result = guard.post_open_entries(cast.carol, rows, note="t")
    assert set(result.errors) == {0}
    assert set(result.posted) == {1}


def test_a_row_already_in_the_ledger_stays_a_duplicate_after_the_close(cast, year):
    result = guard.post_open_entries(
        cast.carol, [NewEntry(**{**_row(cast, "l1").__dict__, "source_type": "class"})], note="t"
    )
    assert result.duplicates == {0: year.entries.lena.pk}
    assert result.errors == {}


def test_the_offices_late_report_approval_lets_the_row_in(cast, year):
    actions.approve_late_reports(
        cast.carol,
        year.close,
        reason="培训机构延迟报送",
        valid_until=dt.date.today(),
        person=cast.lena_person,
    )
    result = guard.post_open_entries(cast.carol, [_row(cast, "late-3")], note="t")
    assert set(result.posted) == {0}


def test_a_late_approval_of_a_unit_covers_its_people_only(cast, year):
    actions.approve_late_reports(
        cast.carol, year.close, reason="单位补报", valid_until=dt.date.today(), unit=cast.unit_b
    )
    with pytest.raises(PeriodClosed):
        guard.require_open(cast.lena_person, YEAR)
    guard.require_open(cast.person_b, YEAR)  # no refusal


def test_an_expired_late_approval_lets_nothing_in(cast, year):
    with pytest.raises(ClosingError) as refused:
        actions.approve_late_reports(
            cast.carol,
            year.close,
            reason="过期",
            valid_until=dt.date.today() - dt.timedelta(days=1),
            person=cast.lena_person,
        )
    assert refused.value.code == "valid_until_past"


def test_a_unit_administrator_cannot_approve_late_reports(cast, year):
    with pytest.raises(PermissionDenied):
        actions.approve_late_reports(
            cast.alice,
            year.close,
            reason="x",
            valid_until=dt.date.today(),
            person=cast.lena_person,
        )


def test_fixing_the_grades_again_takes_the_late_credit_in(cast, year):
    actions.approve_late_reports(
        cast.carol, year.close, reason="补报", valid_until=dt.date.today(), person=cast.lena_person
    )
    guard.post_open_entries(
        cast.carol,
        [NewEntry(**{**_row(cast, "late-4").__dict__, "amount": Decimal(80)})],
        note="t",
    )
    assert FixedGrade.objects.get(person=cast.lena_person).status == Standing.Status.SHORT
    actions.fix_grades_again(cast.carol, year.close)
    assert FixedGrade.objects.get(person=cast.lena_person).status == Standing.Status.MET


# --- the public notice and its objections ------------------------------------------------------


@pytest.fixture
def notice(cast, year):
    return actions.publish_notice(cast.carol, year.close)


def test_the_notice_stands_for_the_days_the_rules_set(notice):
    days = notice_rules().days
    assert (notice.closes_on - notice.opens_on).days + 1 == days
    assert notice.opens_on == dt.date.today()


def test_an_objection_after_the_window_is_refused_with_a_message(cast, year, notice):
    late = notice.closes_on + dt.timedelta(days=1)
    with pytest.raises(ClosingError) as refused:
        actions.raise_objection(
            cast.lena, notice, cast.person_a, year.entries.a_extra, reason="不实", today=late
        )
    assert refused.value.code == "window_closed"
    assert notice.closes_on.isoformat() in str(refused.value.message)
    assert not Objection.objects.exists()


def test_the_page_refuses_an_objection_after_the_window(client, cast, year, notice):
    Notice.objects.filter(pk=notice.pk).update(
        opens_on=dt.date.today() - dt.timedelta(days=10),
        closes_on=dt.date.today() - dt.timedelta(days=3),
    )
    client.force_login(cast.lena)
    url = reverse("closing:notice_person", args=[notice.pk, cast.person_a.pk])
    response = client.post(url, {"entry": year.entries.a_extra.pk, "reason": "不实"}, follow=True)
    assert "no more objections" in response.content.decode() or "不再受理" in (
        response.content.decode()
    )
    assert not Objection.objects.exists()


def test_an_upheld_objection_reverses_the_credit_naming_it(cast, year, notice):
    objection = actions.raise_objection(
        cast.lena,
        notice,
        cast.person_a,
        year.entries.a_extra,
        reason="该讲座未实际参加",
        upload=SimpleUploadedFile("证明.pdf", PDF),
    )
    decided = actions.decide_objection(cast.carol, objection, uphold=True, reason="核实属实")
    assert decided.status == Objection.Status.UPHELD
    reversal = decided.reversal
    assert reversal.reverses_id == year.entries.a_extra.pk
    assert f"#{objection.pk}" in reversal.description
    assert FixedGrade.objects.get(person=cast.person_a).earned == Decimal(80)
    assert list(verify()) == []


def test_a_dismissed_objection_records_its_reason_and_changes_no_credit(cast, year, notice):
    objection = actions.raise_objection(
        cast.lena, notice, cast.person_a, year.entries.a_main, reason="存疑"
    )
    before = Entry.objects.count()
    decided = actions.decide_objection(cast.carol, objection, uphold=False, reason="有签到记录")
    assert (decided.status, decided.decision_reason) == (Objection.Status.DISMISSED, "有签到记录")
    assert Entry.objects.count() == before


def test_an_objection_is_decided_once(cast, year, notice):
    objection = actions.raise_objection(
        cast.lena, notice, cast.person_a, year.entries.a_main, reason="存疑"
    )
    actions.decide_objection(cast.carol, objection, uphold=False, reason="无据")
    with pytest.raises(ClosingError):
        actions.decide_objection(cast.carol, objection, uphold=True, reason="再议")


def test_a_unit_administrator_cannot_decide_an_objection(cast, year, notice):
    objection = actions.raise_objection(
        cast.lena, notice, cast.person_a, year.entries.a_main, reason="存疑"
    )
    with pytest.raises(PermissionDenied):
        actions.decide_objection(cast.alice, objection, uphold=True, reason="x")
    assert Objection.objects.get().status == Objection.Status.OPEN


def test_the_notice_records_its_outcome_after_the_window(cast, year, notice):
    first = actions.raise_objection(
        cast.lena, notice, cast.person_a, year.entries.a_main, reason="存疑"
    )
    actions.decide_objection(cast.carol, first, uphold=False, reason="无据")
    with pytest.raises(ClosingError):
        actions.finish_notice(cast.carol, notice)
    done = actions.finish_notice(cast.carol, notice, today=notice.closes_on + dt.timedelta(days=1))
    assert (done.upheld, done.dismissed) == (0, 1)
    assert done.finished_at is not None


def test_the_notice_page_shows_masked_id_numbers_only(client, cast, year, notice):
    client.force_login(cast.lena)
    body = client.get(reverse("closing:notice", args=[notice.pk])).content.decode()
    assert cast.person_a.name in body
    assert cast.person_a.masked_id_number in body
    assert cast.person_a.id_number not in body


def test_the_notice_page_costs_a_fixed_number_of_queries(
    client, cast, year, notice, django_assert_max_num_queries
):
    client.force_login(cast.carol)
    client.get(reverse("closing:notice", args=[notice.pk]))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("closing:notice", args=[notice.pk])).status_code == 200


def test_a_learner_outside_the_notices_node_cannot_read_it(client, cast, year):
    notice = actions.publish_notice(cast.carol, year.close, cast.unit_b)
    client.force_login(cast.lena)
    assert client.get(reverse("closing:notice", args=[notice.pk])).status_code == 404


# --- results notices and the assessment export ------------------------------------------------


def test_the_results_notice_of_a_unit_as_xlsx_and_pdf(client, cast, year):
    client.force_login(cast.alice)
    url = reverse("closing:results_xlsx", args=[year.close.pk, cast.unit_a.pk])
    book = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
    people = list(book.worksheets[1].iter_rows(values_only=True))
    names = {row[1] for row in people[1:]}
    assert names == {cast.person_a.name, cast.lena_person.name}
    assert cast.person_a.id_number not in {row[2] for row in people}
    pdf = client.get(reverse("closing:results_pdf", args=[year.close.pk, cast.unit_a.pk]))
    assert pdf.content.startswith(b"%PDF")


def test_the_assessment_export_lists_credits_per_category_grade_and_status(client, cast, year):
    client.force_login(cast.carol)
    url = reverse("closing:assessment")
    response = client.get(url, {"format": "xlsx", "node": cast.region.pk, "period": YEAR})
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    headers = rows[0]
    by_name = {row[1]: dict(zip(headers, row, strict=True)) for row in rows[1:]}
    a = by_name[cast.person_a.name]
    assert 95 in a.values()
    assert any(v == "是" or v == "Yes" for v in a.values())


def test_a_credit_of_an_open_year_is_posted_as_ever(cast, year):
    entry = credit(cast, cast.lena_person, 8, "open-2", day=dt.date(YEAR + 1, 2, 1))
    assert entry.period == YEAR + 1


def test_the_notices_of_a_whole_region_at_once_are_each_units_notice(cast, year):
    """The set-based notices of every unit (the background run's, the benchmark's) say what the
    notice of each unit alone says: the same count per grade, the same lines in the same order,
    ID numbers masked."""
    from xuefen.closing import results
    from xuefen.orgs.models import OrgNode

    made = {notice.unit_id: notice for notice in results.notices(year.close)}
    units = OrgNode.objects.filter(pk__in=list(made))
    assert {unit.pk for unit in units} >= {cast.unit_a.pk}
    for unit in units:
        assert made[unit.pk].summary == results.summary(year.close, unit)
        assert made[unit.pk].lines == list(results.lines(year.close, unit))
    lines = made[cast.unit_a.pk].lines
    assert {line.name for line in lines} == {cast.person_a.name, cast.lena_person.name}
    assert cast.person_a.id_number not in {line.id_number for line in lines}
    assert Decimal("95") in {line.earned for line in lines}
    paths = [OrgNode.objects.get(pk=unit_id).path for unit_id in made]
    assert paths == sorted(paths)


# --- the close form -----------------------------------------------------------------------------


def _offered_year(client) -> int:
    import re

    page = client.get(reverse("closing:closes")).content.decode()
    return int(re.search(r'name="period" type="number"[^>]*value="(\d+)"', page).group(1))


def test_the_close_form_offers_last_year_while_it_is_open(client, cast, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(YEAR + 1, 2, 1))
    client.force_login(cast.carol)
    assert _offered_year(client) == YEAR


def test_the_close_form_offers_this_year_once_last_year_is_closed(client, cast, year, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(YEAR + 1, 2, 1))
    client.force_login(cast.carol)
    assert _offered_year(client) == YEAR + 1
