"""What a person's credits page shows for one period: the evaluation, each requirement's progress
and gap sentence, the entries behind the numbers and the periods there is something to see for."""

from dataclasses import dataclass, field

from django.utils import timezone

from xuefen.ledger.models import Entry, Standing
from xuefen.orgs.models import Person
from xuefen.policy.engine import CreditLine, Evaluation, RequirementResult
from xuefen.reports.compliance import person_compliance


@dataclass(frozen=True)
class LineRow:
    line: CreditLine
    entry: Entry | None  # for its description


@dataclass(frozen=True)
class Progress:
    result: RequirementResult
    percent: int
    gap_text: str  # "还差 公需科目 6 学时"; empty when met


@dataclass
class PersonalPage:
    period: int
    evaluation: Evaluation | None
    periods: list[int] = field(default_factory=list)
    requirements: list[Progress] = field(default_factory=list)
    lines: list[LineRow] = field(default_factory=list)  # of the period
    earlier_lines: list[LineRow] = field(default_factory=list)  # of a window's earlier periods


def this_year() -> int:
    return timezone.localdate().year


def periods_of(person: Person) -> list[int]:
    """This year and every year the person has a standing or an entry in, newest first."""
    known = set(Standing.objects.filter(person=person).values_list("period", flat=True))
    known.update(
        Entry.objects.filter(person=person).values_list("period", flat=True).order_by().distinct()
    )
    known.add(this_year())
    return sorted(known, reverse=True)


def _progress(evaluation: Evaluation) -> list[Progress]:
    # explain() names what is missing first: one sentence per unmet requirement, in their order.
    sentences = iter(evaluation.explain())
    return [
        Progress(
            result=r,
            percent=min(100, int(r.earned * 100 / r.required)) if r.required else 100,
            gap_text="" if r.met else next(sentences, ""),
        )
        for r in evaluation.requirements
    ]


def personal_page(person: Person, period: int) -> PersonalPage:
    page = PersonalPage(period, person_compliance(person, period), periods_of(person))
    if page.evaluation is None:
        return page
    ids = [line.entry_id for line in page.evaluation.lines]
    entries = Entry.objects.filter(person=person, pk__in=ids).in_bulk()
    rows = [LineRow(line, entries.get(line.entry_id)) for line in page.evaluation.lines]
    page.lines = [row for row in rows if row.line.period == period]
    page.earlier_lines = [row for row in rows if row.line.period != period]
    page.requirements = _progress(page.evaluation)
    return page
