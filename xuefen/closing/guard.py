"""The closed-period guard: a credit dated in a period the office has closed for the person's
region goes in only with the office's late-report approval (`LateApproval`) covering the person
(or their unit) and still valid. Claims (`require_open`, at approval) and rosters and API batches
(`post_open_entries`, in place of the ledger's writer) ask here before posting.

An upheld objection reverses through the ledger's own action, not through here: the office's
decision on the objection is its approval.
"""

import datetime as dt
from collections.abc import Sequence

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.closing.errors import Code, PeriodClosed
from xuefen.closing.models import LateApproval, PeriodClose
from xuefen.core.actors import Actor
from xuefen.ledger import bulk, sql
from xuefen.ledger.judging import FACT_FIELDS, Facts
from xuefen.orgs.models import Person
from xuefen.policy import services
from xuefen.policy.services import RuleSetIndex


def _prefixes(path: str) -> list[str]:
    """ "/1/5/9/" → ["/1/", "/1/5/", "/1/5/9/"]: the paths of a node and every node above it."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def close_over(unit_path: str, period: int) -> PeriodClose | None:
    """The close of `period` for a region holding the unit, if any."""
    return (
        PeriodClose.objects.filter(period=period, region__path__in=_prefixes(unit_path))
        .order_by("region__path")
        .first()
    )


def late_approved(close: PeriodClose, person_id: int, unit_path: str, today: dt.date) -> bool:
    return LateApproval.objects.filter(
        Q(person_id=person_id) | Q(unit__path__in=_prefixes(unit_path)),
        close=close,
        valid_until__gte=today,
    ).exists()


def _refusal(close: PeriodClose) -> PeriodClosed:
    return PeriodClosed(
        Code.PERIOD_CLOSED,
        _(
            "The year %(period)s is closed for %(region)s: a late report goes in only with the "
            "credit office's late-report approval."
        )
        % {"period": close.period, "region": close.region.name},
        field="last_day",
    )


def require_open(person: Person, period: int) -> None:
    """Raises PeriodClosed when `period` is closed for the person's region and no late-report
    approval of the office covers them today."""
    close = close_over(person.unit.path, period)
    if close is None:
        return
    if not late_approved(close, person.pk, person.unit.path, timezone.localdate()):
        raise _refusal(close)


def require_open_on(person: Person, day: dt.date) -> None:
    """`require_open` for the period a day of the person's falls in (the manual ledger form asks
    this of the last day), by the calendar of the person's rule set."""
    require_open(person, services.period_of(person, day))


def refusals(items: Sequence[bulk.NewEntry]) -> dict[int, PeriodClosed]:
    """{index: refusal} of the items dated in a closed period without a late-report approval.
    One query when nothing is closed; a fixed handful otherwise."""
    if not items or not PeriodClose.objects.exists():
        return {}
    facts: dict[int, Facts] = {}
    ids = sorted({item.person_id for item in items})
    for chunk in sql.chunks(ids, sql.MAX_PARAMS):
        for row in Person.objects.filter(pk__in=chunk).values_list(*FACT_FIELDS):
            facts[row[0]] = Facts(*row)
    index = RuleSetIndex.for_paths(f.unit_path for f in facts.values())
    closes = list(PeriodClose.objects.select_related("region").order_by("region__path"))
    today = timezone.localdate()
    out: dict[int, PeriodClosed] = {}
    decided: dict[tuple[int, int], PeriodClose | None] = {}
    for i, item in enumerate(items):
        fact = facts.get(item.person_id)
        if fact is None:
            continue  # the writer names an unknown person itself
        period = item.reverses_period
        if period is None:
            try:
                period = index.period_of(fact.unit_path, fact.category, item.last_day)
            except Exception:  # noqa: S112  (a bad date: the writer refuses it in its own words)
                continue
        key = (item.person_id, period)
        if key not in decided:
            close = next(
                (
                    c
                    for c in closes
                    if c.period == period and fact.unit_path.startswith(c.region.path)
                ),
                None,
            )
            if close is not None and late_approved(close, fact.pk, fact.unit_path, today):
                close = None
            decided[key] = close
        found = decided[key]
        if found is not None:
            out[i] = _refusal(found)
    return out


def post_open_entries(
    actor: Actor, items: Sequence[bulk.NewEntry], *, note: str, defer_standings: bool = False
) -> bulk.BulkResult:
    """`ledger.bulk.post_entries` for senders of rosters and batches, with the items dated in a
    closed period refused (PeriodClosed) — unless already in the ledger: a re-sent row stays a
    duplicate. Indices are those of `items`."""
    refused = refusals(items)
    if not refused:
        return bulk.post_entries(actor, items, note=note, defer_standings=defer_standings)
    keys = {(items[i].person_id, items[i].source_type, str(items[i].source_id)): i for i in refused}
    already = {keys[key]: pk for key, pk in sql.existing_sources(set(keys)).items()}
    for i in already:
        refused.pop(i, None)
    keep = [i for i in range(len(items)) if i not in refused and i not in already]
    inner = bulk.post_entries(
        actor, [items[i] for i in keep], note=note, defer_standings=defer_standings
    )
    result = bulk.BulkResult(errors=dict(refused))
    for j, i in enumerate(keep):
        if j in inner.posted:
            result.posted[i] = inner.posted[j]
        elif j in inner.duplicates:
            result.duplicates[i] = inner.duplicates[j]
        elif j in inner.errors:
            result.errors[i] = inner.errors[j]
    result.duplicates.update(already)
    return result
