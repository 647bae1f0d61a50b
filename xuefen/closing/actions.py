"""State changes of closing a year: the office closes a period for a region (grades fixed), lets
late reports in, publishes the public notice (公示), and decides the objections raised against it.
Each runs in one transaction and writes its own audit record; each checks its own permission."""

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    Q,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import may
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.claims import files as claim_files
from xuefen.closing import queries
from xuefen.closing.errors import ClosingError, Code
from xuefen.closing.models import FixedGrade, LateApproval, Notice, Objection, PeriodClose
from xuefen.closing.rules import notice_rules
from xuefen.core.actors import Actor, person_acting, user_of
from xuefen.core.backends import analyze_sample
from xuefen.core.errors import PermissionDenied
from xuefen.ledger import standings
from xuefen.ledger.actions import reverse_entry
from xuefen.ledger.bulk import MAX_PERIOD, MIN_PERIOD
from xuefen.ledger.judging import Loader
from xuefen.ledger.models import Entry, Standing
from xuefen.orgs.models import OrgNode, Person

SETTLE_BATCH = 2000
# How many times the grades are settled and copied again when the copy finds a standing stale.
SETTLE_ATTEMPTS = 3


def _require_office(actor: Actor, node: OrgNode) -> None:
    """The credit office of the node (or the system: the CLI, demo data)."""
    if not may(actor, Cap.CREDITS_APPROVE, node):
        raise PermissionDenied(Code.FORBIDDEN, _("Only the credit office may do this here."))


# --- closing and fixing the grades ---------------------------------------------------------------


def _whole_region_statements() -> None:
    """On PostgreSQL, for the rest of the transaction: no JIT compilation (the close's statements
    each read or write the whole region once; compiling them cost more than running them), and
    room to sort the region's rows into the key's order in memory (at the default 4 MB, 100,000
    of them spilled to disk: EXPLAIN's "external merge", 8 MB)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '32MB'")


def _from_standing(q: Q) -> Q:
    """The ledger's stale rule (`standings.stale_q`, written from a person annotated with `st`,
    their standing) read from the standing's side: `st__x` is the standing's own x, anything
    else the person's. Derived, not copied: the rule stays the ledger's."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(_from_standing(child))
            continue
        key, value = child  # type: ignore[misc]
        if isinstance(value, F):
            name = str(value.name)  # type: ignore[attr-defined]
            value = F(name[4:] if name.startswith("st__") else f"person__{name}")
        elif hasattr(value, "resolve_expression"):
            raise TypeError(f"the stale rule's {key} is an expression this reading does not know")
        out.children.append((key[4:] if key.startswith("st__") else f"person__{key}", value))
    return out


def _all_current(region: OrgNode, period: int) -> bool:
    """Whether every counted person of the region has a standing of the period that is not stale
    by the ledger's rule (`standings.stale_q`), the case of a healthy database: as many standings
    as people, and none of them stale. SQLite's planner starts a LEFT JOIN from its left table
    (every person, then their standing by index) and reaches people by the unit's index (a row
    fetched at random per person), so: one pass over the standings of the period (their count
    and how many are stale), and the people counted in one scan of their table. The search
    person by person for the missing ones is left to when there are some."""
    counted = ~Q(person__status__in=[Person.Status.RETIRED, Person.Status.LEFT])
    found = (
        Standing.objects.filter(counted, period=period, person__unit__path__startswith=region.path)
        .order_by()
        .aggregate(
            having=Count("pk"),
            stale=Count("pk", filter=_from_standing(standings.stale_q(period))),
        )
    )
    if found["stale"]:
        return False
    # `unit_id + 0`: not through the unit's index (a random row per person), one scan instead.
    units = OrgNode.objects.filter(path__startswith=region.path).values("pk")
    people = (
        Person.objects.alias(unit_scan=F("unit_id") + 0)
        .filter(unit_scan__in=units)
        .exclude(status__in=[Person.Status.RETIRED, Person.Status.LEFT])
        .order_by()
    )
    return found["having"] == people.count()


