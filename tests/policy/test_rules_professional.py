"""The 专技 rule sets against their documents, case by case, worked by hand.

professional_national — 专业技术人员继续教育规定（人社部令第25号）第八条:
  “每年累计应不少于90学时，其中，专业科目一般不少于总学时的三分之二” (90 and 60; no 公需 floor).
professional_hunan — 湘人社办函〔2025〕37号: “公需科目学习不少于30学时，专业科目学习不少于60学时”.
professional_suqian — 宿迁 conversions: 全脱产每天6学时, 半脱产3学时, 学历100学时分两年, 资格考试40.
accounting — 财会〔2018〕10号: 90 学分, 专业 2/3; 山西: 1 学时 (45 分钟) = 3 学分,
  at most 10 学时 a day.
"""

import datetime as dt
import json

import pytest
from django.utils import translation

from tests.policy.helpers import credit, d, subject
from xuefen.policy.conversions import convert
from xuefen.policy.engine import Exemption, State, evaluate
from xuefen.policy.shipped import shipped

NATIONAL = shipped("professional_national")
HUNAN = shipped("professional_hunan")
SUQIAN = shipped("professional_suqian")
ACCOUNTING = shipped("accounting")


def by_code(evaluation):
    return {r.code: r for r in evaluation.requirements}


def pro(amount, entry_id=1, **extra):
    return credit(entry_id, amount, ("professional",), **extra)


def pub(amount, entry_id=2, **extra):
    return credit(entry_id, amount, ("public",), **extra)


# (case, credits, state, {requirement: gap})
NATIONAL_CASES = [
    ("exactly 90 with exactly 60 专业", [pro(60), pub(30)], State.MET, {}),
    ("90 all 专业, no 公需: the national rule sets no 公需 floor", [pro(90)], State.MET, {}),
    ("89.99 in all", [pro("60"), pub("29.99")], State.SHORT, {"total": "0.01"}),
    ("90 in all, 专业 59", [pro(59), pub(31)], State.SHORT, {"professional": "1"}),
    ("90 公需: 专业 short by 60", [pub(90)], State.SHORT, {"professional": "60"}),
    ("credits of last year count nothing", [pro(90, period=2025)], State.SHORT,
     {"total": "90", "professional": "60"}),
]  # fmt: skip


@pytest.mark.parametrize(("case", "credits", "state", "gaps"), NATIONAL_CASES, ids=lambda v: v)
def test_national_rule_article_8(case, credits, state, gaps):
    result = evaluate(NATIONAL, subject(), credits, 2026)
    assert result.state == state, case
    assert {r.code: r.gap for r in result.requirements if not r.met} == {
        code: d(gap) for code, gap in gaps.items()
    }


def test_national_rule_has_no_public_requirement():
    assert [r.code for r in NATIONAL.requirements] == ["total", "professional"]


def test_hunan_adds_thirty_public_and_names_its_document():
    assert "湘人社办函〔2025〕37号" in HUNAN.requirement("public").source
    result = evaluate(HUNAN, subject(), [pro(60), pub("29.5"), pro("0.5", entry_id=3)], 2026)
    assert {r.code: r.gap for r in result.requirements if not r.met} == {"public": d("0.5")}
    assert evaluate(HUNAN, subject(), [pro(60), pub(30)], 2026).state == State.MET


def test_gap_is_explained_in_chinese_first():
    result = evaluate(HUNAN, subject(), [pro(70), pub(24)], 2026)
    with translation.override("zh-hans"):
        assert result.explain()[0] == "还差 公需科目 6 学时"


def test_new_hire_on_1_july_is_held_to_half_the_year():
    hired = subject(hired_on=dt.date(2026, 7, 1))
    result = evaluate(NATIONAL, hired, [pro(30), pub(15)], 2026)
    assert {r.code: r.required for r in result.requirements} == {
        "total": d(45),
        "professional": d(30),
    }
    assert result.state == State.MET


def test_hired_on_1_january_is_held_to_the_whole_year():
    result = evaluate(NATIONAL, subject(hired_on=dt.date(2026, 1, 1)), [], 2026)
    assert by_code(result)["total"].required == d(90)


def test_leave_of_three_months_waives_a_quarter_and_says_why():
    leave = Exemption(2026, "leave", months=3, reason="产假")
    result = evaluate(NATIONAL, subject(exemptions=(leave,)), [], 2026)
    assert by_code(result)["total"].required == d("67.5")
    assert any("产假" in s for s in result.explain())


def test_full_exemption_is_exempt():
    exempt = Exemption(2026, "other", ratio=d(1), reason="援外")
    result = evaluate(NATIONAL, subject(exemptions=(exempt,)), [], 2026)
    assert (result.state, result.grade, result.met) == (State.EXEMPT, "exempt", True)


def test_the_same_certificate_in_two_years_counts_once():
    # Reported in 2025 and again in 2026: it counted in 2025, so 2026 sees a duplicate.
    credits = [pro(40, key="cert:A1", period=2025), pro(40, entry_id=2, key="cert:A1")]
    result = evaluate(NATIONAL, subject(), credits, 2026)
    line = next(x for x in result.lines if x.entry_id == 2)
    assert (line.status, by_code(result)["professional"].earned) == ("duplicate", d(0))


