"""Plans, money, a needs survey and reminders for the demo county's 2026: the county's plan with
its lines carried out by the party school's classes of the year (spending per class, budgets by
source, lines and the fiscal funds over budget), 县财政局机关's own plan, the office's needs
survey sent to the whole county and answered by a few hundred people, linked to the county's
plan; and the reminder run 30 days before the 2026 claims deadline, so the outbox has what it
sent.

Through the actions, as on the pages; answers of people without accounts are written as rows
(they would come from their phones). Seeded: the same on every machine."""

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from xuefen.accounts.models import User
from xuefen.claims.models import ReportingPeriod
from xuefen.orgs.models import OrgNode, Person
from xuefen.planning import actions
from xuefen.planning.models import PlanLine, Reminder, Survey, SurveyAnswer
from xuefen.planning.reminders import run_reminders
from xuefen.policy.services import ruleset_for
from xuefen.training.models import ClassStatus, TrainingClass

SEED = 20261414
YEAR = 2026

# (title, target group, planned classes, planned trainees, planned person-hours, budget, source)
D = Decimal
COUNTY_LINES = [
    ("主体班次（党校脱产培训）", Person.Category.TOWNSHIP, 4, 160, D(9600), D(120000), "fiscal"),
    ("专题培训班", "", 4, 200, D(4800), D(30000), "fiscal"),
    ("专业技术人员继续教育", Person.Category.PROFESSIONAL, 3, 150, D(4500), D(45000), "unit"),
]  # fmt: skip
UNIT_LINES = [
    ("财政业务能力提升班", "", 2, 40, Decimal(960), Decimal(16000), "unit"),
    ("新入职人员岗前培训", Person.Category.GENERAL, 1, 10, Decimal(240), Decimal(4000), "unit"),
]  # fmt: skip
SURVEY_ITEMS = """score: 当前工作对参加培训的需要程度
score: 对上一年度培训效果的满意度
choice: 最希望的培训方式 = 党校脱产集中培训; 网络在线学习; 专题讲座; 现场教学与考察
choice: 最希望加强的培训内容 = 政治理论; 业务知识; 法律法规; 数字化能力; 应急管理
choice: 每年可参加集中培训的时间 = 3天以内; 4至7天; 8至15天; 15天以上
text: 对培训工作的其他意见和建议"""
SUGGESTIONS = [
    "希望多安排案例教学",
    "网络课程希望能在手机上学习",
    "培训时间尽量避开年底",
    "增加实地考察",
]


def _plans(office: User, unit_admin: User | None, county: OrgNode, unit: OrgNode | None) -> Any:
    plan = actions.create_plan(office, county, YEAR, "清河县2026年度干部教育培训计划")
    lines = [
        actions.add_line(
            office,
            plan,
            title=title,
            target_group=group,
            planned_classes=classes,
            planned_people=people,
            planned_hours=hours,
            budget=budget,
            source=source,
        )
        for title, group, classes, people, hours, budget, source in COUNTY_LINES
    ]
    actions.set_budget(office, plan, "fiscal", Decimal(150000))
    actions.set_budget(office, plan, "unit", Decimal(40000))
    actions.set_budget(office, plan, "personal", Decimal(5000))
    if unit is not None and unit_admin is not None:
        own = actions.create_plan(unit_admin, unit, YEAR, "县财政局机关2026年度培训计划")
        for title, group, classes, people, hours, budget, source in UNIT_LINES:
            actions.add_line(
                unit_admin,
                own,
                title=title,
                target_group=group,
                planned_classes=classes,
                planned_people=people,
                planned_hours=hours,
                budget=budget,
                source=source,
            )
        actions.set_budget(unit_admin, own, "unit", Decimal(20000))
    return plan, lines


def _spend(office: User, lines: list[PlanLine], rng: random.Random) -> int:
    classes = list(
        TrainingClass.objects.filter(first_day__year=YEAR)
        .exclude(status=ClassStatus.CANCELLED)
        .order_by("first_day", "code")
    )
    spent = 0
    for index, klass in enumerate(classes):
        line = lines[0] if klass.full_time and index % 3 != 2 else lines[index % 2 + 1]
        link = actions.link_class(office, line, klass)
        if klass.status != ClassStatus.COMPLETED:
            continue
        hours = klass.hours or Decimal(6)
        # The first line's classes cost more than it planned: flagged over budget.
        rate = Decimal(900 if line == lines[0] else 400)
        items = [
            ("teacher_fees", "fiscal", hours * rate),
            (
                "venue",
                "fiscal" if line != lines[2] else "unit",
                Decimal(rng.randrange(20, 60) * 100),
            ),
            ("materials", "unit", Decimal(rng.randrange(5, 30) * 100)),
        ]
        for kind, source, amount in items:
            actions.record_spending(office, link, kind, source, amount.quantize(Decimal("0.01")))
            spent += 1
    return spent


def _survey(office: User, county: OrgNode, plan: Any, rng: random.Random) -> int:
    survey = actions.save_survey(
        office,
        None,
        node=county,
        year=YEAR,
        title="2026年度干部教育培训需求调查（调查摸底）",
        items_text=SURVEY_ITEMS,
        plan=plan,
    )
    actions.set_survey_status(office, survey, Survey.Status.OPEN)
    people = list(
        Person.objects.filter(status=Person.Status.ACTIVE, user__isnull=True)
        .select_related("unit")
        .order_by("id")
    )
    chosen = rng.sample(people, min(320, len(people)))
    brackets: dict[tuple[str, str, int], str] = {}
    rows = []
    for person in chosen:
        answers: dict[str, Any] = {}
        for item in survey.items:
            if item["type"] == "score":
                answers[item["code"]] = rng.choice([3, 4, 4, 5, 5, 2])
            elif item["type"] == "choice":
                answers[item["code"]] = rng.choice(item["options"])
            else:
                answers[item["code"]] = rng.choice(SUGGESTIONS) if rng.random() < 0.2 else ""
        age = person.age_on(dt.date(YEAR, 12, 31))
        key = (person.unit.path, person.category, age)
        if key not in brackets:
            rules = ruleset_for(person, YEAR)
            found = [b for b in rules.age_brackets if b.contains(age)] if rules else []
            brackets[key] = str(found[0].label) if found else ""
        rows.append(
            SurveyAnswer(
                survey=survey,
                person=person,
                unit=person.unit,
                category=person.category,
                age_bracket=brackets[key][:60],
                answers=answers,
            )
        )
    SurveyAnswer.objects.bulk_create(rows)
    return len(rows)


def load(write: Callable[[str], Any]) -> None:
    rng = random.Random(SEED)
    office = User.objects.filter(username="office").first()
    county = OrgNode.objects.filter(code="QH").first()
    if office is None or county is None:
        write("planning: demo office not found; skipped.")
        return
    unit_admin = User.objects.filter(username="unitadmin").first()
    plan, lines = _plans(office, unit_admin, county, OrgNode.objects.filter(code="CZJ01").first())
    spent = _spend(office, lines, rng)
    answered = _survey(office, county, plan, rng)
    reporting = ReportingPeriod.objects.filter(period=YEAR).first()
    reminded = 0
    if reporting is not None:
        # The run as the worker does it each morning, on the day of the 30-day point.
        run_reminders(reporting.deadline - dt.timedelta(days=30))
        reminded = Reminder.objects.count()
    write(
        f"planning: 2 plans for {YEAR} ({len(lines)} county lines, {spent} spending records), "
        f"a needs survey answered by {answered}, {reminded} reminders in the outbox"
    )
