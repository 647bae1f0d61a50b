"""Guessing one-time codes: wrong codes are counted per candidate; the policy's number of them
within its window (defaults.yaml) locks the check-in (HTTP 423) until the proctor unlocks it, and
the unlock is audited."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.exams import helpers as h
from xuefen.audit.models import AuditEvent
from xuefen.exams import actions, codes
from xuefen.exams.errors import Code, ExamError
from xuefen.exams.models import Candidate, CheckIn, WrongCode
from xuefen.exams.policy import checkin_guard


@pytest.fixture
def candidate(cast):
    exam = h.exam(cast)
    (found,) = actions.register_candidates(cast.carol, exam, [cast.lena_person])
    actions.register_photo(cast.carol, cast.lena_person, h.face(), exam.node)
    return found


def _right(candidate):
    return codes.code_for(candidate.pk, candidate.exam_id)


def _wrong(candidate):
    right = _right(candidate)
    return "000000" if right != "000000" else "111111"


def _guess(candidate, now, address="10.9.9.9"):
    with pytest.raises(ExamError) as caught:
        actions.check_in(candidate, _wrong(candidate), h.face(), address=address, now=now)
    return caught.value.code


def test_the_policy_number_of_wrong_codes_locks_even_the_right_code_out(candidate):
    guard = checkin_guard()
    now = timezone.now()
    codes_seen = [
        _guess(candidate, now + dt.timedelta(seconds=i)) for i in range(guard.wrong_codes)
    ]
    assert codes_seen[:-1] == [Code.CODE_INVALID] * (guard.wrong_codes - 1)
    assert codes_seen[-1] == Code.CHECKIN_LOCKED
    assert WrongCode.objects.filter(candidate=candidate).count() == guard.wrong_codes
    assert Candidate.objects.get(pk=candidate.pk).checkin_locked_at is not None
    with pytest.raises(ExamError) as caught:
        actions.check_in(candidate, _right(candidate), h.face(), now=now + dt.timedelta(minutes=1))
    assert caught.value.code == Code.CHECKIN_LOCKED and caught.value.status == 423
    assert not CheckIn.objects.exists()
    # Still locked long after the window: only the proctor unlocks.
    later = now + dt.timedelta(minutes=guard.window_minutes * 3)
    with pytest.raises(ExamError) as caught:
        actions.check_in(candidate, _right(candidate), h.face(), now=later)
    assert caught.value.code == Code.CHECKIN_LOCKED
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.LOCKED, person_id=candidate.person_id
    ).exists()


def test_wrong_codes_spread_beyond_the_window_do_not_lock(candidate):
    guard = checkin_guard()
    start = timezone.now() - dt.timedelta(minutes=guard.window_minutes * guard.wrong_codes)
    step = dt.timedelta(minutes=guard.window_minutes)
    for i in range(guard.wrong_codes + 1):
        assert _guess(candidate, start + step * i) == Code.CODE_INVALID
    assert Candidate.objects.get(pk=candidate.pk).checkin_locked_at is None
    assert actions.check_in(candidate, _right(candidate), h.face()).pk


def test_the_proctor_unlocks_and_the_count_starts_again(cast, candidate):
    guard = checkin_guard()
    now = timezone.now()
    for i in range(guard.wrong_codes):
        _guess(candidate, now + dt.timedelta(seconds=i))
    with pytest.raises(ExamError) as caught:
        actions.unlock_checkin(cast.lena, candidate)
    assert caught.value.code == Code.FORBIDDEN
    actions.unlock_checkin(cast.carol, candidate, now=now + dt.timedelta(minutes=1))
    unlocked = Candidate.objects.get(pk=candidate.pk)
    assert unlocked.checkin_locked_at is None
    event = AuditEvent.objects.filter(
        action=AuditEvent.Action.UPDATE, person_id=candidate.person_id
    )
    assert event.filter(actor=cast.carol).exists()
    # The wrong codes before the unlock count no more: one more wrong code does not lock again.
    assert _guess(candidate, now + dt.timedelta(minutes=2)) == Code.CODE_INVALID
    assert Candidate.objects.get(pk=candidate.pk).checkin_locked_at is None
    assert actions.check_in(candidate, _right(candidate), h.face()).pk
    with pytest.raises(ExamError) as caught:
        actions.unlock_checkin(cast.carol, candidate)
    assert caught.value.code == Code.NOT_LOCKED


def test_over_http_the_lock_is_423_with_a_message_and_the_proctor_unlocks(client, cast, candidate):
    guard = checkin_guard()
    url = reverse("exams:checkin", args=[candidate.pk])
    client.force_login(cast.lena)
    answers = [
        client.post(
            url,
            {
                "code": _wrong(candidate),
                "photo": SimpleUploadedFile("c.jpg", h.face(), "image/jpeg"),
            },
        )
        for _ in range(guard.wrong_codes)
    ]
    assert [a.status_code for a in answers] == [400] * (guard.wrong_codes - 1) + [423]
    locked = client.post(
        url,
        {"code": _right(candidate), "photo": SimpleUploadedFile("c.jpg", h.face(), "image/jpeg")},
    )
    assert locked.status_code == 423
    error = locked.json()["error"]
    assert error["code"] == "checkin_locked" and "监考" in error["message"]
    client.force_login(cast.carol)
    proctor = client.get(reverse("exams:proctor", args=[candidate.exam_id])).content.decode()
    assert reverse("exams:unlock", args=[candidate.pk]) in proctor
    assert client.post(reverse("exams:unlock", args=[candidate.pk])).status_code == 302
    client.force_login(cast.lena)
    taken = client.post(
        url,
        {"code": _right(candidate), "photo": SimpleUploadedFile("c.jpg", h.face(), "image/jpeg")},
    )
    assert taken.status_code == 200 and taken.json()["checkin"] == "pending"
