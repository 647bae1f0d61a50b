"""Demo ledger for the county: 2025 and 2026 (to mid November) of party-school classes and
training days (multi-day, with their days), online courses, exams and papers for every demo
person, seeded. Some people meet their targets, some fall short, county cadres are on their way
through the five-year window.

Loaded through the ledger's one writer (`ledger.bulk.post_entries`), a few hundred people per call,
so demo entries have exactly the checks, hash chains, totals, standings and audit records of any
other entry; a few corrections go through `reverse_entry`.
"""

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from xuefen.accounts.models import User
from xuefen.core.actors import SYSTEM
from xuefen.ledger.actions import reverse_entry
from xuefen.ledger.bulk import NewEntry, post_entries
from xuefen.ledger.models import Entry
from xuefen.orgs.models import Person

SEED = 20261124
LAST_DAY = {2025: dt.date(2025, 12, 20), 2026: dt.date(2026, 11, 16)}
PEOPLE_PER_CALL = 300

PARTY_CLASSES = [
    "县委党校中青年干部培训班",
    "县委党校科级干部进修班",
    "学习贯彻党的二十届三中全会精神专题班",
    "乡村振兴专题培训班",
]
TOPIC_CLASSES = [
    "基层治理能力提升专题培训",
    "安全生产专题培训",
    "依法行政专题培训",
    "财经法规专题培训",
]
ONLINE_COURSES = [
    "习近平新时代中国特色社会主义思想概论",
    "全面从严治党专题讲座",
    "数字政府建设与政务服务",
    "中华优秀传统文化",
    "新质生产力解读",
    "保密知识与保密管理",
    "突发事件应对与舆情处置",
    "心理健康与压力管理",
]
PUBLIC_COURSES = [
    "专业技术人员职业道德与诚信建设",
    "人工智能与数字经济",
    "知识产权保护",
    "专业技术人员心理健康",
    "法治素养提升",
]
PRO_TRAINING = ["市级专业技术骨干研修班", "新技术新方法培训班", "学术年会", "专业技能提升培训"]


@dataclass(frozen=True)
class Activity:
    kind: str
    categories: list[str]
    amount: Decimal
    description: str
    source: str
    days: int = 0  # > 0: a class of that many consecutive days
    artefact: str = ""


def _cadre_year(rng: random.Random, person: Person, effort: float) -> list[Activity]:
    """集中 training (party-school classes and topic classes, counted in days and 学时) toward the
    yearly 12 days / 90 学时 (county cadres: their share of 550 in five years), and online
    courses toward the plan's online hours."""
    out: list[Activity] = []
    county = person.category == Person.Category.COUNTY
    goal_days = Decimal(22 if county else 12) * Decimal(f"{effort:.2f}")
    days = Decimal(0)
    centralised = ["required", "offline", "centralised"]
    if rng.random() < 0.7:
        n = rng.choice([3, 5, 7, 10, 13] if not county else [5, 10, 15, 20])
        amount = Decimal("7.5") * n
        out.append(
            Activity("party_school_day", centralised, amount, rng.choice(PARTY_CLASSES), "class", n)
        )
        days += n
    while days < goal_days:
        n = rng.choice([1, 2, 3])
        amount = Decimal("7.5") * n
        out.append(
            Activity("training_day", centralised, amount, rng.choice(TOPIC_CLASSES), "class", n)
        )
        days += n
    online = Decimal(0)
    goal_online = Decimal(50) * Decimal(f"{effort:.2f}")
    while online < goal_online:
        if rng.random() < 0.9:
            amount = Decimal(rng.choice(["1", "2", "3", "4"]))
            course = rng.choice(ONLINE_COURSES)
            out.append(
                Activity("online_course", ["elective", "online"], amount, course, "elearning")
            )
        else:
            amount = Decimal("0.5")
            out.append(
                Activity("online_test", ["elective", "online"], amount, "网络课程结业测试", "exam")
            )
        online += amount
    return out


