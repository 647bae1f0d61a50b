"""The reminder run: who is short of the period's target (from the stored standings), at which
point before the claims deadline, written as one inbox row per recipient and round in one
INSERT … SELECT each (set-based: the rule engine is not run again per person), then e-mailed after
commit. A person without a standing of the period has nothing credited in it (a standing is
written with each entry, exemption or change of the person): short, with nothing earned.

Nobody is reminded twice for the same thing: a round is unique per (kind, period, point) and a
reminder per (account, round). The round's row is locked while it is written (a run beside waits);
its first INSERT finds nothing of it, later ones leave out the rows that exist (and ON CONFLICT DO
NOTHING besides), so a run repeated, or two at once, adds nothing. E-mails are claimed (emailed_at
set) before they are sent, so a second sender finds nothing left to send.
"""

# The SQL below formats in only table and column names; every value is a parameter.
# ruff: noqa: S608

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from xuefen.accounts.models import RoleGrant, User
from xuefen.accounts.roles import Role
from xuefen.claims.models import ReportingPeriod
from xuefen.core.backends import analyze_sample
from xuefen.ledger.models import Standing
from xuefen.orgs.models import OrgNode, Person
from xuefen.planning.models import Reminder, ReminderKind, ReminderPolicy, Round

log = logging.getLogger(__name__)

# Standings that still owe something before the deadline.
OWING = (Standing.Status.SHORT, Standing.Status.IN_PROGRESS)
EMAIL_CHUNK = 500


def due_point(deadline: dt.date, points: list[int], today: dt.date) -> int | None:
    """The point of the policy reached today: the nearest to the deadline among those passed
    (a run that missed earlier points sends only the latest); None before the first or after the
    deadline."""
    if today > deadline:
        return None
    left = (deadline - today).days
    reached = [p for p in points if p >= left]
    return min(reached) if reached else None


@dataclass(frozen=True)
class RunResult:
    rounds: int
    written: int


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _learner_sql(first: bool) -> str:
    """The learners' INSERT … SELECT, in the unique key's order (its index grows at its right
    edge). A round's first write (its row locked, nothing of it written yet) is a plain INSERT;
    later ones leave out who has this round's reminder already (through the unique key's index)
    and skip any row a run beside them wrote meanwhile. The first write goes without the check:
    PostgreSQL, seeing an empty table, would scan it for every row while filling it."""
    sent = (
        ""
        if first
        else f" AND NOT EXISTS (SELECT 1 FROM {_table(Reminder)} r"
        f" WHERE r.user_id = u.id AND r.round_id = %s)"
    )
    return (
        f"INSERT INTO {_table(Reminder)} (round_id, user_id, node_path, people, earned, email_to)"
        f" SELECT %s, u.id, n.path, 1, COALESCE(s.earned, 0),"
        f" CASE WHEN %s THEN u.email ELSE '' END"
        f" FROM {_table(User)} u"
        f" JOIN {_table(Person)} p ON p.id = u.person_id"
        f" JOIN {_table(OrgNode)} n ON n.id = p.unit_id"
        f" LEFT JOIN {_table(Standing)} s ON s.person_id = p.id AND s.period = %s"
        f" WHERE (s.status IN (%s, %s) OR s.id IS NULL) AND u.is_active AND p.status = %s"
        f"{sent}"
        f" ORDER BY u.id" + ("" if first else " ON CONFLICT (user_id, round_id) DO NOTHING")
    )


def _owing_sql() -> str:
    """The counted people of the period who owe something (or have no standing yet): person, unit
    path, earned. Parameters: period, the owing statuses, the active status."""
    return (
        f"SELECT p.id AS person_id, n.path AS path, COALESCE(s.earned, 0) AS earned"
        f" FROM {_table(Person)} p"
        f" JOIN {_table(OrgNode)} n ON n.id = p.unit_id"
        f" LEFT JOIN {_table(Standing)} s ON s.person_id = p.id AND s.period = %s"
        f" WHERE (s.status IN (%s, %s) OR s.id IS NULL) AND p.status = %s"
    )


def _owing_params(period: int) -> list[Any]:
    return [period, *OWING, Person.Status.ACTIVE]


def _short_per_unit(period: int) -> dict[str, int]:
    """{unit path: people short} of the period: one GROUP BY over the stored standings."""
    sql = f"SELECT o.path, COUNT(*) FROM ({_owing_sql()}) o GROUP BY o.path"
    with connection.cursor() as cursor:
        cursor.execute(sql, _owing_params(period))
        return dict(cursor.fetchall())


