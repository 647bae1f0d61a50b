"""What the LRS and the credit office do: register a platform, map its activities and accounts,
and store statements — the one place where a statement becomes (at most once) a ledger entry
through the ledger's one writer, or is stored and credits nothing, and where voiding reverses
the credit a voided statement earned."""

import datetime as dt
import functools
import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import SYSTEM, Actor, user_of
from xuefen.core.errors import CodedError, PermissionDenied
from xuefen.intake import processing
from xuefen.intake.models import Provider
from xuefen.intake.roster import RowInput
from xuefen.ledger import bulk, sql
from xuefen.ledger.actions import reverse_entry
from xuefen.training.models import Course
from xuefen.xapi import attachments, signature
from xuefen.xapi.errors import Code, XapiError
from xuefen.xapi.models import (
    AccountPerson,
    ActivityCourse,
    Client,
    Outcome,
    Statement,
    hash_secret,
    new_key,
    new_secret,
)
from xuefen.xapi.validation import Checked, check_statement

SOURCE_TYPE = "xapi"
_UUID_TEXT = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})+$")
COMPLETING_VERBS = frozenset(
    {"http://adlnet.gov/expapi/verbs/completed", "http://adlnet.gov/expapi/verbs/passed"}
)


# --------------------------------------------------------------------------- platforms


def _require_office(actor: Actor, provider: Provider) -> None:
    if not scope.may(actor, Cap.PROVIDERS_MANAGE, provider.node):
        raise PermissionDenied(Code.FORBIDDEN, _("You may not manage this provider's platforms."))


@transaction.atomic
def create_client(
    actor: Actor, provider: Provider, *, name: str, home_page: str, secret: str | None = None
) -> tuple[Client, str]:
    """Registers a learning platform for `provider`; returns it with its secret, shown once and
    kept only as a hash."""
    _require_office(actor, provider)
    name, home_page = name.strip(), home_page.strip()
    if not name:
        raise CodedError(Code.NAME_REQUIRED, _("Give the platform a name."), field="name")
    if not home_page.startswith(("http://", "https://")):
        raise CodedError(
            Code.HOME_PAGE_INVALID,
            _("The home page must be an http(s) address."),
            field="home_page",
        )
    secret = secret or new_secret()
    client = Client.objects.create(
        provider=provider,
        name=name[:100],
        key=new_key(),
        secret_hash=hash_secret(secret),
        home_page=home_page,
        created_by=user_of(actor),
    )
    record(
        actor,
        AuditEvent.Action.CREATE,
        client,
        node_path=provider.node.path,
        changes={
            "provider": [None, provider.code],
            "name": [None, client.name],
            "key": [None, client.key],
            "home_page": [None, home_page],
        },
    )
    return client, secret


@transaction.atomic
def revoke_client(actor: Actor, client: Client) -> Client:
    locked = Client.objects.select_for_update().select_related("provider__node").get(pk=client.pk)
    _require_office(actor, locked.provider)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record(
            actor,
            AuditEvent.Action.UPDATE,
            locked,
            node_path=locked.provider.node.path,
            changes={"revoked_at": [None, locked.revoked_at.isoformat()]},
        )
    return locked


@transaction.atomic
def map_activity(
    actor: Actor, client: Client, *, activity_id: str, course: Course
) -> ActivityCourse:
    _require_office(actor, client.provider)
    activity_id = activity_id.strip()
    try:
        from xuefen.xapi.validation import iri

        iri(activity_id, "activity_id")
    except XapiError:
        raise CodedError(
            Code.ACTIVITY_INVALID,
            _("The activity id must be an absolute IRI."),
            field="activity_id",
        ) from None
    if course.provider_id != client.provider_id:
        raise CodedError(
            Code.COURSE_FOREIGN, _("The course belongs to another provider."), field="course"
        )
    if client.activities.filter(activity_id=activity_id).exists():
        raise CodedError(
            Code.ACTIVITY_TAKEN, _("This activity id is already mapped."), field="activity_id"
        )
    mapping = ActivityCourse.objects.create(client=client, activity_id=activity_id, course=course)
    record(
        actor,
        AuditEvent.Action.CREATE,
        mapping,
        node_path=client.provider.node.path,
        changes={"activity_id": [None, activity_id], "course": [None, course.code]},
    )
    return mapping


