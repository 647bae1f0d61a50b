"""Scoped reads of the training app, built only from `accounts.scope`. What a user may not see is
a 404, the same as what does not exist.

Who sees a class:
- staff holding training.view on the node of the class's provider (the provider's own staff, the
  credit office and auditors above it); training.manage there runs it;
- the teachers who teach one of its sessions;
- a learner on its roster (or wait list), and any learner it is open to: on the menu, open for
  sign-up, its provider serving the learner's unit;
- a unit administrator (training.nominate) whose subtree the provider serves, while it is open or
  closed for sign-up (to nominate people and follow them).
"""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.orgs.models import OrgNode, Person
from xuefen.training.models import (
    ClassStatus,
    Course,
    Enrolment,
    EnrolmentStatus,
    LeaveRequest,
    Questionnaire,
    Session,
    SignInSheet,
    Teacher,
    TrainingClass,
)

VIEW, MANAGE = "view", "manage"


def ancestor_paths(path: str) -> list[str]:
    """ "/1/7/42/" → ["/1/", "/1/7/", "/1/7/42/"]: the paths of the node and every node above it."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def learner(user: Any) -> Person | None:
    """The person a learner's account belongs to (None for staff accounts)."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return None
    return Person.objects.select_related("unit").filter(pk=person_id).first()


def teacher_of(user: Any) -> Teacher | None:
    """The registry entry of a teacher's account (who holds the teacher role)."""
    if not getattr(user, "is_authenticated", False) or not scope.has_capability(user, Cap.TEACHING):
        return None
    return Teacher.objects.filter(user=user).first()


# ------------------------------------------------------------------------------------- classes


def _served_q(paths: list[str]) -> Q:
    """Classes whose provider serves a subtree overlapping one of `paths`."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(course__provider__serves__path__in=ancestor_paths(path))
        q |= Q(course__provider__serves__path__startswith=path)
    return q


def staff_classes(user: Any, capability: str = Cap.TRAINING_VIEW) -> QuerySet[TrainingClass]:
    """Classes of the providers on whose node the user holds `capability`."""
    providers = scope.providers(user, capability).values("pk")
    return TrainingClass.objects.filter(course__provider__in=providers)


def open_to_learner_q(person: Person) -> Q:
    return Q(
        status=ClassStatus.OPEN,
        course__on_menu=True,
        course__is_active=True,
        course__provider__serves__path__in=ancestor_paths(person.unit.path),
    )


def visible_classes(user: Any) -> QuerySet[TrainingClass]:
    q = Q(course__provider__in=scope.providers(user, Cap.TRAINING_VIEW).values("pk"))
    teacher = teacher_of(user)
    if teacher is not None:
        q |= Q(pk__in=Session.objects.filter(teacher=teacher).values("klass_id"))
    person = learner(user)
    if person is not None:
        q |= Q(pk__in=Enrolment.objects.filter(person=person).values("klass_id"))
        q |= open_to_learner_q(person)
    nominating = scope.paths_with(user, Cap.TRAINING_NOMINATE)
    if nominating:
        q |= _served_q(nominating) & Q(status__in=[ClassStatus.OPEN, ClassStatus.CLOSED])
    return TrainingClass.objects.filter(pk__in=TrainingClass.objects.filter(q).values("pk"))


def _with_course(qs: QuerySet[TrainingClass]) -> QuerySet[TrainingClass]:
    return qs.select_related("course__provider__node", "course__provider__serves")


def access_class(user: Any, class_id: Any, need: str = VIEW) -> TrainingClass:
    """The class if the user may see it (need=VIEW) or run it (need=MANAGE); Http404 otherwise."""
    qs = staff_classes(user, Cap.TRAINING_MANAGE) if need == MANAGE else visible_classes(user)
    try:
        return _with_course(qs).get(pk=int(class_id))
    except (TrainingClass.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_manage(user: Any, klass: TrainingClass) -> bool:
    return scope.has_capability(user, Cap.TRAINING_MANAGE, klass.course.provider.node)


def may_view_roster(user: Any, klass: TrainingClass) -> bool:
    """Staff over the provider and the class's teachers see its whole roster and attendance."""
    if scope.has_capability(user, Cap.TRAINING_VIEW, klass.course.provider.node):
        return True
    teacher = teacher_of(user)
    return teacher is not None and klass.sessions.filter(teacher=teacher).exists()


def may_nominate_for(user: Any, klass: TrainingClass) -> bool:
    serves = klass.course.provider.serves.path
    return any(
        p.startswith(serves) or serves.startswith(p)
        for p in scope.paths_with(user, Cap.TRAINING_NOMINATE)
    )


# ------------------------------------------------------------------------------------ sessions