def _settle_region(region: OrgNode, period: int) -> int:
    """Judges every stale or missing standing of the region's counted people (in batches)."""
    # No order: a person's default one (unit, name) made the check sort the whole region by
    # name before it could say "nothing stale" (4× its own cost at 100,000 people on PostgreSQL).
    people = (
        Person.objects.filter(unit__path__startswith=region.path)
        .exclude(status__in=[Person.Status.RETIRED, Person.Status.LEFT])
        .order_by()
    )
    # SQLite's planner starts a LEFT JOIN from its left table (every person, then their standing
    # by index: 4× a GROUP BY over the standings); PostgreSQL merges the two and needs no help.
    if connection.vendor == "sqlite" and _all_current(region, period):
        return 0
    judged = 0
    while True:
        stale = standings.with_standing(people, period).filter(standings.stale_q(period))
        ids = list(stale.values_list("pk", flat=True)[:SETTLE_BATCH])
        if not ids:
            return judged
        standings.judge_and_store(Loader.for_people(ids), {pid: {period} for pid in ids})
        judged += len(ids)


def _analyze(cursor: Any) -> None:
    """The planner learns the new rows at once: the notices read them by unit right after. Only
    the columns the reads look up by, from a small sample (0.02 s instead of 0.1 s at 100,000
    people); enough for the planner to choose the (close, unit) index per unit."""
    table = connection.ops.quote_name(FixedGrade._meta.db_table)
    analyze_sample(cursor, table, ["close_id", "unit_id", "person_id"])


# The checked copy's columns, in the fixed grades' column order of the INSERT.
FIXED_FROM = (
    *("f_close", "f_person", "f_unit", "f_status"),
    *("f_grade", "f_earned", "f_ruleset", "f_at"),
)


def _unit_as_fixed(close: PeriodClose, person_ids: list[int] | None) -> Any:
    """The unit a fixed grade names: the person's unit now when the region is copied; for given
    people fixed again (an upheld objection), the unit their grade was fixed under, should they
    have moved since — the notice and the results by unit keep them where they were."""
    if person_ids is None:
        return F("unit_id")
    fixed = FixedGrade.objects.filter(close=close, person_id__in=person_ids)
    whens = [When(pk=pid, then=Value(unit)) for pid, unit in fixed.values_list("person", "unit")]
    if not whens:
        return F("unit_id")
    return Case(*whens, default=F("unit_id"), output_field=BigIntegerField())


def _checked_rows(close: PeriodClose, person_ids: list[int] | None) -> tuple[str, list[Any]]:
    """The SELECT of the close's rows (or of `person_ids`), from the region's people and their
    standings of the period, that carries its own settle check: a counted person whose standing
    is missing or stale by the ledger's rule (`standings.stale_q`, not a copy of it) gets no
    status (NULL), which the fixed grades' NOT NULL refuses. Everyone with a standing, and every
    counted person, is a row. In the key's order (person first): its index grows at its right
    edge, page after page."""
    period = close.period
    counted = ~Q(status__in=[Person.Status.RETIRED, Person.Status.LEFT])
    # Given people (on the close's notice) are copied wherever they are now.
    people = standings.with_standing(
        Person.objects.filter(unit__path__startswith=close.region.path)
        if person_ids is None
        else Person.objects.filter(pk__in=person_ids),
        period,
    )
    rows = (
        people.filter(Q(st__id__isnull=False) | counted)
        .annotate(
            f_close=Value(close.pk, output_field=BigIntegerField()),
            f_person=F("pk"),
            f_unit=_unit_as_fixed(close, person_ids),
            f_status=Case(
                When(counted & standings.stale_q(period), then=Value(None)),
                default=F("st__status"),
                output_field=CharField(),
            ),
            f_grade=F("st__grade"),
            f_earned=F("st__earned"),
            f_ruleset=F("st__ruleset"),
            f_at=Value(timezone.now(), output_field=DateTimeField()),
        )
        .values(*FIXED_FROM)
        .order_by("pk")
    )
    sql, params = rows.query.sql_with_params()
    return sql, list(params)