@transaction.atomic
def map_account(
    actor: Actor, client: Client, *, home_page: str, name: str, id_number: str
) -> AccountPerson:
    _require_office(actor, client.provider)
    home_page, name = home_page.strip(), name.strip()
    if not home_page or not name:
        raise CodedError(
            Code.ACCOUNT_INCOMPLETE, _("Give the account's home page and name."), field="name"
        )
    person = scope.people_served_by(client.provider).filter(id_number=id_number.strip()).first()
    if person is None:
        raise CodedError(
            Code.PERSON_UNKNOWN,
            _("No person with this ID number is within the provider's scope."),
            field="id_number",
        )
    if client.accounts.filter(home_page=home_page, name=name).exists():
        raise CodedError(Code.ACCOUNT_TAKEN, _("This account is already mapped."), field="name")
    mapping = AccountPerson.objects.create(
        client=client, home_page=home_page, name=name, person=person
    )
    record(
        actor,
        AuditEvent.Action.CREATE,
        mapping,
        node_path=person.unit.path,
        person_id=person.pk,
        changes={"account": [None, f"{name}@{home_page}"]},
    )
    return mapping


# --------------------------------------------------------------------------- statements


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


LRS_SET = ("id", "stored", "authority", "version")


def same_statement(stored: Statement, sent: dict[str, Any]) -> bool:
    """Whether a statement sent again matches the one stored: the properties the LRS sets
    (authority, stored, version; the timestamp when the new one gives none) do not count, and
    ids compare case-insensitively."""
    old = {k: v for k, v in stored.data.items() if k not in LRS_SET}
    new = {k: v for k, v in sent.items() if k not in LRS_SET}
    if "timestamp" not in new or not stored.timestamp_given:
        old.pop("timestamp", None)
        new.pop("timestamp", None)
    if "timestamp" in new and "timestamp" in old:
        try:
            same_time = dt.datetime.fromisoformat(
                str(new["timestamp"]).upper().replace("Z", "+00:00")
            ) == dt.datetime.fromisoformat(str(old["timestamp"]).upper().replace("Z", "+00:00"))
        except ValueError:
            same_time = False
        if not same_time:
            return False
        old.pop("timestamp")
        new.pop("timestamp")
    return canonical(_folded(old)) == canonical(_folded(new))


