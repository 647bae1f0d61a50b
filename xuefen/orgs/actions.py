"""State changes of the org tree and people. Each runs in one transaction and writes its audit."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from xuefen.audit.actions import diff, record, snapshot
from xuefen.audit.models import AuditEvent
from xuefen.core.errors import CodedError
from xuefen.orgs import idnumber
from xuefen.orgs.models import OrgNode, Person, Transfer

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


@transaction.atomic
def create_node(
    actor: Any, *, code: str, name: str, kind: str, parent: OrgNode | None, unit_type: str = ""
) -> OrgNode:
    if OrgNode.objects.filter(code=code).exists():
        raise OrgError(
            "node_code_taken",
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
def update_node(actor: Any, node: OrgNode, **values: Any) -> OrgNode:
    """Changes a node's fields; a new parent moves the whole subtree with one UPDATE."""
    before = snapshot(node, NODE_FIELDS)
    new_parent = values.pop("parent", node.parent)
    for name, value in values.items():
        setattr(node, name, value)
    if new_parent != node.parent:
        if new_parent is not None and new_parent.path.startswith(node.path):
            raise OrgError("node_cycle", _("A unit cannot be moved under itself."), field="parent")
        old_path = node.path
        new_path = f"{new_parent.path if new_parent else '/'}{node.pk}/"
        depth_change = (new_parent.depth + 1 if new_parent else 0) - node.depth
        OrgNode.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_change,
        )
        node.refresh_from_db(fields=["path", "depth"])
        node.parent = new_parent
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
            "birth_date_mismatch",
            _("The birth date %(entered)s does not match the ID number (%(derived)s).")
            % {"entered": values["birth_date"], "derived": parsed.birth_date},
            field="birth_date",
        )
    if values.get("sex") in (None, ""):
        values["sex"] = parsed.sex
    elif values["sex"] != parsed.sex:
        raise OrgError(
            "sex_mismatch",
            _("The sex entered does not match the ID number."),
            field="sex",
        )
    return values


@transaction.atomic
def create_person(actor: Any, **values: Any) -> Person:
    """Creates a person after validating the ID number against birth date and sex."""
    values = _validate_person_fields(values)
    if Person.objects.filter(id_number=values["id_number"]).exists():
        raise OrgError(
            "id_taken", _("A person with this ID number already exists."), field="id_number"
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
def update_person(actor: Any, person: Person, **values: Any) -> Person:
    """Changes a person's fields. A change of unit goes through transfer_person to keep history."""
    if "unit" in values and values["unit"] != person.unit:
        raise OrgError(
            "use_transfer", _("Use a transfer to move a person to another unit."), field="unit"
        )
    before = snapshot(person, PERSON_FIELDS)
    merged = {**{f: getattr(person, f) for f in PERSON_FIELDS}, **values}
    merged = _validate_person_fields(merged)
    if (
        merged["id_number"] != person.id_number
        and Person.objects.filter(id_number=merged["id_number"]).exists()
    ):
        raise OrgError(
            "id_taken", _("A person with this ID number already exists."), field="id_number"
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
    actor: Any, person: Person, to_unit: OrgNode, *, effective_on: dt.date, reason: str = ""
) -> Transfer:
    """Moves a person to another unit, keeping the history. Their credits follow them."""
    if to_unit.pk == person.unit_id:
        raise OrgError("same_unit", _("The person is already in this unit."), field="to_unit")
    if to_unit.kind != OrgNode.Kind.UNIT:
        raise OrgError("not_a_unit", _("People can only belong to a unit."), field="to_unit")
    from_unit = person.unit
    transfer = Transfer.objects.create(
        person=person,
        from_unit=from_unit,
        to_unit=to_unit,
        effective_on=effective_on,
        reason=reason,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
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
    actor: Any, planned: "list[Any]", *, effective_on: dt.date
) -> dict[str, int]:
    """Applies a validated import plan (see orgs.importing) in one transaction.

    New people are created, changed ones updated, and a changed unit goes through transfer_person.
    Unchanged rows write nothing, so applying the same file twice changes nothing the second time.
    Returns counts by kind.
    """
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    for row in planned:
        values = dict(row.values)
        if row.person is None:
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


def record_people_export(actor: Any, count: int, node_path: str = "") -> None:
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