def _fix(close: PeriodClose, person_ids: list[int] | None = None) -> int:
    """Copies the standings of the close's region (or of `person_ids`) into its fixed grades, in
    one INSERT … SELECT that is its own settle check (`_checked_rows`): it raises IntegrityError,
    writing nothing (in its savepoint), if a counted person's standing is missing or stale — a
    fixed grade is never copied from a stale standing. Returns how many rows it wrote."""
    if person_ids is not None and not person_ids:
        return 0
    select, params = _checked_rows(close, person_ids)  # before the rows it replaces go
    with transaction.atomic():
        fixed = FixedGrade.objects.filter(close=close)
        if person_ids is not None:
            fixed = fixed.filter(person_id__in=person_ids)
        fixed.delete()
        table = connection.ops.quote_name(FixedGrade._meta.db_table)
        with connection.cursor() as cursor:
            # The table name from the model, values as parameters.
            cursor.execute(
                f"INSERT INTO {table} (close_id, person_id, unit_id, status, grade, earned,"
                f" ruleset, fixed_at) {select}",
                params,
            )
            written = max(cursor.rowcount, 0)
            if connection.vendor == "postgresql" and person_ids is None:
                _analyze(cursor)
    return written


def _settle(close: PeriodClose, person_ids: list[int] | None) -> None:
    if person_ids is None:
        _settle_region(close.region, close.period)
    elif person_ids:
        standings.judge_and_store(
            Loader.for_people(person_ids), {pid: {close.period} for pid in person_ids}
        )


def _settle_and_fix(close: PeriodClose, person_ids: list[int] | None = None) -> int:
    """Fixes the grades of the close (or of `person_ids`), every counted person's standing
    current first. A healthy region (every standing current) takes one statement, the copy that
    checks as it goes; only when it finds a missing or stale standing (and writes nothing) are
    they settled and copied again — again, should a post of another transaction have made one
    stale in between (PostgreSQL), a few times before the office is asked to try again."""
    for _attempt in range(SETTLE_ATTEMPTS):
        try:
            return _fix(close, person_ids)
        except IntegrityError:
            _settle(close, person_ids)
    try:
        return _fix(close, person_ids)
    except IntegrityError:
        raise ClosingError(
            Code.LEDGER_MOVING,
            _(
                "Credits of this region kept changing while the grades were being fixed; "
                "nothing was fixed. Try again in a moment."
            ),
        ) from None


@transaction.atomic
def close_period(actor: Actor, region: OrgNode, period: int, note: str = "") -> PeriodClose:
    """Closes `period` for the region and its subtree: every counted person's standing is judged
    current, then fixed (their grade by the age-bracket tiers of their rule set). From now on a
    credit dated in the period goes in only with the office's late-report approval.

    Only the credit office of the region; a period closed already (here or above) is refused and
    nothing changes."""
    _require_office(actor, region)
    if region.kind != OrgNode.Kind.REGION:
        raise ClosingError(Code.NOT_A_REGION, _("A year is closed for a region."), field="region")
    if not MIN_PERIOD <= period <= MAX_PERIOD:
        raise ClosingError(Code.BAD_PERIOD, _("The year is not plausible."), field="period")
    if period > timezone.localdate().year:
        raise ClosingError(
            Code.PERIOD_AHEAD, _("A year still ahead cannot be closed."), field="period"
        )
    from xuefen.closing.guard import close_over

    if close_over(region.path, period) is not None:
        raise ClosingError(
            Code.ALREADY_CLOSED, _("This year is already closed for this region."), field="period"
        )
    _whole_region_statements()
    close = PeriodClose.objects.create(
        region=region, period=period, closed_by=user_of(actor), note=note.strip()[:300]
    )
    close.people = _settle_and_fix(close)
    close.regraded_at = close.closed_at
    close.save(update_fields=["people", "regraded_at"])
    record(
        actor,
        AuditEvent.Action.CREATE,
        close,
        changes={"period": [None, period], "people": [None, close.people]},
        node_path=region.path,
    )
    return close


@transaction.atomic
def fix_grades_again(actor: Actor, close: PeriodClose) -> PeriodClose:
    """Fixes the grades of the closed period again from the ledger as it stands (after late
    reports the office let in): the office's explicit step, audited."""
    _require_office(actor, close.region)
    _whole_region_statements()
    before = close.people
    close.people = _settle_and_fix(close)
    close.regraded_at = timezone.now()
    close.save(update_fields=["people", "regraded_at"])
    record(
        actor,
        AuditEvent.Action.UPDATE,
        close,
        changes={"people": [before, close.people]},
        node_path=close.region.path,
    )
    return close


