"""Check-ins sent at the same moment: a person's phone re-sending, the same person on two phones,
one phone for two people — each lands once, whatever the order; nothing is doubled or lost."""

import threading

import pytest
from django.db import connections
from django.utils import timezone

from xuefen.training import actions, codes
from xuefen.training.errors import TrainingError
from xuefen.training.models import Attendance

# Rows must be committed for the other threads to see them (see tests/audit/append_only.py).
pytestmark = pytest.mark.usefixtures("append_only_flush")


def _at_once(calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = []

    def run(user, session_id, device):
        try:
            barrier.wait()
            outcomes.append(actions.check(user, session_id, codes.IN, device, timezone.now()))
        except TrainingError as refused:
            outcomes.append(refused.code)
        except BaseException as exc:  # reported by the assertions
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=call) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_the_same_check_in_sent_eight_times_at_once_lands_once(cast, running):
    _k, session = running
    phone = codes.device_key("phone-of-lena-0000000000")
    outcomes = _at_once([(cast.lena, session.pk, phone)] * 8)
    rows = Attendance.objects.filter(session=session)
    assert rows.count() == 1 and rows.get().person_id == cast.lena_person.pk
    assert sum(isinstance(o, Attendance) for o in outcomes) == 1
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["already_checked_in"] * 7


def test_one_person_on_two_phones_at_once_lands_once(cast, running):
    _k, session = running
    phones = [codes.device_key(f"phone-{n}-00000000000000000") for n in range(2)]
    outcomes = _at_once([(cast.lena, session.pk, phone) for phone in phones])
    assert Attendance.objects.filter(session=session).count() == 1
    assert sum(isinstance(o, Attendance) for o in outcomes) == 1
    assert [o for o in outcomes if isinstance(o, str)] == ["other_device"]


def test_one_phone_for_two_people_at_once_checks_in_one(cast, running, ming):
    _k, session = running
    phone = codes.device_key("shared-phone-000000000000")
    outcomes = _at_once([(cast.lena, session.pk, phone), (ming, session.pk, phone)])
    assert Attendance.objects.filter(session=session).count() == 1
    assert [o for o in outcomes if isinstance(o, str)] == ["device_used"]
