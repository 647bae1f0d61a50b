"""The teacher registry, the course menu's settings of a course, and the questionnaires."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.models import RoleGrant
from xuefen.accounts.roles import Cap, Role
from xuefen.audit.actions import diff, record, snapshot
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, is_system
from xuefen.orgs.models import OrgNode, Person
from xuefen.training import queries
from xuefen.training.errors import Code, TrainingError
from xuefen.training.models import AGE_BRACKETS, Course, Level, Questionnaire, Teacher
from xuefen.training.questionnaires import check_items

if TYPE_CHECKING:
    pass

TEACHER_FIELDS = [
    "node", "kind", "name", "title", "employer", "specialties", "phone", "email", "bio", "person",
    "user", "is_active",
]  # fmt: skip
MENU_FIELDS = ["on_menu", "level", "audience_categories", "audience_brackets", "description"]


def _forbidden() -> TrainingError:
    return TrainingError(Code.FORBIDDEN, _("You may not do this here."))


def _check_teacher(actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    node: OrgNode = values["node"]
    if not scope.may(actor, Cap.TEACHERS_MANAGE, node):
        raise _forbidden()
    values["name"] = str(values.get("name") or "").strip()
    if not values["name"]:
        raise TrainingError(Code.BAD_INPUT, _("Give the teacher's name."), field="name")
    if values.get("kind") not in Teacher.Kind.values:
        raise TrainingError(Code.BAD_INPUT, _("Choose the kind of teacher."), field="kind")
    person: Person | None = values.get("person")
    visible = (
        person is None or is_system(actor) or scope.people(actor).filter(pk=person.pk).exists()
    )
    if not visible:
        raise TrainingError(
            Code.PERSON_OUT_OF_SCOPE, _("Choose a person you may see."), field="person"
        )
    account = values.get("user")
    if account is not None:
        holds = RoleGrant.objects.filter(
            user=account, role=Role.TEACHER, node__path__startswith=node.path
        ).exists()
        if not holds:
            raise TrainingError(
                Code.BAD_INPUT,
                _("The account must hold the teacher role in this registry's area."),
                field="user",
            )
    for name in ("title", "employer", "specialties", "phone", "email", "bio"):
        values[name] = str(values.get(name) or "").strip()
    return values


def _teacher_audit(actor: Actor, action: str, teacher: Teacher, changes: Any) -> None:
    record(actor, action, teacher, changes=changes, node_path=teacher.node.path)


@transaction.atomic
def create_teacher(actor: Actor, **values: Any) -> Teacher:
    """Adds a teacher to the registry of `node` (where the actor keeps the registry)."""
    values = _check_teacher(actor, {"is_active": True, **values})
    if (
        values.get("person") is not None
        and Teacher.objects.filter(person=values["person"]).exists()
    ):
        raise TrainingError(
            Code.BAD_INPUT, _("This person is already in the registry."), field="person"
        )
    if values.get("user") is not None and Teacher.objects.filter(user=values["user"]).exists():
        raise TrainingError(
            Code.BAD_INPUT, _("This account already belongs to a teacher."), field="user"
        )
    teacher = Teacher.objects.create(**values)
    _teacher_audit(actor, AuditEvent.Action.CREATE, teacher, snapshot(teacher, TEACHER_FIELDS))
    return teacher


@transaction.atomic
def update_teacher(actor: Actor, teacher: Teacher, **values: Any) -> Teacher:
    if not scope.may(actor, Cap.TEACHERS_MANAGE, teacher.node):
        raise _forbidden()
    before = snapshot(teacher, TEACHER_FIELDS)
    current = {name: getattr(teacher, name) for name in TEACHER_FIELDS}
    cleaned = _check_teacher(actor, {**current, **values})
    others = Teacher.objects.exclude(pk=teacher.pk)
    if cleaned.get("person") is not None and others.filter(person=cleaned["person"]).exists():
        raise TrainingError(
            Code.BAD_INPUT, _("This person is already in the registry."), field="person"
        )
    if cleaned.get("user") is not None and others.filter(user=cleaned["user"]).exists():
        raise TrainingError(
            Code.BAD_INPUT, _("This account already belongs to a teacher."), field="user"
        )
    for name, value in cleaned.items():
        setattr(teacher, name, value)
    teacher.save()
    changes = diff(before, snapshot(teacher, TEACHER_FIELDS))
    if changes:
        _teacher_audit(actor, AuditEvent.Action.UPDATE, teacher, changes)
    return teacher


@transaction.atomic
def set_course_menu(
    actor: Actor, course: Course, *, teachers: Sequence[Teacher], **values: Any
) -> Course:
    """The course as the menu shows it: on the menu or not, its level, the personnel categories
    and age brackets it is meant for (none: everyone), its description and teachers."""
    node = course.provider.node
    if not scope.may(actor, Cap.TRAINING_MANAGE, node):
        raise _forbidden()
    if values.get("level", "") not in ("", *Level.values):
        raise TrainingError(Code.BAD_INPUT, _("Unknown level."), field="level")
    categories = list(values.get("audience_categories") or [])
    if any(c not in Person.Category.values for c in categories):
        raise TrainingError(
            Code.BAD_INPUT, _("Unknown personnel category."), field="audience_categories"
        )
    brackets = list(values.get("audience_brackets") or [])
    if any(b not in dict(AGE_BRACKETS) for b in brackets):
        raise TrainingError(Code.BAD_INPUT, _("Unknown age bracket."), field="audience_brackets")
    if not is_system(actor):
        mine = set(queries.teachers(actor, Cap.TRAINING_MANAGE).values_list("pk", flat=True))
        if any(t.pk not in mine for t in teachers):
            raise TrainingError(
                Code.BAD_INPUT, _("Choose teachers of your registry."), field="teachers"
            )
    before = {
        **snapshot(course, MENU_FIELDS),
        "teachers": sorted(t.pk for t in course.teachers.all()),
    }
    course.on_menu = bool(values.get("on_menu"))
    course.level = values.get("level", "")
    course.audience_categories = categories
    course.audience_brackets = brackets
    course.description = str(values.get("description") or "").strip()
    course.save(update_fields=MENU_FIELDS)
    course.teachers.set(teachers)
    after = {**snapshot(course, MENU_FIELDS), "teachers": sorted(t.pk for t in teachers)}
    changes = diff(before, after)
    if changes:
        record(actor, AuditEvent.Action.UPDATE, course, changes=changes, node_path=node.path)
    return course


@transaction.atomic
def update_questionnaire(
    actor: Actor, questionnaire: Questionnaire, *, name: str, items: Any, is_default: bool
) -> Questionnaire:
    """The credit office changes a questionnaire (classes made afterwards ask it; answers already
    given keep their item codes). One default per kind."""
    if not queries.may_configure(actor):
        raise _forbidden()
    name = (name or "").strip()
    if not name:
        raise TrainingError(Code.BAD_INPUT, _("Give the questionnaire a name."), field="name")
    cleaned = check_items(items)
    before = snapshot(questionnaire, ["name", "items", "is_default"])
    questionnaire.name, questionnaire.items, questionnaire.is_default = name, cleaned, is_default
    questionnaire.save()
    if is_default:
        Questionnaire.objects.filter(kind=questionnaire.kind).exclude(pk=questionnaire.pk).update(
            is_default=False
        )
    changes = diff(before, snapshot(questionnaire, ["name", "items", "is_default"]))
    if changes:
        record(actor, AuditEvent.Action.UPDATE, questionnaire, changes=changes)
    return questionnaire
