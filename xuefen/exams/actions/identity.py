"""The candidate's check-in: the one-time code and a live photo from the candidate's camera (one
face, else refused at once), then the proctor compares it with the registered photo and admits the
candidate — only then does the paper open. Admission spends the code."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import SYSTEM, Actor, user_of
from xuefen.exams import codes
from xuefen.exams.actions.common import audit, require_manage
from xuefen.exams.actions.sessions import check_photo
from xuefen.exams.errors import Code, ExamError
from xuefen.exams.models import Candidate, CheckIn, CheckInStatus, RegisteredPhoto, WrongCode
from xuefen.exams.policy import checkin_guard

MAX_DEVICE = 300


def _locked() -> ExamError:
    return ExamError(
        Code.CHECKIN_LOCKED,
        _(
            "Too many wrong one-time codes: your check-in is locked. Ask the proctor to unlock it, "
            "then enter the code the exam office gave you."
        ),
    )


def check_in(
    candidate: Candidate,
    code: str,
    photo: bytes,
    *,
    address: str | None = None,
    device: str = "",
    now: dt.datetime | None = None,
) -> CheckIn:
    """Records the candidate's live photo for the proctor. Refused: a locked check-in, a wrong or
    spent code, an exam not open, no registered photo to compare with, a photo with no face or
    several. A wrong code is recorded (and kept when the refusal is raised); the policy's count of
    them within its window locks the check-in until the proctor unlocks it."""
    now = now or timezone.now()
    with transaction.atomic():
        candidate = (
            Candidate.objects.select_for_update(of=("self",))
            .select_related("exam")
            .get(pk=candidate.pk)
        )
        if candidate.checkin_locked_at is not None:
            raise _locked()
        if candidate.admitted_at is not None:
            raise ExamError(Code.CODE_USED, _("You are already admitted; the code has been used."))
        if codes.matches(candidate.pk, candidate.exam_id, code):
            return _take_photo(candidate, photo, address, device, now)
        # Only a guess counts (six digits); a form sent without its code is no guess.
        locked = codes.well_formed(code) and _wrong_code(candidate, address, device, now)
    # Outside the block, so the wrong code and the lock stay recorded.
    if locked:
        raise _locked()
    raise ExamError(Code.CODE_INVALID, _("The one-time code is not right."), field="code")


def _take_photo(
    candidate: Candidate, photo: bytes, address: str | None, device: str, now: dt.datetime
) -> CheckIn:
    if not candidate.exam.is_open(now):
        raise ExamError(Code.NOT_OPEN, _("The exam is not open now."))
    if not RegisteredPhoto.objects.filter(person_id=candidate.person_id).exists():
        raise ExamError(
            Code.NO_REGISTERED_PHOTO,
            _("You have no registered photo to compare with: ask the exam office."),
        )
    check_photo(photo)
    return CheckIn.objects.create(
        candidate=candidate, image=photo, address=address, device=device[:MAX_DEVICE]
    )


def _wrong_code(candidate: Candidate, address: str | None, device: str, now: dt.datetime) -> bool:
    """Records a wrong code; True when it locks the check-in (the candidate row is locked)."""
    WrongCode.objects.create(
        candidate=candidate, at=now, address=address, device=device[:MAX_DEVICE]
    )
    guard = checkin_guard()
    since = now - dt.timedelta(minutes=guard.window_minutes)
    if candidate.checkin_unlocked_at is not None:
        since = max(since, candidate.checkin_unlocked_at)
    wrong = WrongCode.objects.filter(candidate=candidate, at__gt=since).count()
    if wrong < guard.wrong_codes:
        return False
    candidate.checkin_locked_at = now
    candidate.save(update_fields=["checkin_locked_at"])
    record(
        SYSTEM,
        AuditEvent.Action.LOCKED,
        candidate,
        changes={
            "exam": candidate.exam.name,
            "seat": candidate.seat,
            "wrong_codes": wrong,
            "window_minutes": guard.window_minutes,
        },
        node_path=candidate.exam.node.path,
        person_id=candidate.person_id,
        object_repr=str(candidate),
    )
    return True


@transaction.atomic
def unlock_checkin(actor: Actor, candidate: Candidate, *, now: dt.datetime | None = None) -> None:
    """The proctor unlocks a check-in locked by wrong codes; the wrong codes before count no
    more. Unlocking a check-in that is not locked is refused."""
    candidate = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("exam__node", "person__unit")
        .get(pk=candidate.pk)
    )
    require_manage(actor, candidate.exam.node)
    if candidate.checkin_locked_at is None:
        raise ExamError(Code.NOT_LOCKED, _("This check-in is not locked."))
    now = now or timezone.now()
    locked_at = candidate.checkin_locked_at
    candidate.checkin_locked_at = None
    candidate.checkin_unlocked_at = now
    candidate.save(update_fields=["checkin_locked_at", "checkin_unlocked_at"])
    audit(
        actor,
        AuditEvent.Action.UPDATE,
        candidate,
        candidate.exam.node,
        {"exam": candidate.exam.name, "seat": candidate.seat, "unlocked": locked_at.isoformat()},
        person_id=candidate.person_id,
        node_path=candidate.person.unit.path,
    )


@transaction.atomic
def decide_checkin(
    actor: Actor, checkin: CheckIn, confirm: bool, *, now: dt.datetime | None = None
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
    checkin.decided_by = user_of(actor)
    checkin.decided_at = now
    checkin.save(update_fields=["status", "decided_by", "decided_at"])
    if confirm:
        Candidate.objects.filter(pk=candidate.pk, admitted_at__isnull=True).update(
            admitted_at=now, admitted_by=user_of(actor)
        )
        # Other pending photos of the same candidate are moot once one is confirmed.
        CheckIn.objects.filter(candidate=candidate, status=CheckInStatus.PENDING).update(
            status=CheckInStatus.REFUSED, decided_by=user_of(actor), decided_at=now
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