def test_a_single_author_paper_credited_to_someone_else_first_counts_for_nobody_else():
    paper = pro(24, key="paper:title", exclusive=True, entry_id=7)
    mine_first = evaluate(NATIONAL, subject(), [paper], 2026, elsewhere={"paper:title": 9})
    theirs_first = evaluate(NATIONAL, subject(), [paper], 2026, elsewhere={"paper:title": 3})
    assert mine_first.lines[0].status == "counted"
    assert theirs_first.lines[0].status == "duplicate"


def test_reversed_entry_and_its_reversal_count_nothing():
    credits = [pro(60), credit(2, -60, ("professional",), reverses=1)]
    result = evaluate(NATIONAL, subject(), credits, 2026)
    assert [line.status for line in result.lines] == ["reversed", "reversed"]


def test_evaluation_as_dict_is_json_ready():
    result = evaluate(NATIONAL, subject(), [pro(70)], 2026)
    data = json.loads(json.dumps(result.as_dict()))
    assert data["ruleset"] == "professional_national v1"
    assert data["lines"][0]["last_day"] == "2026-03-02"
    assert data["explanation"][0] == result.explain()[0]


# --- 宿迁 conversions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "quantity", "amount"),
    [
        ("full_time_training", 3, "18"),  # 全脱产培训每天计6学时
        ("part_time_training", 4, "12"),  # 半脱产培训每天计3学时
        ("qualification_exam", 1, "40"),  # 取得合格证的每项计40学时
        ("passed_course", 2, "20"),  # 单科结业每科计10学时
    ],
)
def test_suqian_conversions(kind, quantity, amount):
    assert convert(SUQIAN, kind, quantity).amount == d(amount)


def test_suqian_degree_is_split_over_two_years():
    result = convert(SUQIAN, "degree", 1)
    assert (result.amount, result.splits) == (d(100), (d(50), d(50)))


# --- accounting: 学分, 3 per 学时, at most 30 a calendar day (山西) -----------------------


def test_accounting_hours_count_three_credits_each():
    result = evaluate(
        ACCOUNTING,
        subject(),
        [
            pro(10, day=dt.date(2026, 3, 1)),
            pro(10, entry_id=2, day=dt.date(2026, 3, 2)),
            pub(10, entry_id=3, day=dt.date(2026, 3, 3)),
        ],
        2026,
    )
    assert (result.total_counted, result.state) == (d(90), State.MET)


def test_accounting_daily_cap_across_entries_of_one_day():
    day = dt.date(2026, 5, 1)
    result = evaluate(ACCOUNTING, subject(), [pro(8, day=day), pub(4, entry_id=2, day=day)], 2026)
    assert [x.counted for x in result.lines] == [d(24), d(6)]
    assert result.lines[1].status == "capped"


def test_accounting_three_day_class_is_capped_per_day_of_its_span():
    # 36 学时 over 11–13 May = 108 学分, 36 a day: at most 30 a day → 90, not 30.
    result = evaluate(
        ACCOUNTING,
        subject(),
        [pro(36, first=dt.date(2026, 5, 11), day=dt.date(2026, 5, 13))],
        2026,
    )
    assert (result.lines[0].counted, result.lines[0].status) == (d(90), "capped")


def test_accounting_class_over_a_week_that_took_two_days_counts_two_days_at_most():
    # 30 学时 recorded over 4–10 May, 2 days of class: at most 2 × 30 = 60 学分.
    result = evaluate(
        ACCOUNTING,
        subject(),
        [pro(30, first=dt.date(2026, 5, 4), day=dt.date(2026, 5, 10), days=2)],
        2026,
    )
    assert result.lines[0].counted == d(60)


def test_accounting_a_class_the_day_after_a_full_day_still_counts():
    full = pro(10, day=dt.date(2026, 5, 11))
    spanning = pro(20, entry_id=2, first=dt.date(2026, 5, 11), day=dt.date(2026, 5, 12))
    result = evaluate(ACCOUNTING, subject(), [full, spanning], 2026)
    # 11 May is full (30); the 2-day class spreads 30 + 30: only 12 May's 30 counts.
    assert [x.counted for x in result.lines] == [d(30), d(30)]


def test_accounting_exam_and_conference_by_article_13():
    assert convert(ACCOUNTING, "accounting_exam", 1).amount == d(90)
    assert convert(ACCOUNTING, "conference", 2).amount == d(20)
    assert convert(ACCOUNTING, "paper", 1, level="cn_journal", author_rank="1").amount == d(30)
    assert convert(ACCOUNTING, "paper", 1, level="cn_journal", author_rank="3").amount == d(10)


def test_accounting_per_day_conversion_cap_counts_each_day_of_the_span():
    # 900 minutes of training over two days = 20 学时 = 60 学分: 30 a day × 2 days allows it all.
    assert convert(ACCOUNTING, "professional_training", 900, span_days=2).amount == d(60)
    assert convert(ACCOUNTING, "professional_training", 900, span_days=1).amount == d(30)
