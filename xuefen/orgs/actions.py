"""State changes of the org tree and people. Each runs in one transaction and writes its audit."""

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.audit.actions import diff, record, snapshot
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, is_system, person_acting, user_of
from xuefen.core.errors import CodedError, CoreCode, PermissionDenied
from xuefen.core.tabular import TableError, check_table
from xuefen.orgs import idnumber, importing
from xuefen.orgs.errors import Code
from xuefen.orgs.models import OrgNode, PeopleImport, Person, Transfer, TransferRequest

A = AuditEvent.Action
PERSON_FIELDS = (
    "id_number",
    "name",
    "sex",
    "birth_date",
    "unit",
    "category",
    "title_level",
    "position",
    "phone",
    "status",
    "hired_on",
)
NODE_FIELDS = ("code", "name", "kind", "unit_type", "parent", "is_active")


class OrgError(CodedError):
    pass


def _is_user(actor: Actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def _require(actor: Actor, capability: str, *nodes: OrgNode | None) -> None:
    """The actor holds the capability on every node given; only the system makes a root (None)."""
    for node in nodes:
        allowed = is_system(actor) if node is None else scope.may(actor, capability, node)
        if not allowed:
            raise PermissionDenied(Code.FORBIDDEN, _("You may not do this here."))


def _require_not_own(actor: Actor, person: Person) -> None:
    """Nobody changes their own person: not their category, title or unit, not through any role."""
    if _is_user(actor) and getattr(actor, "person_id", None) == person.pk:
        raise PermissionDenied(
            Code.OWN_PERSON, _("This is your own record; another administrator must change it.")
        )


@transaction.atomic
def create_node(
    actor: Actor, *, code: str, name: str, kind: str, parent: OrgNode | None, unit_type: str = ""
) -> OrgNode:
    """Adds a node under `parent` (orgs.change on it); a root is the system's to make."""
    _require(actor, Cap.ORGS_CHANGE, parent)
    if OrgNode.objects.filter(code=code).exists():
        raise OrgError(
            Code.NODE_CODE_TAKEN,
            _("The code %(code)s is already used.") % {"code": code},
            field="code",
        )
    node = OrgNode.objects.create(
        code=code,
        name=name,
        kind=kind,
        unit_type=unit_type,
        parent=parent,
        path="",
        depth=(parent.depth + 1) if parent else 0,
    )
    node.path = f"{parent.path if parent else '/'}{node.pk}/"
    node.save(update_fields=["path"])
    record(
        actor, A.CREATE, node, changes=diff({}, snapshot(node, NODE_FIELDS)), node_path=node.path
    )
    return node


@transaction.atomic
def update_node(actor: Actor, node: OrgNode, **values: Any) -> OrgNode:
    """Changes a node's fields; a new parent moves the whole subtree with one UPDATE."""
    _require(actor, Cap.ORGS_CHANGE, node)
    before = snapshot(node, NODE_FIELDS)
    new_parent = values.pop("parent", node.parent)
    if new_parent != node.parent:
        _require(actor, Cap.ORGS_CHANGE, new_parent)
    for name, value in values.items():
        setattr(node, name, value)
    if new_parent != node.parent:
        if new_parent is not None and new_parent.path.startswith(node.path):
            raise OrgError(
                Code.NODE_CYCLE, _("A unit cannot be moved under itself."), field="parent"
            )
        old_path = node.path
        new_path = f"{new_parent.path if new_parent else '/'}{node.pk}/"
        depth_change = (new_parent.depth + 1 if new_parent else 0) - node.depth
        OrgNode.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_change,
        )
        node.refresh_from_db(fields=["path", "depth"])
        node.parent = new_parent
        # Their region (and so the rule sets that judge them) may have changed: a person's row
        # written after their standing marks that standing for judging again.
        Person.objects.filter(unit__path__startswith=node.path).update(updated_at=timezone.now())
    node.save()
    changes = diff(before, snapshot(node, NODE_FIELDS))
    if changes:
        record(actor, A.UPDATE, node, changes=changes, node_path=node.path)
    return node


