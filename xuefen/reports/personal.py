"""What a person's credits page shows for one period: the judge's evaluation (the same verdict the
stored standing holds), each requirement's progress and gap, the entries behind the numbers and
the periods there is something to see for."""

from dataclasses import dataclass, field

from django.utils import timezone

from xuefen.ledger.judging import Loader
from xuefen.ledger.models import Entry, Standing
from xuefen.orgs.models import Person
from xuefen.policy.engine import CreditLine, Evaluation
from xuefen.reports.verdicts import VerdictView, of_evaluation, of_standings


@dataclass(frozen=True)
class LineRow:
    line: CreditLine
    entry: Entry | None  # for its description


@dataclass
class PersonalPage:
    period: int
    evaluation: Evaluation | None
    verdict: VerdictView
    periods: list[int] = field(default_factory=list)
    lines: list[LineRow] = field(default_factory=list)  # of the period
    earlier_lines: list[LineRow] = field(default_factory=list)  # of a window's earlier periods


def this_year() -> int:
    return timezone.localdate().year


def personal_page(person: Person, period: int) -> PersonalPage:
    loader = Loader.for_people([person])
    evaluation = loader.evaluate(person.pk, period)
    # This year and every year the person has a standing or an entry in, newest first.
    periods = loader.periods(person.pk) | {this_year()}
    periods.update(Standing.objects.filter(person=person).values_list("period", flat=True))
    # The verdict as stored (the same judge decided it, `ledger.judging`); the live evaluation
    # only explains it (progress, the entries behind the numbers).
    stored = of_standings(Standing.objects.filter(person=person, period=period))
    verdict = stored.get(person.pk) or of_evaluation(evaluation)
    page = PersonalPage(period, evaluation, verdict, sorted(periods, reverse=True))
    if evaluation is None:
        return page
    ids = [line.entry_id for line in evaluation.lines]
    entries = Entry.objects.filter(person=person, pk__in=ids).in_bulk()
    rows = [LineRow(line, entries.get(line.entry_id)) for line in evaluation.lines]
    page.lines = [row for row in rows if row.line.period == period]
    page.earlier_lines = [row for row in rows if row.line.period != period]
    return page
