"""Attendance: checking in and out with the rotating code, the administrator's corrections and
the paper sheet.

A check-in or check-out is recorded once, from one device: the device that checked a person in
checks them out, and checks no one else in for that session (both kept by unique constraints,
so two requests racing each other cannot double a check-in). A scan outside the session's window
is refused. A code check-in writes no audit event of its own (the attendance row is the record:
who, when, from which device); corrections and sheets are audited with their reason."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext_lazy as _

from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, user_of
from xuefen.orgs.models import Person
from xuefen.training import codes, files, sql
from xuefen.training.actions.common import audit_class, audit_person, lock, require_manage
from xuefen.training.errors import Code, TrainingError
from xuefen.training.models import (
    Attendance,
    EnrolmentStatus,
    Mark,
    Session,
    SignInSheet,
    Source,
    TrainingClass,
)
from xuefen.training.workflow import TAKING_ATTENDANCE

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class Window:
    opens: dt.datetime
    closes: dt.datetime

    def holds(self, moment: dt.datetime) -> bool:
        return self.opens <= moment <= self.closes


def window(session: Session, direction: str) -> Window:
    """When the session's code is accepted: check-in from some minutes before it starts until it
    ends; check-out from some minutes before it ends until some minutes after."""
    if direction == codes.IN:
        opens = session.starts() - dt.timedelta(minutes=settings.TRAINING_CHECKIN_EARLY_MINUTES)
        return Window(opens, session.ends())
    ends = session.ends()
    return Window(
        ends - dt.timedelta(minutes=settings.TRAINING_CHECKOUT_EARLY_MINUTES),
        ends + dt.timedelta(minutes=settings.TRAINING_CHECKOUT_LATE_MINUTES),
    )


def _hm(moment: dt.datetime) -> str:
    return time_format(timezone.localtime(moment), "H:i")


def _outside(session: Session, direction: str, w: Window) -> TrainingError:
    what = _("Check-in") if direction == codes.IN else _("Check-out")
    return TrainingError(
        Code.OUTSIDE_WINDOW,
        _("%(what)s for this session is open from %(opens)s to %(closes)s on %(day)s.")
        % {"what": what, "opens": _hm(w.opens), "closes": _hm(w.closes), "day": session.date},
    )


def check(
    actor: Actor, session: Session | int, direction: str, device: str, at: dt.datetime
) -> Attendance:
    """Checks the actor (a learner on the class's roster) in or out of the session, as scanned
    at `at` from `device` (the keyed hash of the phone's device cookie). Refuses, changing
    nothing: outside the session's window, a second check-in (or check-out), another device for
    the same person, or a device that already checked someone else in.

    Race-safe without holding a lock while it reads (a whole class scans the same code within
    seconds): one statement reads what the check-in is decided by (`training.sql`); a check-in
    is one INSERT that the unique constraints (one row per person and session, one person per
    device and session) let through once; a check-out is one UPDATE that only a row still
    without its check-out, from that device, takes. The returned row carries its session and
    class."""
    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        raise _not_on_roster()
    if not device:
        raise TrainingError(
            Code.NO_DEVICE, _("Your browser keeps no cookies; allow them and scan again.")
        )
    found = sql.facts(session if isinstance(session, int) else session.pk, person_id, device)
    if found is None or not found.on_roster:
        raise _not_on_roster()
    session = found.session
    if session.klass.status not in TAKING_ATTENDANCE:
        raise TrainingError(Code.CLASS_NOT_RUNNING, _("This class is not taking attendance."))
    w = window(session, direction)
    if not w.holds(at):
        raise _outside(session, direction, w)
    mine = found.row
    if direction == codes.OUT:
        return _check_out(actor, mine, device, at)
    if mine is not None:
        _refuse_again(mine, device, codes.IN)
    if found.device_taken:
        raise _device_used()
    if mine is not None:  # a row without a check-in or a mark: the code decides
        return _claim(actor, mine, device, at)
    row = sql.insert_checkin(session, person_id, device, at, actor)
    if row is None:
        # Another request got there first: say what is there now.
        again = sql.facts(session.pk, person_id, device)
        if again is not None and again.row is not None:
            _refuse_again(again.row, device, codes.IN)
        raise _device_used()
    return row


def _claim(actor: Actor, row: Attendance, device: str, at: dt.datetime) -> Attendance:
    try:
        with transaction.atomic():
            taken = sql.claim_row(row, device, at, actor)
    except IntegrityError:
        raise _device_used() from None
    if not taken:
        row.refresh_from_db()  # another request got there first
        _refuse_again(row, device, codes.IN)
        raise _device_used()
    row.checked_in_at, row.device, row.source, row.updated_by = (
        at,
        device,
        Source.CODE,
        user_of(actor),
    )
    return row


def _not_on_roster() -> TrainingError:
    return TrainingError(Code.NOT_ON_ROSTER, _("You are not on this class's roster."))


def _device_used() -> TrainingError:
    return TrainingError(
        Code.DEVICE_USED,
        _("This phone has already checked someone else in for this session: each person checks "
          "in on their own phone."),
    )  # fmt: skip


def _refuse_again(row: Attendance, device: str, direction: str) -> None:
    if row.mark:
        raise TrainingError(
            Code.MARKED_BY_ADMIN,
            _("The class administrator has already recorded your attendance for this session."),
        )
    if row.device and row.device != device:
        raise TrainingError(
            Code.OTHER_DEVICE,
            _("You checked in for this session on another phone; use that phone."),
        )
    if direction == codes.IN and row.checked_in_at is not None:
        raise TrainingError(
            Code.ALREADY_CHECKED_IN,
            _("You checked in at %(time)s; nothing was changed.")
            % {"time": _hm(row.checked_in_at)},
        )


def _check_out(actor: Actor, row: Attendance | None, device: str, at: dt.datetime) -> Attendance:
    if row is None or row.checked_in_at is None:
        if row is not None and row.mark:
            _refuse_again(row, device, codes.OUT)
        raise TrainingError(
            Code.NOT_CHECKED_IN,
            _("You did not check in for this session, so you cannot check out."),
        )
    _refuse_again(row, device, codes.OUT)
    if row.checked_out_at is None:
        if sql.set_checkout(row, device, at, actor):
            row.checked_out_at, row.updated_by = at, user_of(actor)
            return row
        row.refresh_from_db()  # another request got there first
        _refuse_again(row, device, codes.OUT)
    raise TrainingError(
        Code.ALREADY_CHECKED_OUT,
        _("You checked out at %(time)s; nothing was changed.")
        % {"time": _hm(row.checked_out_at or at)},
    )


# --------------------------------------------------------------------------- the administrator


def _roster_person(klass: TrainingClass, person_id: int) -> Person:
    if not klass.enrolments.filter(person_id=person_id, status=EnrolmentStatus.ENROLLED).exists():
        raise TrainingError(Code.NOT_ON_ROSTER, _("This person is not on the class's roster."))
    return Person.objects.select_related("unit").get(pk=person_id)


def _state(row: Attendance | None) -> dict[str, Any]:
    if row is None:
        return {}
    return {
        "mark": row.mark,
        "in": row.checked_in_at.isoformat() if row.checked_in_at else None,
        "out": row.checked_out_at.isoformat() if row.checked_out_at else None,
    }


@transaction.atomic
def correct(actor: Actor, session: Session, person_id: int, mark: str, reason: str) -> Attendance:
    """The class's administrator marks a person present or absent for a session (or gives the
    decision back to the code with mark ""), with a reason; audited with what was there before."""
    klass = lock(session.klass)
    require_manage(actor, klass)
    if klass.status not in TAKING_ATTENDANCE:
        raise TrainingError(Code.CLASS_NOT_RUNNING, _("This class is not taking attendance."))
    if mark not in Mark.values:
        raise TrainingError(Code.BAD_INPUT, _("Choose present or absent."), field="mark")
    if not reason.strip():
        raise TrainingError(
            Code.REASON_REQUIRED, _("Say why attendance is corrected."), field="reason"
        )
    person = _roster_person(klass, person_id)
    # The person's row, made (empty) if the code has not made one: a check-in arriving meanwhile
    # finds it there and is refused as already recorded by the administrator.
    existing = Attendance.objects.select_for_update().filter(session=session, person=person)
    if mark == Mark.NONE and not existing.exists():
        raise TrainingError(
            Code.BAD_INPUT, _("Nothing is recorded for this person to give back to the code.")
        )
    Attendance.objects.bulk_create(
        [Attendance(session=session, person=person, source=Source.MANUAL)],
        ignore_conflicts=True,
    )
    row = existing.get()
    before = _state(row) if (row.checked_in_at or row.mark) else {}
    row.mark = mark
    row.source = Source.MANUAL
    row.note = reason.strip()[:300]
    row.updated_by = user_of(actor)
    row.save()
    audit_person(
        actor,
        AuditEvent.Action.UPDATE,
        row,
        klass,
        person,
        {"session": session.pk, "before": before, "after": _state(row), "reason": row.note},
    )
    return row


@transaction.atomic
def record_sheet(
    actor: Actor, session: Session, upload: Any, present: Iterable[int], reason: str = ""
) -> SignInSheet:
    """The fallback when the code could not be used: the scan of the signed paper sheet is kept
    (PDF, JPEG or PNG, by content) and the people ticked on it are marked present for the
    session. Nothing is kept if the file is refused or a ticked person is not on the roster."""
    klass = lock(session.klass)
    require_manage(actor, klass)
    if klass.status not in TAKING_ATTENDANCE:
        raise TrainingError(Code.CLASS_NOT_RUNNING, _("This class is not taking attendance."))
    ids = sorted(set(present))
    roster = set(
        klass.enrolments.filter(status=EnrolmentStatus.ENROLLED, person_id__in=ids).values_list(
            "person_id", flat=True
        )
    )
    if len(roster) != len(ids):
        raise TrainingError(Code.NOT_ON_ROSTER, _("Tick only people on the class's roster."))
    stored = files.store(upload)
    try:
        sheet = SignInSheet.objects.create(
            session=session,
            stored_name=stored.stored_name,
            original_name=stored.original_name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            uploaded_by=user_of(actor),
        )
        note = reason.strip()[:300] or str(_("Paper sign-in sheet"))
        rows = {
            a.person_id: a
            for a in Attendance.objects.select_for_update().filter(
                session=session, person_id__in=ids
            )
        }
        for person_id in ids:
            row = rows.get(person_id) or Attendance(session=session, person_id=person_id)
            row.mark, row.source, row.note, row.updated_by = (
                Mark.PRESENT,
                Source.SHEET,
                note,
                user_of(actor),
            )
            row.save()
        audit_class(
            actor,
            AuditEvent.Action.IMPORT,
            klass,
            {"session": session.pk, "sheet": sheet.original_name, "sha256": sheet.sha256,
             "present": ids, "reason": note},
        )  # fmt: skip
    except BaseException:
        files.discard(stored.stored_name)
        raise
    return sheet
