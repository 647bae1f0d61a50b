"""Demo providers: the county party school (县委党校, DX01) reporting for the whole county, and the
health commission (县卫健委, WJW) as an industry department reporting for its own system; their
courses, and one small processed roster so the pages are not empty."""

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from xuefen.accounts.models import RoleGrant, User
from xuefen.accounts.roles import Role
from xuefen.core.actors import SYSTEM
from xuefen.intake import actions, roster
from xuefen.intake.models import Batch, Provider
from xuefen.intake.processing import process_batch
from xuefen.orgs.models import OrgNode, Person
from xuefen.training.models import Course

COURSES: dict[str, list[tuple[str, str, str, list[str], str]]] = {
    "DX01": [
        (
            "DX-2026-01",
            "县委党校中青年干部培训班",
            "party_school_day",
            ["required", "offline", "centralised"],
            "30",
        ),
        (
            "DX-2026-02",
            "学习贯彻党的二十届三中全会精神专题班",
            "training_day",
            ["required", "offline", "centralised"],
            "15",
        ),
        ("DX-2026-03", "乡村振兴专题培训班", "session", ["elective", "offline"], "8"),
    ],
    "WJW": [
        ("WJW-2026-01", "医疗质量安全专题培训", "session", ["professional"], "16"),
        ("WJW-2026-02", "传染病防控能力提升班", "session", ["professional"], "12"),
    ],
}


def load(write: Callable[[str], Any]) -> None:
    nodes = {n.code: n for n in OrgNode.objects.filter(code__in=["DX01", "WJW"])}
    root = OrgNode.objects.filter(parent__isnull=True).order_by("path").first()
    office = User.objects.filter(username="office").first()
    if len(nodes) < 2 or root is None or office is None:
        write("intake: demo org tree not found; skipped.")
        return
    party_school = actions.register_provider(
        office, code="DX01", name="县委党校", kind=Provider.Kind.PROVIDER,
        node=nodes["DX01"], serves=root,
    )  # fmt: skip
    health = actions.register_provider(
        office, code="WJW", name="县卫生健康委员会", kind=Provider.Kind.INDUSTRY_DEPARTMENT,
        node=nodes["WJW"], serves=nodes["WJW"],
    )  # fmt: skip
    deptadmin = User.objects.filter(username="deptadmin").first()
    if deptadmin is not None:  # the health commission's staff also report for it
        RoleGrant.objects.get_or_create(user=deptadmin, role=Role.PROVIDER, node=nodes["WJW"])
    for provider in (party_school, health):
        for code, name, kind, categories, amount in COURSES[provider.code]:
            actions.register_course(
                office, provider, code=code, name=name, kind=kind, categories=categories,
                amount=Decimal(amount), unit="hours", starts_on=dt.date(2026, 1, 1),
                ends_on=dt.date(2026, 12, 31),
            )  # fmt: skip
    batch = _demo_batch(party_school)
    write(
        f"intake: 2 providers, {Course.objects.count()} courses, demo batch #{batch.pk} "
        f"({batch.posted_rows} posted, {batch.error_rows} with errors)."
    )


def _demo_batch(provider: Provider) -> Batch:
    """Twelve completions of a two-day party-school class, one of them with a mistyped ID number."""
    people = list(Person.objects.filter(unit__code="CZJ01").order_by("id")[:12])
    lines = [",".join(roster.HEADERS[:6])]
    for person in people:
        lines.append(f"{person.id_number},{person.name},DX-2026-02,2026-10-15,2026-10-16,2")
    if people:
        wrong = people[0].id_number[:-1] + ("0" if people[0].id_number[-1] != "0" else "1")
        lines.append(f"{wrong},{people[0].name},DX-2026-02,2026-10-15,2026-10-16,2")
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    upload = SimpleUploadedFile("党校专题班结业名单.csv", io.BytesIO(data).getvalue())
    sender = User.objects.filter(username="provider").first()
    batch = actions.submit_batch(
        sender or SYSTEM,
        provider,
        upload=upload,
        source=Batch.Source.UPLOAD,
        filename="党校专题班结业名单.csv",
    )
    return process_batch(batch.pk) or batch