def _folded(value: Any) -> Any:
    """The statement with what compares case-insensitively folded: UUIDs and language tags."""
    if isinstance(value, dict):
        return {
            (k.lower() if _LANGUAGE_TAG.match(k) and "-" in k else k): _folded(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_folded(v) for v in value]
    if isinstance(value, str) and _UUID_TEXT.match(value):
        return value.lower()
    return value


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Stored:
    """What a POST or PUT did: every statement id in the order sent, and how many were new."""

    ids: list[str]
    created: int


@dataclass
class _Fate:
    outcome: str
    note: str = ""
    person_id: int | None = None
    course_id: int | None = None
    entry_id: int | None = None


def store_statements(
    client: Client,
    items: Sequence[Any],
    *,
    v2: bool = False,
    statement_id: uuid.UUID | None = None,
    authority_home: str = "",
    parts: dict[str, attachments.Part] | None = None,
) -> Stored:
    """Validates every statement (one bad statement refuses the batch, nothing stored), refuses
    an id already stored with other content (409) and skips one stored with the same content,
    stores the rest with what became of each, credits the completions of registered courses once
    and voids what voiding statements target. Attachments without a fileUrl must come as `parts`
    (their data by hash, kept once per platform) and a signed statement's signature must hold
    (signature.verify). One transaction."""
    where = "statement" if statement_id is not None else "statements"
    checked: list[Checked] = []
    for n, item in enumerate(items):
        c = check_statement(item, where if statement_id is not None else f"{where}[{n}]", v2=v2)
        if statement_id is not None:
            if c.statement_id is not None and c.statement_id != statement_id:
                raise XapiError(
                    Code.ID_MISMATCH, _("The statement's id differs from statementId."), field="id"
                )
            c.statement_id = statement_id
        checked.append(c)
    ids = [c.statement_id or uuid.uuid4() for c in checked]
    if len(set(ids)) != len(ids):
        raise XapiError(
            Code.DUPLICATE_ID, _("The batch holds the same statement id twice."), field="id"
        )
    parts = parts or {}
    attachments.match([c.data for c in checked], parts)
    for n, c in enumerate(checked):
        signature.verify(c.data, parts, where if statement_id is not None else f"{where}[{n}]")
    try:
        return _store_new(client, ids, checked, parts, v2=v2, authority_home=authority_home)
    except IntegrityError:
        # Another request stored one of these ids meanwhile: judged again against it.
        return _store_new(client, ids, checked, parts, v2=v2, authority_home=authority_home)


def _store_new(
    client: Client,
    ids: list[uuid.UUID],
    checked: list[Checked],
    parts: dict[str, attachments.Part],
    *,
    v2: bool,
    authority_home: str,
) -> Stored:
    with transaction.atomic():
        attachments.save(client, parts)
        existing = {s.statement_id: s for s in Statement.objects.filter(statement_id__in=ids)}
        fresh: list[tuple[uuid.UUID, Checked]] = []
        for sid, c in zip(ids, checked, strict=True):
            old = existing.get(sid)
            if old is None:
                fresh.append((sid, c))
            elif old.client_id != client.pk or not same_statement(old, c.data):
                raise XapiError(
                    Code.CONFLICT,
                    _("A statement with the id %(id)s is already stored with other content.")
                    % {"id": sid},
                    field="id",
                )
        if fresh:
            _store(client, fresh, v2=v2, authority_home=authority_home)
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at > dt.timedelta(minutes=1):
            Client.objects.filter(pk=client.pk).update(last_used_at=now)
    return Stored([str(i) for i in ids], len(fresh))


def _store(
    client: Client, fresh: list[tuple[uuid.UUID, Checked]], *, v2: bool, authority_home: str
) -> None:
    new_ids = {sid for sid, _c in fresh}
    voids_in_batch = {c.voids: sid for sid, c in fresh if c.voids is not None}
    # Targets of the voiding statements: refused if a voiding statement, or another platform's.
    targets = {
        s.statement_id: s
        for s in Statement.objects.filter(statement_id__in=list(voids_in_batch)).select_related(
            "entry"
        )
    }
    batch = {sid: c for sid, c in fresh}
    for target_id in voids_in_batch:
        target = targets.get(target_id)
        if (target is not None and target.voids is not None) or (
            target_id in batch and batch[target_id].voids is not None
        ):
            raise XapiError(
                Code.VOID_VOIDING, _("A voiding statement cannot be voided."), field="object"
            )
        if target is not None and target.client_id != client.pk:
            raise XapiError(
                Code.VOID_FOREIGN, _("A platform may void only its own statements."), field="object"
            )
    # Statements voided already (by a voiding statement that came first) or in this batch.
    voided_ids = set(voids_in_batch) | set(
        Statement.objects.filter(client=client, voids__in=list(new_ids)).values_list(
            "voids", flat=True
        )
    )
    now = timezone.now()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # stored to the millisecond
    authority = {
        "objectType": "Agent",
        "name": client.name,
        "account": {"homePage": authority_home or client.home_page, "name": client.key},
    }
    version = "2.0.0" if v2 else "1.0.0"
    fates = _credit(
        client, [(sid, c) for sid, c in fresh if sid not in voided_ids and c.voids is None], now
    )
    rows: list[list[Any]] = []
    for sid, c in fresh:
        data = dict(c.data)
        data["id"] = str(sid)
        data["stored"] = iso(now)
        data["authority"] = authority
        data.setdefault("version", version)
        data.setdefault("timestamp", iso(now))
        fate = (
            _Fate(Outcome.VOIDING)
            if c.voids is not None
            else fates.get(sid) or _Fate(Outcome.NOT_COMPLETION)
        )
        values = {
            "statement_id": sid,
            "client_id": client.pk,
            "stored": now,
            "timestamp": c.timestamp or now,
            "verb_id": c.verb_id[:500],
            "actor_ifi": c.actor_ifi[:600],
            "object_type": c.object_type,
            "object_id": c.object_id[:600],
            "registration": c.registration,
            "related_activities": _framed(c.related_activities),
            "related_agents": _framed(c.related_agents),
            "voids": c.voids,
            "voided": sid in voided_ids,
            "timestamp_given": c.timestamp is not None,
            "data": data,
            "outcome": str(fate.outcome),
            "note": fate.note[:300],
            "person_id": fate.person_id,
            "course_id": fate.course_id,
            "entry_id": fate.entry_id,
            "reversal_id": None,
        }
        rows.append([values[name] for name in STATEMENT_COLUMNS])
    # Plain rows in one prepared statement (one array per column on PostgreSQL), as the ledger
    # writes its entries: a model instance per statement cost more than the insert.
    sql.insert_rows(Statement, STATEMENT_COLUMNS, [_adapted(row) for row in rows])
    _void_stored(client, [t for tid, t in targets.items() if tid not in new_ids])


STATEMENT_COLUMNS = tuple(
    f.attname for f in Statement._meta.concrete_fields if not cast(Any, f).primary_key
)
_ADAPTERS: dict[str, Callable[[Any], Any]] = {}


def _adapter(name: str) -> Callable[[Any], Any]:
    """How a value of this column goes to the database, as the ORM would adapt it."""
    if name not in _ADAPTERS:
        model_field = cast(models.Field, Statement._meta.get_field(name))
        kind = model_field.get_internal_type()
        if kind == "JSONField":
            _ADAPTERS[name] = json.dumps
        elif kind == "DateTimeField":
            _ADAPTERS[name] = connection.ops.adapt_datetimefield_value
        elif kind == "UUIDField":
            _ADAPTERS[name] = functools.partial(
                model_field.get_db_prep_value, connection=connection
            )
        else:
            _ADAPTERS[name] = _same
    return _ADAPTERS[name]


def _same(value: Any) -> Any:
    return value


def _adapted(row: list[Any]) -> tuple[Any, ...]:
    return tuple(
        None if value is None else _adapter(name)(value)
        for name, value in zip(STATEMENT_COLUMNS, row, strict=True)
    )


def _framed(items: list[str]) -> str:
    return "\n" + "\n".join(items) + "\n" if items else ""


def _void_stored(client: Client, targets: list[Statement]) -> None:
    """Marks statements stored earlier as voided; a credit one of them earned is reversed. Each
    target is locked first, so two voidings of one statement sent at once reverse it once."""
    for target in targets:
        locked = (
            Statement.objects.select_for_update(of=("self",))
            .select_related("entry")
            .get(pk=target.pk)
        )
        if locked.voided:
            continue
        reversal_id = None
        if locked.entry is not None:
            try:
                reversal = reverse_entry(
                    SYSTEM,
                    locked.entry,
                    gettext("Voided by the sending platform (xAPI statement %(id)s).")
                    % {"id": locked.statement_id},
                )
                reversal_id = reversal.pk
            except bulk.LedgerError:
                reversal_id = None  # reversed already by other means: nothing left to take back
        Statement.objects.filter(pk=locked.pk).update(voided=True, reversal_id=reversal_id)


def _person_keys(client: Client, candidates: list[tuple[uuid.UUID, Checked]]) -> dict[str, str]:
    """Actor IFI -> ID number, for the actors that name a learner: an account on the platform's
    own home page named by the ID number, or an account the office mapped to a person."""
    home = client.home_page.rstrip("/")
    wanted: dict[str, tuple[str, str]] = {}
    for _sid, c in candidates:
        if c.actor_ifi.startswith("account:"):
            page, _sep, name = c.actor_ifi[len("account:") :].rpartition("|")
            wanted[c.actor_ifi] = (page, name)
    found: dict[str, str] = {}
    if not wanted:
        return found
    names = {name for _page, name in wanted.values()}
    mapped = {
        (m.home_page.rstrip("/"), m.name): m.person.id_number
        for m in client.accounts.filter(name__in=sorted(names)).select_related("person")
    }
    for ifi, (page, name) in wanted.items():
        key = (page.rstrip("/"), name)
        if key in mapped:
            found[ifi] = mapped[key]
        elif page.rstrip("/") == home:
            found[ifi] = name.strip().upper()
    return found


def _credit(
    client: Client, candidates: list[tuple[uuid.UUID, Checked]], now: dt.datetime
) -> dict[uuid.UUID, _Fate]:
    """What each new statement earns: completions (completed/passed, not failed) of a registered
    course by an identified learner inside the provider's scope go to the ledger's one writer,
    once per person and course (a completion sent again is a duplicate there)."""
    fates: dict[uuid.UUID, _Fate] = {}
    completing = []
    for sid, c in candidates:
        if c.verb_id not in COMPLETING_VERBS or c.object_type != "Activity":
            fates[sid] = _Fate(Outcome.NOT_COMPLETION)
            continue
        result = c.data.get("result")
        if isinstance(result, dict) and result.get("success") is False:
            fates[sid] = _Fate(Outcome.NOT_SUCCESSFUL)
            continue
        completing.append((sid, c))
    if not completing:
        return fates
    mappings = {
        m.activity_id: m.course
        for m in client.activities.filter(
            activity_id__in=sorted({c.object_id for _sid, c in completing})
        ).select_related("course")
    }
    people = _person_keys(client, completing)
    provider = client.provider
    rows: list[RowInput] = []
    by_row: dict[int, tuple[uuid.UUID, Course]] = {}
    tz = timezone.get_current_timezone()
    for number, (sid, c) in enumerate(completing, start=1):
        course = mappings.get(c.object_id)
        if course is None:
            fates[sid] = _Fate(Outcome.COURSE_UNKNOWN)
            continue
        id_number = people.get(c.actor_ifi)
        if id_number is None:
            fates[sid] = _Fate(Outcome.PERSON_UNKNOWN, course_id=course.pk)
            continue
        completed_on = (c.timestamp or now).astimezone(tz).date()
        rows.append(
            RowInput(
                number=number,
                id_number=id_number,
                course_code=course.code,
                completed_on=completed_on,
            )
        )
        by_row[number] = (sid, course)
    if not rows:
        return fates
    good, failed = processing.validate_chunk(provider, rows)
    for number, row in failed.items():
        sid, course = by_row[number]
        unknown = any(e.field == "id_number" for e in row.errors)
        fates[sid] = _Fate(
            Outcome.PERSON_UNKNOWN if unknown else Outcome.REFUSED,
            "；".join(e.message for e in row.errors),
            course_id=course.pk,
        )
    items = [
        bulk.NewEntry(
            person_id=g.person.pk,
            last_day=g.row.completed_on or now.date(),
            categories=tuple(g.categories),
            amount=g.amount,
            unit=g.course.unit,
            source_type=SOURCE_TYPE,
            source_id=f"{provider.code}:{g.course.code}",
            kind=g.course.kind,
            description=f"{g.course.name}（{client.name}）"[:300],
            evidence=f"xAPI statement {by_row[g.row.number][0]}",
        )
        for g in good
    ]
    result = bulk.post_entries(SYSTEM, items, note=f"xapi {client.key}")
    for index, g in enumerate(good):
        sid, course = by_row[g.row.number]
        person_id = g.person.pk
        if index in result.posted:
            fates[sid] = _Fate(Outcome.CREDITED, "", person_id, course.pk, result.posted[index])
        elif index in result.duplicates:
            fates[sid] = _Fate(Outcome.ALREADY_CREDITED, "", person_id, course.pk)
        else:
            error = result.errors.get(index)
            fates[sid] = _Fate(Outcome.REFUSED, str(error or ""), person_id, course.pk)
    return fates
