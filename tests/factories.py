"""Small factories for the fixed cast of the tests: a region with two units, A and B."""

import datetime as dt
import itertools

from xuefen.accounts.models import RoleGrant, User
from xuefen.orgs import idnumber
from xuefen.orgs.models import OrgNode, Person

_seq = itertools.count(1)


def node(
    name: str,
    kind: str = OrgNode.Kind.UNIT,
    parent: OrgNode | None = None,
    code: str | None = None,
    unit_type: str = OrgNode.UnitType.ORGAN,
) -> OrgNode:
    n = OrgNode.objects.create(
        code=code or f"N{next(_seq):04d}",
        name=name,
        kind=kind,
        unit_type=unit_type if kind == OrgNode.Kind.UNIT else "",
        parent=parent,
        depth=(parent.depth + 1) if parent else 0,
        path="",
    )
    n.path = f"{parent.path if parent else '/'}{n.pk}/"
    n.save(update_fields=["path"])
    return n


def valid_id(birth: dt.date = dt.date(1985, 6, 15), sex: str = "M") -> str:
    return idnumber.make("110101", birth, next(_seq) % 500, sex)


def person(
    unit: OrgNode,
    name: str = "张三",
    category: str = Person.Category.GENERAL,
    birth: dt.date = dt.date(1985, 6, 15),
    sex: str = "M",
    **extra: object,
) -> Person:
    number = valid_id(birth, sex)
    while Person.objects.filter(id_number=number).exists():
        number = valid_id(birth, sex)
    return Person.objects.create(
        id_number=number,
        name=name,
        sex=sex,
        birth_date=birth,
        unit=unit,
        category=category,
        **extra,
    )


def user(
    username: str,
    role: str | None = None,
    on: OrgNode | None = None,
    password: str = "pw-for-tests-1",  # noqa: S107 - a test fixture's password
    person: Person | None = None,
) -> User:
    u = User(username=username, person=person)
    u.set_password(password)
    u.save()
    if role is not None and on is not None:
        RoleGrant.objects.create(user=u, role=role, node=on)
    return u
