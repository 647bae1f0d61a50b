"""Scheduling exam sessions, registering candidates on seats, and registered photos."""

import datetime as dt
import hashlib
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, user_of
from xuefen.exams import faces
from xuefen.exams.actions.common import audit, require_manage
from xuefen.exams.errors import Code, ExamError
from xuefen.exams.models import (
    Attempt,
    AttemptStatus,
    Candidate,
    Exam,
    ExamKind,
    Paper,
    RegisteredPhoto,
)
from xuefen.ledger.models import Unit
from xuefen.orgs.models import OrgNode, Person

MAX_PHOTO_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


@transaction.atomic
def schedule_exam(
    actor: Actor,
    node: OrgNode,
    *,
    name: str,
    kind: str,
    paper: Paper,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    duration_minutes: int,
    seats: int,
    pass_mark: Decimal,
    place: str = "",
    make_up_of: Exam | None = None,
    credit_kind: str = "",
    credit_amount: Decimal = Decimal(0),
    credit_unit: str = Unit.HOURS,
    credit_categories: Sequence[str] = (),
) -> Exam:
    """A scheduled session. A make-up exam names the exam it makes up for."""
    require_manage(actor, node)
    if ends_at <= starts_at or duration_minutes < 1:
        raise ExamError(
            Code.EXAM_TIMES,
            _("The exam must close after it opens and last at least a minute."),
            field="ends_at",
        )
    if seats < 1:
        raise ExamError(Code.NO_SEATS, _("An exam needs at least one seat."), field="seats")
    if (kind == ExamKind.MAKE_UP) != (make_up_of is not None):
        raise ExamError(
            Code.NOT_A_MAKE_UP,
            _("A make-up exam, and only a make-up exam, names the exam it makes up for."),
            field="make_up_of",
        )
    exam = Exam.objects.create(
        node=node,
        name=name,
        kind=kind,
        paper=paper,
        starts_at=starts_at,
        ends_at=ends_at,
        duration_minutes=duration_minutes,
        seats=seats,
        pass_mark=pass_mark,
        place=place,
        make_up_of=make_up_of.root if make_up_of is not None else None,
        credit_kind=credit_kind,
        credit_amount=credit_amount,
        credit_unit=credit_unit,
        credit_categories=list(credit_categories),
        created_by=user_of(actor),
    )
    audit(actor, AuditEvent.Action.CREATE, exam, node, {"name": name})
    return exam


def make_up_people(exam: Exam) -> list[int]:
    """Who may sit a make-up exam: the original's candidates who did not pass it."""
    root = exam.root
    passed = set(
        Attempt.objects.filter(candidate__exam=root, passed=True).values_list(
            "person_id", flat=True
        )
    )
    return [
        pid
        for pid in root.candidates.order_by("seat").values_list("person_id", flat=True)
        if pid not in passed
    ]


@transaction.atomic
def register_candidates(actor: Actor, exam: Exam, people: Sequence[Person]) -> list[Candidate]:
    """Puts people on the next free seats. All or nothing: a person already registered, more
    people than free seats, or (a make-up exam) someone who did not fail the original refuses the
    whole list."""
    exam = (
        Exam.objects.select_for_update(of=("self",))
        .select_related("node", "make_up_of")
        .get(pk=exam.pk)
    )
    require_manage(actor, exam.node)
    taken = set(exam.candidates.values_list("person_id", flat=True))
    for person in people:
        if person.pk in taken:
            raise ExamError(
                Code.ALREADY_REGISTERED,
                _("%(name)s is already registered for this exam.") % {"name": person.name},
            )
    if exam.kind == ExamKind.MAKE_UP:
        allowed = set(make_up_people(exam))
        for person in people:
            if person.pk not in allowed:
                raise ExamError(
                    Code.NOT_A_MAKE_UP,
                    _("%(name)s did not fail the exam this make-up is for.")
                    % {"name": person.name},
                )
    if len(taken) + len(people) > exam.seats:
        raise ExamError(
            Code.NO_SEATS,
            _("The exam has %(free)s free seats for %(count)s people.")
            % {"free": exam.seats - len(taken), "count": len(people)},
        )
    last = exam.candidates.aggregate(m=Max("seat"))["m"] or 0
    made = Candidate.objects.bulk_create(
        Candidate(exam=exam, person=person, seat=last + i)
        for i, person in enumerate(people, start=1)
    )
    for candidate, person in zip(made, people, strict=True):
        audit(
            actor,
            AuditEvent.Action.CREATE,
            candidate,
            exam.node,
            {"exam": exam.name, "seat": candidate.seat},
            person_id=person.pk,
            node_path=person.unit.path,
        )
    return made


def check_photo(data: bytes) -> str:
    """The content type of a photo with exactly one face; ExamError otherwise."""
    content_type = next((t for magic, t in PHOTO_TYPES.items() if data.startswith(magic)), None)
    if content_type is None or len(data) > MAX_PHOTO_BYTES:
        raise ExamError(
            Code.PHOTO_INVALID,
            _("The photo must be a JPEG or PNG image of at most 2 MB."),
            field="photo",
        )
    found = faces.faces_in(data)
    if found is None:
        raise ExamError(Code.PHOTO_INVALID, _("The photo cannot be read."), field="photo")
    if found == 0:
        raise ExamError(
            Code.NO_FACE,
            _("No face was found in the photo: face the camera in good light."),
            field="photo",
        )
    if found > 1:
        raise ExamError(
            Code.MANY_FACES,
            _("%(count)s faces were found in the photo: only the candidate may be in it.")
            % {"count": found},
            field="photo",
        )
    return content_type


@transaction.atomic
def register_photo(actor: Actor, person: Person, data: bytes, node: OrgNode) -> None:
    """Keeps a person's registered photo (one face), replacing an earlier one."""
    require_manage(actor, node)
    content_type = check_photo(data)
    digest = hashlib.sha256(data).hexdigest()
    photo, created = RegisteredPhoto.objects.update_or_create(
        person=person,
        defaults={
            "image": data,
            "content_type": content_type,
            "sha256": digest,
            "uploaded_by": user_of(actor),
        },
    )
    audit(
        actor,
        AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        photo,
        node,
        {"sha256": digest},
        person_id=person.pk,
        node_path=person.unit.path,
    )


def has_open_attempt(person_id: int) -> bool:
    return Attempt.objects.filter(person_id=person_id, status=AttemptStatus.OPEN).exists()