def _professional_year(
    rng: random.Random, person: Person, year: int, effort: float
) -> list[Activity]:
    """公需 online courses and 专业 training (multi-day classes with their days), exams, papers."""
    out: list[Activity] = []
    factor = Decimal(f"{effort:.2f}")
    public_goal, pro_goal = Decimal(30) * factor, Decimal(60) * factor
    earned = Decimal(0)
    while earned < public_goal:
        amount = Decimal(rng.choice(["4", "6", "8"]))
        course = rng.choice(PUBLIC_COURSES)
        out.append(Activity("public_training", ["public", "online"], amount, course, "elearning"))
        earned += amount
    earned = Decimal(0)
    while earned < pro_goal:
        r = rng.random()
        if r < 0.75:
            n = rng.choice([1, 2, 3, 4])
            amount = Decimal(6 * n)
            course = rng.choice(PRO_TRAINING)
            out.append(
                Activity(
                    "full_time_training", ["professional", "offline"], amount, course, "class", n
                )
            )
        elif r < 0.9:
            amount = Decimal(10)
            out.append(Activity("exam", ["professional"], amount, "专业课程考核通过", "exam"))
        else:
            amount = Decimal(rng.choice([12, 24]))
            key = f"paper:{person.pk}-{year}-{len(out)}"
            out.append(Activity("paper", ["professional"], amount, "发表专业论文", "claim", 0, key))
        earned += amount
    return out


def _items(rng: random.Random, person: Person, office: User | None) -> list[NewEntry]:
    items: list[NewEntry] = []
    for year in (2025, 2026):
        if year == 2025 and rng.random() < 0.3:
            continue  # not everyone's 2025 is on record
        # How diligent this person is this year: most reach the target, a fair share falls short.
        effort = rng.triangular(0.35, 1.5, 1.1)
        if person.category == Person.Category.PROFESSIONAL:
            activities = _professional_year(rng, person, year, effort)
        else:
            activities = _cadre_year(rng, person, effort)
        start = dt.date(year, 1, 5)
        span = (LAST_DAY[year] - start).days - 20
        for n, activity in enumerate(activities):
            first = start + dt.timedelta(days=rng.randrange(span))
            last = first + dt.timedelta(days=max(activity.days - 1, 0))
            items.append(
                NewEntry(
                    person_id=person.pk,
                    first_day=first,
                    last_day=last,
                    days=Decimal(activity.days) if activity.days else None,
                    categories=tuple(activity.categories),
                    amount=activity.amount,
                    unit="hours",
                    kind=activity.kind,
                    artefact_key=activity.artefact,
                    artefact_exclusive=bool(activity.artefact),
                    source_type=activity.source,
                    source_id=f"demo-{year}-{n}",
                    description=activity.description,
                    evidence="demo",
                    approved_by_id=office.pk if office else None,
                )
            )
    items.sort(key=lambda item: (item.last_day, item.source_id))
    return items


def load(write: Callable[[str], object]) -> None:
    began = time.perf_counter()
    rng = random.Random(SEED)
    office = User.objects.filter(username="office").first()
    people = list(Person.objects.select_related("unit").order_by("id"))
    posted = 0
    for start in range(0, len(people), PEOPLE_PER_CALL):
        items = [
            item
            for person in people[start : start + PEOPLE_PER_CALL]
            for item in _items(rng, person, office)
        ]
        result = post_entries(office or SYSTEM, items, note="demo")
        if result.errors:
            index, error = next(iter(result.errors.items()))
            raise RuntimeError(f"demo entry {items[index]} refused: {error.message}")
        posted += len(result.posted)
    # A few corrections: about one person in a hundred has their latest entry reversed.
    reversed_count = 0
    for person in people:
        if rng.random() >= 0.01:
            continue
        latest = Entry.objects.filter(person=person).order_by("-seq").first()
        if latest is not None and latest.reverses_id is None:
            reverse_entry(office or SYSTEM, latest, "重复报送，冲销")
            reversed_count += 1
    write(
        f"ledger: {posted + reversed_count} entries ({reversed_count} reversals) for "
        f"{len(people)} people ({time.perf_counter() - began:.1f} s)"
    )
