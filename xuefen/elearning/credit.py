"""Whether a learner completed an online course, and what it earns by their rule set."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from xuefen.elearning.models import CourseItem, OnlineCourse, Watched
from xuefen.ledger.models import Unit
from xuefen.orgs.models import Person
from xuefen.policy.conversions import ConversionError, convert
from xuefen.policy.services import RuleSetIndex

COURSE_KIND = "online_course"
TEST_KIND = "online_test"
ONLINE_CATEGORY = "online"


@dataclass(frozen=True)
class CourseFacts:
    length: float  # seconds of all its resources
    watched: float  # seconds of them the person watched

    @property
    def share(self) -> float:
        return self.watched / self.length if self.length else 0.0

    @property
    def minutes(self) -> Decimal:
        return Decimal(int(self.length // 60))


@dataclass(frozen=True)
class Earned:
    amount: Decimal
    unit: str
    categories: tuple[str, ...]
    kind: str
    note: str


def course_facts(course: OnlineCourse, person_id: int) -> CourseFacts:
    """The course's length and the person's watched seconds of it (two queries)."""
    length = (
        CourseItem.objects.filter(course=course).aggregate(s=Sum("resource__duration_seconds"))["s"]
        or 0
    )
    watched = (
        Watched.objects.filter(person_id=person_id, resource__courses=course).aggregate(
            s=Sum("seconds")
        )["s"]
        or 0.0
    )
    return CourseFacts(float(length), float(watched))


def test_passed(course: OnlineCourse, score: Decimal | None) -> bool:
    return score is not None and score >= (course.test_pass_mark or Decimal(0))


def is_complete(course: OnlineCourse, facts: CourseFacts, score: Decimal | None) -> bool:
    # Compared with a hair's tolerance: merged intervals are sums of floats.
    if facts.share + 1e-9 < float(course.complete_share):
        return False
    return not course.needs_test or test_passed(course, score)


def earned(
    course: OnlineCourse, facts: CourseFacts, person: Person, score: Decimal | None, day: dt.date
) -> Earned:
    """By the person's rule set: `online_course` on the course's minutes, plus `online_test` for
    a passed test; a rule set without `online_course` credits the catalogue course's value (or
    one 学时) in its categories."""
    path, category = person.unit.path, person.category
    index = RuleSetIndex.for_paths([path])
    rules = index.rules(path, category, index.period_of(path, category, day))
    if rules is not None and COURSE_KIND in rules.conversions:
        try:
            result = convert(rules, COURSE_KIND, facts.minutes)
            amount, notes = result.amount, [result.reason] if result.reason else []
            categories = tuple(result.categories)
            if course.needs_test and test_passed(course, score) and TEST_KIND in rules.conversions:
                test = convert(rules, TEST_KIND, 1)
                amount += test.amount
                notes.append(_("test passed: %(amount)s") % {"amount": test.amount})
            if amount > 0:
                return Earned(amount, result.unit, categories, COURSE_KIND, "; ".join(notes))
        except ConversionError:
            pass
    catalogue = course.catalogue_course
    if catalogue is not None:
        categories = tuple(catalogue.categories) or (ONLINE_CATEGORY,)
        return Earned(catalogue.amount, catalogue.unit, categories, COURSE_KIND, "")
    categories = tuple(course.categories) or (ONLINE_CATEGORY,)
    return Earned(Decimal(1), Unit.HOURS, categories, COURSE_KIND, "")
