"""Reminders: from the stored standings, at the policy's points before the claims deadline, one
per person and point however often the run goes; e-mail once, after commit; the inbox and the
outbox scoped."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.planning import helpers
from xuefen.accounts.roles import Role
from xuefen.ledger.models import Standing
from xuefen.planning import reminders, schedule
from xuefen.planning.models import Reminder, ReminderKind, ReminderPolicy, Round

DEADLINE = dt.date(2026, 12, 20)


@pytest.fixture
def year(cast):
    """2026 with its deadline; lena (with an account, an e-mail) short, person A (no account)
    short, person B met."""
    helpers.reporting(2026, DEADLINE)
    cast.lena.email = "lena@example.org"
    cast.lena.save()
    cast.alice.email = "alice@example.org"
    cast.alice.save()
    helpers.standing(cast.lena_person, 2026, Standing.Status.SHORT, "12")
    helpers.standing(cast.person_a, 2026, Standing.Status.IN_PROGRESS, "30")
    helpers.standing(cast.person_b, 2026, Standing.Status.MET, "90")
    return cast


def test_the_point_reached_is_the_nearest_passed():
    points = [60, 30, 7]
    assert reminders.due_point(DEADLINE, points, DEADLINE - dt.timedelta(days=61)) is None
    assert reminders.due_point(DEADLINE, points, DEADLINE - dt.timedelta(days=60)) == 60
    assert reminders.due_point(DEADLINE, points, DEADLINE - dt.timedelta(days=10)) == 30
    assert reminders.due_point(DEADLINE, points, DEADLINE) == 7
    assert reminders.due_point(DEADLINE, points, DEADLINE + dt.timedelta(days=1)) is None


def test_a_reminder_is_not_sent_twice(year, django_capture_on_commit_callbacks):
    today = DEADLINE - dt.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.run_reminders(today)
    reminders.send_reminder_emails()
    with django_capture_on_commit_callbacks(execute=True):
        again = reminders.run_reminders(today)
        later_same_point = reminders.run_reminders(today + dt.timedelta(days=3))
    reminders.send_reminder_emails()

    assert first.written == 2  # lena (learner) and alice (her unit's administrator)
    assert again.written == 0 and later_same_point.written == 0
    learner = Reminder.objects.get(user=year.lena)
    assert learner.round.kind == ReminderKind.LEARNER_GAP and learner.round.days_before == 30
    assert Reminder.objects.filter(user=year.lena).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "lena@example.org"]


def test_the_next_point_reminds_again(year):
    reminders.run_reminders(DEADLINE - dt.timedelta(days=30))
    reminders.run_reminders(DEADLINE - dt.timedelta(days=7))
    points = sorted(
        Reminder.objects.filter(user=year.lena).values_list("round__days_before", flat=True)
    )
    assert points == [7, 30]


def test_the_unique_key_refuses_a_second_row(year):
    reminders.run_reminders(DEADLINE - dt.timedelta(days=30))
    existing = Reminder.objects.get(user=year.lena)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(round=existing.round, user=year.lena, node_path="/x/")


def test_unit_administrators_are_told_how_many_of_their_people_are_short(year):
    f.user("bea", Role.UNIT_ADMIN, year.unit_b)  # unit B: nobody short, no reminder
    dept_admin = f.user("dora", Role.UNIT_ADMIN, year.dept)  # over unit A
    reminders.run_reminders(DEADLINE - dt.timedelta(days=60))
    unit_rows = Reminder.objects.filter(round__kind=ReminderKind.UNIT_GAP)
    assert dict(unit_rows.values_list("user__username", "people")) == {"alice": 2, "dora": 2}
    assert not Reminder.objects.filter(user=year.bob).exists()
    assert dept_admin.pk in set(unit_rows.values_list("user_id", flat=True))


def test_nothing_before_the_first_point_nor_for_an_inactive_policy(year):
    assert reminders.run_reminders(DEADLINE - dt.timedelta(days=90)).written == 0
    ReminderPolicy.objects.update(is_active=False)
    assert reminders.run_reminders(DEADLINE - dt.timedelta(days=7)).written == 0
    assert not Round.objects.exists()


def test_a_policy_without_email_writes_to_the_inbox_only(year):
    ReminderPolicy.objects.update(email=False)
    reminders.run_reminders(DEADLINE - dt.timedelta(days=7))
    assert reminders.send_reminder_emails() == 0
    assert Reminder.objects.filter(user=year.lena).get().email_to == ""


def test_the_learner_reads_the_reminder_in_the_inbox(client, year):
    reminders.run_reminders(DEADLINE - dt.timedelta(days=7))
    client.force_login(year.lena)
    page = client.get(reverse("planning:inbox")).content.decode()
    assert "2026-12-20" in page and "12" in page
    mine = Reminder.objects.get(user=year.lena)
    assert f'name="reminder" value="{mine.round_id}"' in page
    client.post(reverse("planning:inbox"), {"reminder": [mine.round_id]})
    assert Reminder.objects.get(user=year.lena).read_at is not None


def test_marking_a_round_read_touches_only_the_readers_own_reminder(client, year):
    reminders.run_reminders(DEADLINE - dt.timedelta(days=7))
    theirs = Reminder.objects.get(user=year.alice)
    client.force_login(year.lena)
    client.post(reverse("planning:inbox"), {"reminder": [theirs.round_id]})
    assert Reminder.objects.get(user=year.alice).read_at is None


def test_the_outbox_shows_only_the_readers_subtree(client, year):
    reminders.run_reminders(DEADLINE - dt.timedelta(days=7))
    client.force_login(year.carol)
    office = client.get(reverse("planning:outbox")).content.decode()
    assert year.lena_person.name in office
    client.force_login(year.bob)
    assert year.lena_person.name not in client.get(reverse("planning:outbox")).content.decode()


def test_the_outbox_lists_without_a_query_per_row(client, year, django_assert_max_num_queries):
    for n in range(20):
        person = f.person(year.unit_a, f"学员{n}")
        f.user(f"learner{n}", person=person)
        helpers.standing(person, 2026)
    reminders.run_reminders(DEADLINE - dt.timedelta(days=7))
    client.force_login(year.carol)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("planning:outbox")).status_code == 200


def test_the_schedule_keeps_one_run_waiting(db):
    from django_tasks_db.models import DBTaskResult

    assert schedule.ensure() is True
    assert schedule.ensure() is False
    waiting = DBTaskResult.objects.get(task_path=schedule.TASK_PATH)
    assert timezone.localtime(waiting.run_after).hour == settings.REMINDER_HOUR
    assert waiting.enqueued_at < waiting.run_after <= waiting.enqueued_at + dt.timedelta(days=1)


def test_a_run_by_the_worker_queues_the_next_day(year):
    from django_tasks_db.models import DBTaskResult

    from xuefen.planning.tasks import run_reminders_task

    run_reminders_task.call()
    queued = DBTaskResult.objects.get(task_path=schedule.TASK_PATH)
    assert queued.run_after > timezone.now()


def test_the_policy_page_changes_the_points(client, year):
    client.force_login(year.carol)
    policy = ReminderPolicy.objects.get(kind=ReminderKind.LEARNER_GAP)
    bad = client.post(
        reverse("planning:policies"), {"policy": policy.pk, "days_before": "三十", "email": "on"}
    )
    assert "0 to 366" in bad.content.decode() or "0 到 366" in bad.content.decode()
    client.post(
        reverse("planning:policies"),
        {"policy": policy.pk, "days_before": "45, 15", "email": "on", "is_active": "on"},
    )
    policy.refresh_from_db()
    assert policy.days_before == [45, 15]


def test_a_learner_with_nothing_credited_yet_is_reminded(year):
    nobody = f.person(year.unit_a, "新同事")
    account = f.user("newbie", person=nobody)
    reminders.run_reminders(DEADLINE - dt.timedelta(days=7))
    mine = Reminder.objects.get(user=account)
    assert mine.earned == 0 and mine.round.kind == ReminderKind.LEARNER_GAP
    assert Reminder.objects.get(user=year.alice).people == 3


def test_the_run_queued_for_tomorrow_is_not_a_waiting_task_on_healthz(client, db):
    schedule.ensure()
    queue = client.get(reverse("core:healthz")).json()["queue"]
    assert queue["ready"] == 0 and queue["oldest_ready_seconds"] is None
