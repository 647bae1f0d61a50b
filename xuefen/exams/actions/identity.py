"""The candidate's check-in: the one-time code and a live photo from the candidate's camera (one
face, else refused at once), then the proctor compares it with the registered photo and admits the
candidate — only then does the paper open. Admission spends the code."""

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.audit.models import AuditEvent
from xuefen.exams import codes
from xuefen.exams.actions.common import audit, require_manage
from xuefen.exams.actions.sessions import check_photo
from xuefen.exams.errors import Code, ExamError
from xuefen.exams.models import Candidate, CheckIn, CheckInStatus, RegisteredPhoto

if TYPE_CHECKING:
    from xuefen.accounts.models import User

MAX_DEVICE = 300


@transaction.atomic
def check_in(
    candidate: Candidate,
    code: str,
    photo: bytes,
    *,
    address: str | None = None,
    device: str = "",
    now: dt.datetime | None = None,
) -> CheckIn:
    """Records the candidate's live photo for the proctor. Refused: a wrong or spent code, an exam
    not open, no registered photo to compare with, a photo with no face or several."""
    now = now or timezone.now()
    candidate = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("exam")
        .get(pk=candidate.pk)
    )
    if candidate.admitted_at is not None:
        raise ExamError(Code.CODE_USED, _("You are already admitted; the code has been used."))
    if not codes.matches(candidate.pk, candidate.exam_id, code):
        raise ExamError(Code.CODE_INVALID, _("The one-time code is not right."), field="code")
    if not candidate.exam.is_open(now):
        raise ExamError(Code.NOT_OPEN, _("The exam is not open now."))
    if not RegisteredPhoto.objects.filter(person_id=candidate.person_id).exists():
        raise ExamError(
            Code.NO_REGISTERED_PHOTO,
            _("You have no registered photo to compare with: ask the exam office."),
        )
    check_photo(photo)
    checkin = CheckIn.objects.create(
        candidate=candidate, image=photo, address=address, device=device[:MAX_DEVICE]
    )
    return checkin


@transaction.atomic
def decide_checkin(
    actor: "User | None", checkin: CheckIn, confirm: bool, *, now: dt.datetime | None = None
) -> CheckIn:
    """The proctor confirms (the live photo shows the registered person: the candidate is
    admitted and the code spent) or refuses a pending check-in. Deciding twice is refused."""
    checkin = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("candidate__exam__node", "candidate__person__unit")
        .get(pk=checkin.pk)
    )
    candidate = checkin.candidate
    require_manage(actor, candidate.exam.node)
    if checkin.status != CheckInStatus.PENDING:
        raise ExamError(Code.ALREADY_DECIDED, _("This check-in has already been decided."))
    now = now or timezone.now()
    checkin.status = CheckInStatus.CONFIRMED if confirm else CheckInStatus.REFUSED
    checkin.decided_by = actor
    checkin.decided_at = now
    checkin.save(update_fields=["status", "decided_by", "decided_at"])
    if confirm:
        Candidate.objects.filter(pk=candidate.pk, admitted_at__isnull=True).update(
            admitted_at=now, admitted_by=actor
        )
        # Other pending photos of the same candidate are moot once one is confirmed.
        CheckIn.objects.filter(candidate=candidate, status=CheckInStatus.PENDING).update(
            status=CheckInStatus.REFUSED, decided_by=actor, decided_at=now
        )
    audit(
        actor,
        AuditEvent.Action.APPROVE if confirm else AuditEvent.Action.REJECT,
        checkin,
        candidate.exam.node,
        {"exam": candidate.exam.name, "seat": candidate.seat, "admitted": confirm},
        person_id=candidate.person_id,
        node_path=candidate.person.unit.path,
    )
    return checkin