@transaction.atomic
def approve_late_reports(
    actor: Actor,
    close: PeriodClose,
    *,
    reason: str,
    valid_until: dt.date,
    person: Person | None = None,
    unit: OrgNode | None = None,
) -> LateApproval:
    """The office lets late reports for one person, or for a unit's subtree, into the closed
    period until `valid_until` (a claim approved or a roster row posted then goes in)."""
    _require_office(actor, close.region)
    if (person is None) == (unit is None):
        raise ClosingError(
            Code.PERSON_OR_UNIT, _("Name either a person or a unit."), field="person"
        )
    path = person.unit.path if person is not None else unit.path  # type: ignore[union-attr]
    if not path.startswith(close.region.path):
        raise ClosingError(Code.OUTSIDE_REGION, _("Not in the closed region."), field="person")
    if not reason.strip():
        raise ClosingError(Code.REASON_REQUIRED, _("Give the reason."), field="reason")
    if valid_until < timezone.localdate():
        raise ClosingError(
            Code.VALID_UNTIL_PAST, _("The last day must not be in the past."), field="valid_until"
        )
    approval = LateApproval.objects.create(
        close=close,
        person=person,
        unit=unit,
        reason=reason.strip()[:300],
        valid_until=valid_until,
        granted_by=user_of(actor),
    )
    record(
        actor,
        AuditEvent.Action.APPROVE,
        approval,
        changes={"valid_until": [None, valid_until.isoformat()], "reason": [None, approval.reason]},
        node_path=path,
        person_id=person.pk if person is not None else None,
    )
    return approval


# --- the public notice ---------------------------------------------------------------------------


@transaction.atomic
def publish_notice(
    actor: Actor,
    close: PeriodClose,
    node: OrgNode | None = None,
    *,
    today: dt.date | None = None,
) -> Notice:
    """Publishes the closed period's results for the node's subtree (the region by default), for
    the number of days the notice rules set, from today."""
    node = node or close.region
    _require_office(actor, node)
    if not node.path.startswith(close.region.path):
        raise ClosingError(Code.OUTSIDE_REGION, _("Not in the closed region."), field="node")
    rules = notice_rules()
    opens = today or timezone.localdate()
    notice = Notice.objects.create(
        close=close,
        node=node,
        title=_("%(node)s: credit results of %(period)s")
        % {"node": node.name, "period": close.period},
        opens_on=opens,
        closes_on=opens + dt.timedelta(days=rules.days - 1),
        include_claims=rules.include_claims,
        rule_source=rules.source[:300],
        published_by=user_of(actor),
    )
    record(
        actor,
        AuditEvent.Action.CREATE,
        notice,
        changes={
            "opens_on": [None, notice.opens_on.isoformat()],
            "closes_on": [None, notice.closes_on.isoformat()],
        },
        node_path=node.path,
    )
    return notice


def _evidence_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "closing"


def evidence_path(objection: Objection) -> Path:
    return _evidence_dir() / claim_files.path_of(objection.evidence_file).name


@transaction.atomic
def raise_objection(
    actor: Actor,
    notice: Notice,
    person: Person,
    entry: Entry,
    *,
    reason: str,
    upload: Any = None,
    today: dt.date | None = None,
) -> Objection:
    """Anyone who may read the notice objects to one credit on it, with a reason and (optionally)
    a file of evidence (PDF, JPEG or PNG, judged by content). Only while the notice stands; the
    same person's open objection to the same credit is not raised twice."""
    user = person_acting(actor)
    if not queries.notices_for(user).filter(pk=notice.pk).exists():
        raise PermissionDenied(Code.FORBIDDEN, _("You may not do this here."))
    day = today or timezone.localdate()
    if notice.finished_at is not None or day > notice.closes_on:
        raise ClosingError(
            Code.WINDOW_CLOSED,
            _("The objection window of this notice closed on %(day)s: no more objections.")
            % {"day": notice.closes_on.isoformat()},
            field="notice",
        )
    if not queries.on_notice(notice).filter(person=person).exists():
        raise ClosingError(
            Code.NOT_ON_NOTICE, _("This person is not on the notice."), field="person"
        )
    if (
        entry.person_id != person.pk
        or entry.period != notice.close.period
        or entry.reverses_id is not None
        or Entry.objects.filter(reverses=entry).exists()
    ):
        raise ClosingError(
            Code.ENTRY_NOT_ON_NOTICE,
            _("Choose one of the credits the notice lists."),
            field="entry",
        )
    reason = reason.strip()
    if not reason:
        raise ClosingError(Code.REASON_REQUIRED, _("Give the reason."), field="reason")
    existing = Objection.objects.filter(
        notice=notice, entry=entry, raised_by=user, status=Objection.Status.OPEN
    ).first()
    if existing is not None:
        return existing
    objection = Objection(
        notice=notice, person=person, entry=entry, reason=reason[:2000], raised_by=user
    )
    if upload is not None:
        stored = claim_files.store(upload, ["pdf", "image"])
        _evidence_dir().mkdir(parents=True, exist_ok=True)
        claim_files.path_of(stored.stored_name).rename(_evidence_dir() / stored.stored_name)
        objection.evidence_file = stored.stored_name
        objection.evidence_name = stored.original_name[:120]
    objection.save()
    record(
        actor,
        AuditEvent.Action.CREATE,
        objection,
        changes={"entry": [None, entry.pk], "reason": [None, objection.reason]},
        node_path=person.unit.path,
        person_id=person.pk,
    )
    return objection