def _validate_person_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Checks the ID number and that the entered birth date and sex agree with it."""
    parsed = idnumber.parse(values["id_number"])
    values["id_number"] = parsed.value
    if values.get("birth_date") in (None, ""):
        values["birth_date"] = parsed.birth_date
    elif values["birth_date"] != parsed.birth_date:
        raise OrgError(
            Code.BIRTH_DATE_MISMATCH,
            _("The birth date %(entered)s does not match the ID number (%(derived)s).")
            % {"entered": values["birth_date"], "derived": parsed.birth_date},
            field="birth_date",
        )
    if values.get("sex") in (None, ""):
        values["sex"] = parsed.sex
    elif values["sex"] != parsed.sex:
        raise OrgError(
            Code.SEX_MISMATCH,
            _("The sex entered does not match the ID number."),
            field="sex",
        )
    return values


@transaction.atomic
def create_person(actor: Actor, **values: Any) -> Person:
    """Creates a person after validating the ID number against birth date and sex; the actor
    needs people.change on the unit."""
    _require(actor, Cap.PEOPLE_CHANGE, values.get("unit"))
    values = _validate_person_fields(values)
    if Person.objects.filter(id_number=values["id_number"]).exists():
        raise OrgError(
            Code.ID_TAKEN, _("A person with this ID number already exists."), field="id_number"
        )
    person = Person.objects.create(**values)
    record(
        actor,
        A.CREATE,
        person,
        changes=diff({}, snapshot(person, PERSON_FIELDS)),
        node_path=person.unit.path,
        person_id=person.pk,
    )
    return person


@transaction.atomic
def update_person(actor: Actor, person: Person, **values: Any) -> Person:
    """Changes a person's fields. A change of unit goes through transfer_person to keep history.
    Refused (own_person) when the actor is the person; the actor needs people.change there."""
    _require(actor, Cap.PEOPLE_CHANGE, person.unit)
    _require_not_own(actor, person)
    if "unit" in values and values["unit"] != person.unit:
        raise OrgError(
            Code.USE_TRANSFER, _("Use a transfer to move a person to another unit."), field="unit"
        )
    before = snapshot(person, PERSON_FIELDS)
    merged = {**{f: getattr(person, f) for f in PERSON_FIELDS}, **values}
    merged = _validate_person_fields(merged)
    if (
        merged["id_number"] != person.id_number
        and Person.objects.filter(id_number=merged["id_number"]).exists()
    ):
        raise OrgError(
            Code.ID_TAKEN, _("A person with this ID number already exists."), field="id_number"
        )
    for name, value in merged.items():
        setattr(person, name, value)
    changes = diff(before, snapshot(person, PERSON_FIELDS))
    if changes:
        person.save()
        record(
            actor,
            A.UPDATE,
            person,
            changes=changes,
            node_path=person.unit.path,
            person_id=person.pk,
        )
    return person


@transaction.atomic
def transfer_person(
    actor: Actor, person: Person, to_unit: OrgNode, *, effective_on: dt.date, reason: str = ""
) -> Transfer:
    """Moves a person to another unit, keeping the history. Their credits follow them. Refused
    (own_person) when the actor is the person. The actor needs people.change on both units."""
    _require(actor, Cap.PEOPLE_CHANGE, person.unit, to_unit)
    _require_not_own(actor, person)
    if to_unit.pk == person.unit_id:
        raise OrgError(Code.SAME_UNIT, _("The person is already in this unit."), field="to_unit")
    if to_unit.kind != OrgNode.Kind.UNIT:
        raise OrgError(Code.NOT_A_UNIT, _("People can only belong to a unit."), field="to_unit")
    from_unit = person.unit
    transfer = Transfer.objects.create(
        person=person,
        from_unit=from_unit,
        to_unit=to_unit,
        effective_on=effective_on,
        reason=reason,
        created_by=user_of(actor),
    )
    person.unit = to_unit
    person.save(update_fields=["unit", "updated_at"])
    record(
        actor,
        A.UPDATE,
        person,
        changes={"unit": [str(from_unit.pk), str(to_unit.pk)], "transfer": [None, reason]},
        node_path=to_unit.path,
        person_id=person.pk,
    )
    # The old unit must see in its own trail that the person left.
    record(
        actor,
        A.UPDATE,
        person,
        changes={"unit": [str(from_unit.pk), str(to_unit.pk)]},
        node_path=from_unit.path,
        person_id=person.pk,
    )
    return transfer


@transaction.atomic
def apply_people_import(
    actor: Actor, planned: "list[Any]", *, effective_on: dt.date
) -> dict[str, int]:
    """Applies a validated import plan (see orgs.importing) in one transaction.

    New people are created, changed ones updated, and a changed unit goes through transfer_person.
    Unchanged rows write nothing, so applying the same file twice changes nothing the second time.
    Returns counts by kind.
    """
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    for row in planned:
        values = dict(row.values)
        if row.held is not None:
            request_transfer(actor, row.held, values["unit"], given_name=values["name"])
        elif row.person is None:
            create_person(actor, **values)
        else:
            person = Person.objects.select_for_update().select_related("unit").get(pk=row.person.pk)
            unit = values.pop("unit")
            if unit.pk != person.unit_id:
                transfer_person(
                    actor, person, unit, effective_on=effective_on, reason=str(_("Import"))
                )
            update_person(actor, person, **values)
        counts[row.kind] += 1
    if counts["new"] or counts["changed"]:
        record(
            actor,
            A.IMPORT,
            None,
            object_type="orgs.person",
            object_repr=f"{counts['new']}+{counts['changed']}",
            changes={k: [None, v] for k, v in counts.items()},
        )
    return counts


def record_people_export(actor: Actor, count: int, node_path: str = "") -> None:
    """Notes in the audit trail that someone downloaded a list of people."""
    record(
        actor,
        A.EXPORT,
        None,
        object_type="orgs.person",
        object_repr=f"{count}",
        changes={"count": [None, count]},
        node_path=node_path,
    )


# ------------------------------------------------------------------- adding people, uniformly


def add_person(actor: Actor, **values: Any) -> Person | None:
    """Adds a person to a unit the actor may change. If the ID number is already registered in a
    unit outside the actor's scope, nobody is created and the credit office is asked to transfer
    that person instead (returns None); the actor is told the same either way, so the form is no
    way to learn who exists elsewhere. An ID number the actor can see is refused as taken."""
    unit = values["unit"]
    if not scope.may(actor, Cap.PEOPLE_CHANGE, unit):
        raise PermissionDenied(Code.FORBIDDEN, _("You may not add people to this unit."))
    values = _validate_person_fields(dict(values))
    existing = Person.objects.select_related("unit").filter(id_number=values["id_number"]).first()
    if existing is None:
        return create_person(actor, **values)
    if scope.people(actor, Cap.PEOPLE_VIEW).filter(pk=existing.pk).exists():
        raise OrgError(
            Code.ID_TAKEN, _("A person with this ID number already exists."), field="id_number"
        )
    request_transfer(actor, existing, unit, given_name=values["name"])
    return None


@transaction.atomic
def request_transfer(actor: Actor, person: Person, to_unit: OrgNode, *, given_name: str) -> None:
    """Asks the credit office to move `person` to `to_unit` (idempotent while one is pending)."""
    if TransferRequest.objects.filter(
        person=person, to_unit=to_unit, status=TransferRequest.Status.PENDING
    ).exists():
        return
    req = TransferRequest.objects.create(
        person=person,
        to_unit=to_unit,
        given_name=given_name[:50],
        requested_by=person_acting(actor),
    )
    for path in {to_unit.path, person.unit.path}:
        record(
            actor,
            A.SUBMIT,
            req,
            changes={"to_unit": [None, to_unit.code], "given_name": [None, given_name[:50]]},
            node_path=path,
            person_id=person.pk,
        )


@transaction.atomic
def decide_transfer_request(actor: Actor, req: TransferRequest, *, accept: bool) -> None:
    """The office transfers the person (accept) or declines. The decider must be able to change
    people in both units, and may not decide about their own person or their own request."""
    locked = TransferRequest.objects.select_for_update().get(pk=req.pk)
    person = Person.objects.select_related("unit").get(pk=locked.person_id)
    if not (
        scope.may(actor, Cap.PEOPLE_CHANGE, person.unit)
        and scope.may(actor, Cap.PEOPLE_CHANGE, locked.to_unit)
    ):
        raise PermissionDenied(Code.FORBIDDEN, _("You may not decide this request."))
    if locked.requested_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(Code.OWN_REQUEST, _("Another person must decide your own request."))
    _require_not_own(actor, person)
    if locked.status != TransferRequest.Status.PENDING:
        raise OrgError(Code.ALREADY_DECIDED, _("This request has already been decided."))
    if accept and person.unit_id != locked.to_unit_id:
        transfer_person(
            actor,
            person,
            locked.to_unit,
            effective_on=timezone.localdate(),
            reason=str(_("Requested by %(user)s") % {"user": locked.requested_by}),
        )
    locked.status = TransferRequest.Status.DONE if accept else TransferRequest.Status.DECLINED
    locked.decided_by = user_of(actor)
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        actor,
        A.APPROVE if accept else A.REJECT,
        locked,
        changes={"status": [TransferRequest.Status.PENDING, locked.status]},
        node_path=locked.to_unit.path,
        person_id=person.pk,
    )


# ------------------------------------------------------------------------- importing people


def start_people_import(actor: Actor, upload: Any, *, language: str) -> PeopleImport:
    """Stores an uploaded people file for the background worker's check and queues it. Only the
    file's head is read here (size, type, header, a first row); a file refused as a whole raises
    TableError and nothing is stored."""
    if not scope.may(actor, Cap.PEOPLE_IMPORT):
        raise PermissionDenied(Code.FORBIDDEN, _("You may not import people."))
    name = str(getattr(upload, "name", "") or "people.xlsx")[:200]
    if upload.size > settings.MAX_UPLOAD_MB * 1024 * 1024:
        raise TableError(
            CoreCode.FILE_TOO_LARGE,
            _("%(file)s is %(size)d MB; the largest file accepted is %(max)d MB.")
            % {"file": name, "size": upload.size // (1024 * 1024), "max": settings.MAX_UPLOAD_MB},
        )
    check_table(upload, columns=importing.COLUMNS, filename=name)
    importing.forget_stale()
    suffix = ".csv" if name.lower().endswith((".csv", ".txt")) else ".xlsx"
    target = importing.import_dir() / f"{person_acting(actor).pk}-{uuid.uuid4().hex}{suffix}"
    with open(target, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        with transaction.atomic():
            imp = PeopleImport.objects.create(
                created_by=person_acting(actor),
                filename=name,
                file_path=str(target.relative_to(settings.MEDIA_ROOT)),
                language=language[:16],
            )
            transaction.on_commit(lambda: _enqueue_check(imp))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return imp


def _enqueue_check(imp: PeopleImport) -> None:
    from xuefen.orgs.tasks import check_people_import_task

    check_people_import_task.enqueue(imp.pk)


def check_people_import(import_id: int) -> PeopleImport | None:
    """The background worker's step: reads the file once, validates and plans every row as its
    uploader, and stores the result for the preview. Safe to run again (after a dead worker)."""
    with transaction.atomic():
        imp = (
            PeopleImport.objects.select_for_update()
            .select_related("created_by")
            .filter(
                pk=import_id, status__in=[PeopleImport.Status.QUEUED, PeopleImport.Status.CHECKING]
            )
            .first()
        )
        if imp is None:
            return None
        imp.status = PeopleImport.Status.CHECKING
        imp.save(update_fields=["status"])
    path = importing.upload_path(imp)
    with translation.override(imp.language):
        try:
            plan = importing.plan_import(imp.created_by, path, filename=imp.filename)
        except TableError as exc:
            imp.status = PeopleImport.Status.REFUSED
            imp.failure_code, imp.failure = exc.code[:40], str(exc.message)[:500]
        else:
            importing.save_check(imp, plan)
            imp.counts = plan.counts()
            imp.error_count = len(plan.errors)
            imp.status = PeopleImport.Status.READY if plan.ok else PeopleImport.Status.REFUSED
    imp.checked_at = timezone.now()
    imp.save(
        update_fields=["status", "failure_code", "failure", "counts", "error_count", "checked_at"]
    )
    return imp


def confirm_people_import(actor: Actor, imp: PeopleImport) -> dict[str, int]:
    """Applies a checked upload, as previewed: its stored rows are planned again against the
    database as it is now, and if that no longer matches the preview nothing is written. Only
    the uploader confirms, within a day of the upload."""
    if imp.created_by_id != getattr(actor, "pk", None):
        raise PermissionDenied(
            Code.FORBIDDEN, _("Only the person who uploaded a file confirms it.")
        )
    if imp.status != PeopleImport.Status.READY:
        raise OrgError(Code.NOT_READY, _("This upload cannot be imported (any more)."))
    stored = importing.load_check(imp)
    if stored is None or importing.is_expired(imp):
        raise OrgError(Code.UPLOAD_EXPIRED, _("This upload has expired; upload the file again."))
    plan = importing.replan(actor, stored)
    if plan.errors or plan.preview() != stored.preview:
        raise OrgError(
            Code.CHANGED_SINCE_PREVIEW,
            _("The data changed since the preview; upload the file again to check it."),
        )
    with transaction.atomic():
        counts = apply_people_import(actor, plan.planned, effective_on=timezone.localdate())
        updated = PeopleImport.objects.filter(pk=imp.pk, status=PeopleImport.Status.READY).update(
            status=PeopleImport.Status.DONE, finished_at=timezone.now()
        )
        if not updated:
            raise OrgError(Code.NOT_READY, _("This upload cannot be imported (any more)."))
    for path in (importing.upload_path(imp), importing.check_path(imp)):
        Path(path).unlink(missing_ok=True)
    return counts
