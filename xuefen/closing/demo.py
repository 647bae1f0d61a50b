"""Demo of closing a year: the county's 2025 is closed (grades fixed), its public notice stood from
12 to 18 January 2026, and the learner raised two objections against colleagues' credits — one
upheld (the credit reversed in the ledger, naming the objection), one dismissed with its reason —
and the notice's outcome is recorded."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from xuefen.accounts.models import User
from xuefen.closing import actions
from xuefen.ledger.models import Entry
from xuefen.orgs.models import OrgNode

YEAR = 2025
PUBLISHED = dt.date(2026, 1, 12)
# A one-page PDF standing in for a scanned sign-in sheet.
EVIDENCE = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _credits_of_colleagues(learner: Any) -> list[Entry]:
    """Standing 2025 credits of the learner's colleagues, one per person, in a fixed order."""
    found: list[Entry] = []
    seen: set[int] = set()
    entries = (
        Entry.objects.filter(
            person__unit=learner.person.unit,
            period=YEAR,
            reverses__isnull=True,
            reversals__isnull=True,
        )
        .exclude(person=learner.person)
        .order_by("person_id", "seq")
    )
    for entry in entries[:200]:
        if entry.person_id not in seen:
            seen.add(entry.person_id)
            found.append(entry)
    return found


def load(write: Callable[[str], Any]) -> None:
    office = User.objects.filter(username="office").first()
    learner = User.objects.filter(username="learner").select_related("person__unit").first()
    region = OrgNode.objects.filter(kind=OrgNode.Kind.REGION, parent__isnull=True).first()
    if office is None or learner is None or learner.person is None or region is None:
        return
    close = actions.close_period(office, region, YEAR, "2025年度学时登记截止，全县关账")
    notice = actions.publish_notice(office, close, today=PUBLISHED)
    credits = _credits_of_colleagues(learner)
    if len(credits) >= 2:
        within = PUBLISHED + dt.timedelta(days=2)
        upheld = actions.raise_objection(
            learner,
            notice,
            credits[0].person,
            credits[0],
            reason="该同志当期在外地学习，未参加此次培训，学时为误报。",
            upload=SimpleUploadedFile("外地学习通知.pdf", EVIDENCE),
            today=within,
        )
        actions.decide_objection(office, upheld, uphold=True, reason="经核对签到表，确属误报")
        dismissed = actions.raise_objection(
            learner,
            notice,
            credits[1].person,
            credits[1],
            reason="对该学时有疑问，请核实。",
            today=within,
        )
        actions.decide_objection(
            office, dismissed, uphold=False, reason="培训机构签到记录完整，学时属实"
        )
    actions.finish_notice(office, notice, today=notice.closes_on + dt.timedelta(days=1))
    write(
        f"closing: {YEAR} closed for {region.name} ({close.people} grades fixed), "
        f"its public notice with 2 objections (1 upheld, 1 dismissed)"
    )