@transaction.atomic
def decide_objection(actor: Actor, objection: Objection, *, uphold: bool, reason: str) -> Objection:
    """The office decides an open objection: upheld — the credit is reversed in the ledger, the
    reversal naming the objection, and the person's fixed grade is fixed again; dismissed — the
    reason is recorded. Not by the objection's person nor by who raised it; once only."""
    locked = (
        Objection.objects.select_for_update()
        .select_related("person__unit", "entry", "notice__close__region")
        .get(pk=objection.pk)
    )
    person = locked.person
    if not may(actor, Cap.CREDITS_APPROVE, person.unit):
        raise PermissionDenied(Code.FORBIDDEN, _("Only the credit office may do this here."))
    user = person_acting(actor)
    if user.person_id == person.pk or locked.raised_by_id == user.pk:
        raise PermissionDenied(
            Code.OWN_OBJECTION,
            _("An objection is decided by someone other than its person and who raised it."),
        )
    if locked.status != Objection.Status.OPEN:
        raise ClosingError(
            Code.ALREADY_DECIDED, _("This objection has already been decided."), field="status"
        )
    reason = reason.strip()
    if not reason:
        raise ClosingError(Code.REASON_REQUIRED, _("Give the reason."), field="reason")
    before = locked.status
    if uphold:
        locked.reversal = reverse_entry(
            actor,
            locked.entry,
            _("Objection #%(id)s upheld: %(reason)s") % {"id": locked.pk, "reason": reason},
        )
        _settle_and_fix(locked.notice.close, [person.pk])
    locked.status = Objection.Status.UPHELD if uphold else Objection.Status.DISMISSED
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.decision_reason = reason[:500]
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "reversal"])
    record(
        actor,
        AuditEvent.Action.APPROVE if uphold else AuditEvent.Action.REJECT,
        locked,
        changes={
            "status": [before, locked.status],
            "reason": [None, locked.decision_reason],
            "reversal": [None, locked.reversal_id],
        },
        node_path=person.unit.path,
        person_id=person.pk,
    )
    return locked


@transaction.atomic
def finish_notice(actor: Actor, notice: Notice, *, today: dt.date | None = None) -> Notice:
    """Records the notice's outcome once its window is over and every objection is decided."""
    locked = Notice.objects.select_for_update().select_related("node").get(pk=notice.pk)
    _require_office(actor, locked.node)
    if locked.finished_at is not None:
        return locked
    if (today or timezone.localdate()) <= locked.closes_on:
        raise ClosingError(
            Code.STILL_OPEN,
            _("The notice stands until %(day)s.") % {"day": locked.closes_on.isoformat()},
        )
    objections = Objection.objects.filter(notice=locked)
    if objections.filter(status=Objection.Status.OPEN).exists():
        raise ClosingError(Code.OBJECTIONS_OPEN, _("Decide every objection first."))
    locked.upheld = objections.filter(status=Objection.Status.UPHELD).count()
    locked.dismissed = objections.filter(status=Objection.Status.DISMISSED).count()
    locked.finished_at = timezone.now()
    locked.save(update_fields=["upheld", "dismissed", "finished_at"])
    record(
        actor,
        AuditEvent.Action.UPDATE,
        locked,
        changes={"upheld": [None, locked.upheld], "dismissed": [None, locked.dismissed]},
        node_path=locked.node.path,
    )
    return locked