def access_session(user: Any, session_id: Any, need: str = VIEW) -> Session:
    """A session of a class the user runs (MANAGE), or whose roster they may see (VIEW: staff over
    the provider, the class's teachers)."""
    try:
        session = Session.objects.select_related(
            "klass__course__provider__node", "klass__course__provider__serves", "teacher"
        ).get(pk=int(session_id))
    except (Session.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    klass = session.klass
    allowed = may_manage(user, klass) if need == MANAGE else may_view_roster(user, klass)
    if not allowed:
        raise Http404
    return session


def session_for_learner(user: Any, session_id: Any) -> Session:
    """A session of a class the learner is on the roster of (for the check-in page)."""
    person_id = getattr(user, "person_id", None) or 0
    try:
        return Session.objects.select_related("klass__course", "teacher").get(
            pk=int(session_id),
            klass__enrolments__person_id=person_id,
            klass__enrolments__status=EnrolmentStatus.ENROLLED,
        )
    except (Session.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_sheet(user: Any, sheet_id: Any) -> SignInSheet:
    try:
        sheet = SignInSheet.objects.get(pk=int(sheet_id))
    except (SignInSheet.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    access_session(user, sheet.session_id, VIEW)
    return sheet


# ---------------------------------------------------------------------------- roster and leave


def own_enrolments(user: Any) -> QuerySet[Enrolment]:
    person_id = getattr(user, "person_id", None)
    return (
        Enrolment.objects.filter(person_id=person_id if person_id is not None else -1)
        .select_related("klass__course__provider")
        .order_by("-klass__first_day", "-id")
    )


def own_enrolment(user: Any, klass: TrainingClass) -> Enrolment | None:
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return None
    return Enrolment.objects.filter(klass=klass, person_id=person_id).first()


def unit_enrolments(user: Any, klass: TrainingClass) -> QuerySet[Enrolment]:
    """Enrolments of the people the user may nominate (a unit administrator's own people)."""
    return scope.filter_by_person(
        user, klass.enrolments.select_related("person__unit"), Cap.TRAINING_NOMINATE
    )


def access_leave(user: Any, leave_id: Any) -> LeaveRequest:
    """A leave request of a class the user runs; Http404 otherwise."""
    try:
        leave = LeaveRequest.objects.select_related(
            "enrolment__person", "enrolment__klass__course__provider__node"
        ).get(pk=int(leave_id))
    except (LeaveRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_manage(user, leave.enrolment.klass):
        raise Http404
    return leave


def served_nodes(provider: Any) -> QuerySet[OrgNode]:
    """The org nodes of the provider's service area (where its classes may give quotas)."""
    return OrgNode.objects.filter(path__startswith=provider.serves.path).order_by("path")


def assignable_people(user: Any, klass: TrainingClass, capability: str) -> QuerySet[Person]:
    """People the user may put on the class (training.assign: the office; training.nominate: a
    unit's own people) whom its provider serves."""
    served = scope.people_served_by(klass.course.provider).values("pk")
    return scope.people(user, capability).filter(pk__in=served)


# ------------------------------------------------------------------------------------- courses


def menu_courses(user: Any, capability: str = Cap.TRAINING_MANAGE) -> QuerySet[Course]:
    """Courses of the providers the user runs classes for (to set up the menu and classes)."""
    providers = scope.providers(user, capability).values("pk")
    return Course.objects.filter(provider__in=providers).select_related("provider")


def access_course(user: Any, course_id: Any, capability: str = Cap.TRAINING_MANAGE) -> Course:
    try:
        return menu_courses(user, capability).get(pk=int(course_id))
    except (Course.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def open_classes_for(person: Person, today: dt.date) -> QuerySet[TrainingClass]:
    """Classes open for sign-up that the learner's unit is served for (the menu's candidates;
    the course's audience is checked in Python: it is a short list)."""
    return _with_course(
        TrainingClass.objects.filter(open_to_learner_q(person))
        .filter(Q(signup_closes_on__isnull=True) | Q(signup_closes_on__gte=today))
        .prefetch_related("course__teachers")
    ).order_by("first_day", "id")


# ------------------------------------------------------------------------------------ teachers


def teachers(user: Any, capability: str = Cap.TRAINING_VIEW) -> QuerySet[Teacher]:
    """Teachers of the registries (org nodes) the user holds `capability` on."""
    return scope.filter_by_node(user, Teacher.objects.all(), capability).select_related(
        "node", "person__unit"
    )


def access_teacher(user: Any, teacher_id: Any, capability: str = Cap.TRAINING_VIEW) -> Teacher:
    """A teacher of the user's registries; a teacher may always see their own entry."""
    try:
        teacher = Teacher.objects.select_related("node", "person__unit", "user").get(
            pk=int(teacher_id)
        )
    except (Teacher.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    own = capability == Cap.TRAINING_VIEW and teacher.user_id is not None
    if own and teacher.user_id == getattr(user, "pk", None):
        return teacher
    if not scope.has_capability(user, capability, teacher.node):
        raise Http404
    return teacher


def sessions_taught(teacher: Teacher) -> QuerySet[Session]:
    return (
        Session.objects.filter(teacher=teacher)
        .exclude(klass__status=ClassStatus.CANCELLED)
        .select_related("klass__course")
        .order_by("-date", "-starts_at")
    )


# ------------------------------------------------------------------------------ questionnaires


def may_configure(user: Any) -> bool:
    """The questionnaires are the credit office's (they hold training.assign over a region)."""
    return bool(scope.paths_with(user, Cap.TRAINING_ASSIGN))


def access_questionnaire(user: Any, questionnaire_id: Any) -> Questionnaire:
    if not may_configure(user):
        raise Http404
    try:
        return Questionnaire.objects.get(pk=int(questionnaire_id))
    except (Questionnaire.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
