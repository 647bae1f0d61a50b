"""Scoped reads of online learning. Learners see the published courses of the regions above
their unit and their own records; the credit office and providers (courses.manage) the resources
and courses of their subtrees; auditors (audit.view) the learning records of their people."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils.translation import gettext as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import filter_by_node, filter_by_person, has_capability
from xuefen.elearning import rules
from xuefen.elearning.models import (
    CourseItem,
    Day,
    LearningSession,
    OnlineCourse,
    Progress,
    RefusedEvent,
    Resource,
    Uncounted,
    Watched,
)
from xuefen.orgs.models import Person

if TYPE_CHECKING:
    from xuefen.accounts.models import User


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def learner_person(user: "User | Any") -> Person:
    """The user's own person; Http404 for an account that is no learner."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        raise Http404
    return Person.objects.select_related("unit").get(pk=person_id)


def courses_for(person: Person) -> QuerySet[OnlineCourse]:
    """Published courses of the regions and departments above the person's unit."""
    return OnlineCourse.objects.filter(
        is_published=True, owner__path__in=_ancestor_paths(person.unit.path)
    )


def access_course(user: "User | Any", course_id: Any) -> tuple[Person, OnlineCourse]:
    person = learner_person(user)
    try:
        return person, courses_for(person).get(pk=int(course_id))
    except (OnlineCourse.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_item(
    user: "User | Any", course_id: Any, resource_id: Any
) -> tuple[Person, OnlineCourse, Resource]:
    person, course = access_course(user, course_id)
    try:
        resource = course.resources.get(pk=int(resource_id))
    except (Resource.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return person, course, resource


def managed_resources(user: "User | Any") -> QuerySet[Resource]:
    return filter_by_node(user, Resource.objects.all(), Cap.COURSES_MANAGE, "owner__")


def managed_courses(user: "User | Any") -> QuerySet[OnlineCourse]:
    return filter_by_node(user, OnlineCourse.objects.all(), Cap.COURSES_MANAGE, "owner__")


def access_media(user: "User | Any", resource_id: Any) -> Resource:
    """A video the user may play: one of a course open to the learner, or one the user manages."""
    try:
        pk = int(resource_id)
    except (ValueError, TypeError):
        raise Http404 from None
    found = managed_resources(user).filter(pk=pk, kind=Resource.Kind.VIDEO).first()
    if found is None and getattr(user, "person_id", None) is not None:
        person = learner_person(user)
        found = (
            Resource.objects.filter(
                pk=pk, kind=Resource.Kind.VIDEO, courses__in=courses_for(person)
            )
            .distinct()
            .first()
        )
    if found is None or not found.stored_name:
        raise Http404
    return found


@dataclass
class ItemRow:
    resource: Resource
    watched: float
    intervals: list[list[float]]

    @property
    def share(self) -> float:
        return min(self.watched / self.resource.duration_seconds, 1.0)


def course_rows(person: Person, course: OnlineCourse) -> list[ItemRow]:
    """The course's resources with what the person watched of each (two queries)."""
    resources = [
        item.resource
        for item in CourseItem.objects.filter(course=course).select_related("resource")
    ]
    watched = {
        w.resource_id: w
        for w in Watched.objects.filter(person=person, resource__in=[r.pk for r in resources])
    }
    return [
        ItemRow(
            r,
            watched[r.pk].seconds if r.pk in watched else 0.0,
            watched[r.pk].intervals if r.pk in watched else [],
        )
        for r in resources
    ]


def progress_of(person: Person, courses: list[OnlineCourse]) -> dict[int, Progress]:
    return {p.course_id: p for p in Progress.objects.filter(person=person, course__in=courses)}


def own_uncounted(person: Person) -> QuerySet[Uncounted]:
    return Uncounted.objects.filter(person=person).select_related("resource")


def own_refused(person: Person) -> QuerySet[RefusedEvent]:
    return RefusedEvent.objects.filter(person=person).select_related("session__resource")


def audited_uncounted(user: "User | Any") -> QuerySet[Uncounted]:
    return filter_by_person(
        user, Uncounted.objects.select_related("person", "resource"), Cap.AUDIT_VIEW
    )


def audited_refused(user: "User | Any") -> QuerySet[RefusedEvent]:
    return filter_by_person(
        user, RefusedEvent.objects.select_related("person", "session__resource"), Cap.AUDIT_VIEW
    )


def may_audit(user: "User | Any") -> bool:
    return has_capability(user, Cap.AUDIT_VIEW)


def audited_person(user: "User | Any", person_id: Any) -> Person:
    try:
        return (
            Person.objects.filter(pk=int(person_id))
            .filter(
                pk__in=filter_by_person(user, Progress.objects.all(), Cap.AUDIT_VIEW).values(
                    "person_id"
                )
            )
            .select_related("unit")
            .get()
        )
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def resource_stats(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    """View statistics of each resource: opens (`views`), learners and watched time (one query)."""
    return resources.annotate(
        learners=Count("watched_by"), watched_total=Sum("watched_by__seconds")
    )


def course_stats(courses: QuerySet[OnlineCourse]) -> QuerySet[OnlineCourse]:
    return courses.annotate(
        learners=Count("progress_rows", distinct=True),
        completed=Count(
            "progress_rows", filter=Q(progress_rows__completed_at__isnull=False), distinct=True
        ),
        items_count=Count("items", distinct=True),
    )


# --- anomaly flags for auditors ------------------------------------------------------------------


@dataclass
class Flag:
    kind: str
    label: str
    people: list[Person]
    detail: str


def anomalies(user: "User | Any") -> list[Flag]:
    """People learning around the clock, the same start second and event rhythm across several
    people, and many people on one device or address on one day — each within the user's scope."""
    limits = rules.anomalies()
    flags: list[Flag] = []
    days = filter_by_person(user, Day.objects.select_related("person"), Cap.AUDIT_VIEW).filter(
        hours__gt=0
    )
    for day in days.order_by("-day")[:2000]:
        hours = bin(day.hours).count("1")
        if hours >= limits.around_the_clock_hours:
            flags.append(
                Flag(
                    "around_the_clock",
                    _("Learning around the clock"),
                    [day.person],
                    _("%(day)s: learning in %(hours)s different hours")
                    % {"day": day.day, "hours": hours},
                )
            )
    sessions = filter_by_person(
        user, LearningSession.objects.select_related("person"), Cap.AUDIT_VIEW
    ).exclude(rhythm="")
    groups: dict[tuple[str, str], list[LearningSession]] = {}
    for s in sessions.filter(seq__gte=3).order_by("-started_at")[:5000]:
        groups.setdefault((s.started_at.strftime("%Y-%m-%d %H:%M:%S"), s.rhythm), []).append(s)
    for (second, _rhythm), found in groups.items():
        persons = {s.person_id: s.person for s in found}
        if len(persons) >= limits.identical_timing_people:
            flags.append(
                Flag(
                    "identical_timing",
                    _("Identical event timing across people"),
                    list(persons.values()),
                    _("%(n)s people started at %(at)s and sent events at the same moments")
                    % {"n": len(persons), "at": second},
                )
            )
    for column, limit, label in (
        ("device", limits.shared_device_people, _("Many people on one device")),
        ("address", limits.shared_address_people, _("Many people on one address")),
    ):
        shared = (
            filter_by_person(user, LearningSession.objects.all(), Cap.AUDIT_VIEW)
            .exclude(**{f"{column}__isnull": True})
            .exclude(**{column: ""})
            .annotate(on=TruncDate("started_at"))
            .values(column, "on")
            .annotate(n=Count("person", distinct=True))
            .filter(n__gte=limit)
            .order_by("-on")[:50]
        )
        for row in shared:
            ids = (
                filter_by_person(user, LearningSession.objects.all(), Cap.AUDIT_VIEW)
                .filter(**{column: row[column]}, started_at__date=row["on"])
                .values("person_id")
            )
            found_people = list(Person.objects.filter(pk__in=ids)[:50])
            flags.append(
                Flag(
                    column,
                    str(label),
                    found_people,
                    _("%(day)s: %(n)s people") % {"day": row["on"], "n": row["n"]},
                )
            )
    return flags


def own_watched(person: Person) -> QuerySet[Watched]:
    return Watched.objects.filter(person=person).select_related("resource").order_by("-updated_at")
