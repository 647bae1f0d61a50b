"""Demo of the archive: a person of 清河县第一中学 (JYJ02), with credits and a grade of 2025 there,
moved to 县财政局机关 (CZJ01) on 1 March 2026. `unitadmin` (CZJ01) sees their 2026 only until
pulling their archive; `unitadmin2` no longer reaches them; `office` sees every year."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from xuefen.accounts.models import User
from xuefen.ledger.models import Entry
from xuefen.orgs.actions import transfer_person
from xuefen.orgs.models import OrgNode, Person

MOVED_ON = dt.date(2026, 3, 1)


def load(write: Callable[[str], Any]) -> None:
    office = User.objects.filter(username="office").first()
    source = OrgNode.objects.filter(code="JYJ02").first()
    target = OrgNode.objects.filter(code="CZJ01").first()
    if office is None or source is None or target is None:
        return
    with_credits = Entry.objects.filter(period=2025, person__unit=source).values("person_id")
    person = (
        Person.objects.filter(unit=source, status=Person.Status.ACTIVE, pk__in=with_credits)
        .order_by("pk")
        .first()
    )
    if person is None:
        return
    transfer_person(office, person, target, effective_on=MOVED_ON, reason="工作调动")
    write(
        f"archive: {person.name} moved from {source.name} to {target.name} on {MOVED_ON} "
        "(earlier years open to the new unit once it pulls the archive)"
    )