def _write_unit_admins(round_: Round, policy: ReminderPolicy, short: dict[str, int]) -> int:
    """One reminder per unit administrator with people short in their subtrees (`short`: the
    counts per unit, from one GROUP BY; the administrators are few)."""
    grants = (
        RoleGrant.objects.filter(role=Role.UNIT_ADMIN, user__is_active=True)
        .values_list("user_id", "node__path", "user__email")
        .order_by("user_id", "node__path")
    )
    mine: dict[int, tuple[str, str, set[str]]] = {}
    for user_id, root, email in grants:
        first_root, address, units = mine.get(user_id, (root, email, set()))
        units.update(path for path in short if path.startswith(root))
        mine[user_id] = (first_root, address, units)
    # The round's first write finds nothing of it (its row locked): no read of the reminders.
    done: set[int] = (
        set()
        if _first_write(round_)
        else set(Reminder.objects.filter(round=round_).values_list("user_id", flat=True))
    )
    rows = [
        Reminder(
            round=round_,
            user_id=user_id,
            node_path=root,
            people=sum(short[path] for path in units),
            email_to=email if policy.email else "",
        )
        for user_id, (root, email, units) in mine.items()
        if units and user_id not in done
    ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _first_write(round_: Round) -> bool:
    """Locks the round's row (a run beside this one waits here, then finds the rows written);
    whether nothing of it is written yet."""
    return Round.objects.select_for_update().get(pk=round_.pk).sent == 0


def _analyze_reminders(cursor: Any) -> None:
    # Fresh statistics for the next run's check (autovacuum may come later), from a sample.
    analyze_sample(cursor, _table(Reminder), ["round_id", "user_id"])


def _write_learners(round_: Round, policy: ReminderPolicy) -> int:
    first = _first_write(round_)
    params: list[Any] = [round_.pk, policy.email, round_.period, *OWING, Person.Status.ACTIVE]
    with connection.cursor() as cursor:
        cursor.execute(_learner_sql(first), params + ([] if first else [round_.pk]))
        written = max(cursor.rowcount, 0)
        if written:
            _analyze_reminders(cursor)
        return written


def _learners_and_counts_sql(first: bool) -> str:
    """PostgreSQL, both rounds due: one statement, one pass over the region. The owing people are
    materialised once; the learners' reminders are inserted from them (a data-modifying CTE, as
    `_learner_sql`: in the key's order, the check and ON CONFLICT only after the round's first
    write) and the counts per unit grouped from the same rows. Each row: unit path, people owing,
    reminders written."""
    sent = (
        ""
        if first
        else f" AND NOT EXISTS (SELECT 1 FROM {_table(Reminder)} r"
        f" WHERE r.user_id = u.id AND r.round_id = %s)"
    )
    return (
        f"WITH owing AS MATERIALIZED ({_owing_sql()}),"
        f" written AS (INSERT INTO {_table(Reminder)}"
        f" (round_id, user_id, node_path, people, earned, email_to)"
        f" SELECT %s, u.id, o.path, 1, o.earned, CASE WHEN %s THEN u.email ELSE '' END"
        f" FROM owing o JOIN {_table(User)} u ON u.person_id = o.person_id"
        f" WHERE u.is_active{sent}"
        f" ORDER BY u.id"
        + ("" if first else " ON CONFLICT (user_id, round_id) DO NOTHING")
        + " RETURNING 1)"
        " SELECT o.path, COUNT(*), (SELECT COUNT(*) FROM written) FROM owing o GROUP BY o.path"
    )


def _write_learners_and_count(round_: Round, policy: ReminderPolicy) -> tuple[int, dict[str, int]]:
    """The learners' round written and the counts per unit of the same period read, in one
    statement (PostgreSQL): (reminders written, {unit path: people short})."""
    first = _first_write(round_)
    params: list[Any] = [*_owing_params(round_.period), round_.pk, policy.email]
    with connection.cursor() as cursor:
        cursor.execute(_learners_and_counts_sql(first), params + ([] if first else [round_.pk]))
        rows = cursor.fetchall()
        written = int(rows[0][2]) if rows else 0
        if written:
            _analyze_reminders(cursor)
    return written, {path: int(people) for path, people, _written in rows}


def _write_period(period: int, due: list[tuple[Round, ReminderPolicy]]) -> list[tuple[Round, int]]:
    """Writes the rounds due of one period: (round, how many reminders it added) each. The
    learners' rounds first: on PostgreSQL, when the unit administrators' round is due too, the
    first learners' round reads the counts per unit in the same pass (SQLite has no INSERT inside
    a WITH: its counts are a GROUP BY of their own, read once for the period)."""
    due = sorted(due, key=lambda item: item[0].kind != ReminderKind.LEARNER_GAP)
    together = connection.vendor == "postgresql" and any(
        round_.kind == ReminderKind.UNIT_GAP for round_, _policy in due
    )
    short: dict[str, int] | None = None
    added: list[tuple[Round, int]] = []
    for round_, policy in due:
        if round_.kind == ReminderKind.UNIT_GAP:
            if short is None:
                short = _short_per_unit(period)
            added.append((round_, _write_unit_admins(round_, policy, short)))
        elif together and short is None:
            written, short = _write_learners_and_count(round_, policy)
            added.append((round_, written))
        else:
            added.append((round_, _write_learners(round_, policy)))
    return added


def run_reminders(today: dt.date | None = None) -> RunResult:
    """Writes the reminders due today for every open reporting period and active policy; the
    e-mails go after commit. Idempotent: a second run on the same day writes nothing."""
    today = today or timezone.localdate()
    rounds = written = 0
    policies = list(ReminderPolicy.objects.filter(is_active=True))
    open_periods = list(ReportingPeriod.objects.filter(deadline__gte=today))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Each statement reads or writes everyone once: compiling it costs more.
                cursor.execute("SET LOCAL jit = off")
                # The learners' rows are sorted into the key's order before they are written:
                # 60,000 of them spilled to disk at the default 4 MB (EXPLAIN: external merge).
                cursor.execute("SET LOCAL work_mem = '32MB'")
        for reporting in open_periods:
            due: list[tuple[Round, ReminderPolicy]] = []
            for policy in policies:
                points = [int(p) for p in policy.days_before]
                point = due_point(reporting.deadline, points, today)
                if point is None:
                    continue
                round_, _made = Round.objects.get_or_create(
                    kind=policy.kind,
                    period=reporting.period,
                    days_before=point,
                    defaults={"deadline": reporting.deadline},
                )
                due.append((round_, policy))
            for round_, added in _write_period(reporting.period, due):
                if added:
                    Round.objects.filter(pk=round_.pk).update(sent=F("sent") + added)
                rounds += 1
                written += added
        if written:
            transaction.on_commit(_queue_emails)
    return RunResult(rounds=rounds, written=written)


def _queue_emails() -> None:
    from xuefen.planning.tasks import send_reminder_emails_task

    send_reminder_emails_task.enqueue()


def subject_and_body(reminder: Reminder, round_: Round, unit_name: str = "") -> tuple[str, str]:
    """The reminder in words, in the active language."""
    deadline = date_format(round_.deadline, "Y-m-d")
    if round_.kind == ReminderKind.LEARNER_GAP:
        subject = _("Your %(period)s credits are short of the target") % {"period": round_.period}
        body = _(
            "You have %(earned)s so far in %(period)s and are short of the target. Claims for "
            "%(period)s are due by %(deadline)s. Your credits page shows what is missing and "
            "the courses that would close the gap."
        ) % {
            "earned": f"{reminder.earned.normalize():f}",
            "period": round_.period,
            "deadline": deadline,
        }
    else:
        subject = _("%(n)s people of your unit are short of the %(period)s target") % {
            "n": reminder.people,
            "period": round_.period,
        }
        body = _(
            "%(n)s people of %(unit)s are short of the %(period)s target. Claims for "
            "%(period)s are due by %(deadline)s. The compliance page lists them."
        ) % {"n": reminder.people, "unit": unit_name, "period": round_.period, "deadline": deadline}
    return subject, body


def _claim_chunk() -> list[tuple[int, int]]:
    """Takes up to EMAIL_CHUNK unsent e-mails for this sender (marks them sent first); their keys
    (user, round)."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Reminder.objects.filter(emailed_at__isnull=True)
            .exclude(email_to="")
            .order_by("round_id", "user_id")
            .values_list("user_id", "round_id")[:EMAIL_CHUNK]
        )
        if not ids:
            return []
        Reminder.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=now)
    return ids


def send_reminder_emails() -> int:
    """Sends every reminder e-mail not yet sent, through Django's mail settings. Each is claimed
    before it is sent: a second sender (or a rerun) never sends it again. Returns how many."""
    sent = 0
    link = settings.SITE_URL.rstrip("/") + reverse("planning:inbox") if settings.SITE_URL else ""
    while ids := _claim_chunk():
        rows = list(Reminder.objects.filter(pk__in=ids).select_related("round"))
        nodes = dict(
            OrgNode.objects.filter(path__in={r.node_path for r in rows}).values_list("path", "name")
        )
        messages = []
        with translation.override(settings.LANGUAGE_CODE):
            for reminder in rows:
                subject, body = subject_and_body(
                    reminder, reminder.round, nodes.get(reminder.node_path, "")
                )
                if link:
                    body += "\n\n" + link
                messages.append(
                    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [reminder.email_to])
                )
        try:
            mailers.default.send_messages(messages)
        except OSError:
            # The mail server is away (refused before sending): the in-app reminders stand, and
            # these e-mails are left for the next run.
            log.exception("reminder e-mails %s…%s not sent", ids[0], ids[-1])
            Reminder.objects.filter(pk__in=ids).update(emailed_at=None)
            break
        sent += len(messages)
    return sent
