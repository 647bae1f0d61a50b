"""What a person's credits page shows for one period: the verdict as the stored standing holds it
(the one judge wrote it with the ledger write), the judge's explanation of it (each requirement's
progress, the entries behind the numbers) and the periods there is something to see for.

Read by plain SELECTs; each entry's row of the page is rendered once per process for what it
shows (`line_html`: kept under its own content, so a page that gained an entry renders one row)."""

import threading
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from xuefen.ledger import sql
from xuefen.ledger.judging import Loader
from xuefen.ledger.models import Standing
from xuefen.orgs.models import Person
from xuefen.policy.engine import CreditLine, Evaluation
from xuefen.policy.services import RuleSetIndex
from xuefen.reports.verdicts import VerdictView, of_evaluation, of_standings

# A standing's columns as the page reads them (`of_standings`).
STANDING_FIELDS = ("period", "status", "grade", "earned", "ruleset", "shortfalls")


@dataclass(frozen=True)
class LineRow:
    line: CreditLine
    description: str
    html: SafeString  # the row as the page shows it (`line_html`)


@dataclass
class PersonalPage:
    period: int
    evaluation: Evaluation | None
    verdict: VerdictView
    periods: list[int] = field(default_factory=list)
    lines: list[LineRow] = field(default_factory=list)  # of the period
    earlier_lines: list[LineRow] = field(default_factory=list)  # of a window's earlier periods

    @property
    def lines_html(self) -> SafeString:
        """The period's rows as the page shows them, one after the other."""
        return SafeString("\n".join(row.html for row in self.lines))


def this_year() -> int:
    return timezone.localdate().year


_rows: dict[tuple[Any, ...], SafeString] = {}
_rows_guard = threading.Lock()
ROWS_KEPT = 20_000


def line_html(line: CreditLine, description: str, evaluation: Evaluation) -> SafeString:
    """One entry's row of the page, rendered once per process for everything it shows (the line
    as judged, the entry's description, the labels the rule set gives its kind and categories,
    the language): a page that gained an entry renders only the new row. Never invalidated: a
    row that changes is found under a new key."""
    kinds, categories = evaluation.kind_labels, evaluation.category_labels
    shown = (
        translation.get_language(),
        evaluation.unit,
        line.first_day,
        line.last_day,
        line.days,
        line.kind,
        kinds.get(line.kind),
        line.categories,
        tuple(categories.get(c) for c in line.categories),
        line.amount,
        line.unit,
        line.counted,
        line.status,
        line.reason,
        description,
    )
    found = _rows.get(shown)
    if found is None:
        context = {"line": line, "description": description, "evaluation": evaluation}
        found = SafeString(get_template("reports/_line.html").render(context).strip())
        with _rows_guard:
            if len(_rows) >= ROWS_KEPT:
                _rows.clear()
            _rows[shown] = found
    return found


def personal_page(
    person: Person, period: int, index: RuleSetIndex | None = None, exemptions: bool = True
) -> PersonalPage:
    """The page's content (`index`: the rule-set versions, when the caller read them already;
    `exemptions`: False when the caller knows the person has none, so none are read)."""
    described: dict[int, str] = {}  # each entry's description, read with the entries
    loader = Loader.for_people([person], index, exemptions=exemptions, described=described)
    evaluation = loader.evaluate(person.pk, period)
    # This year and every year the person has a standing or an entry in, newest first.
    periods = loader.periods(person.pk) | {this_year()}
    standings = sql.select(Standing, STANDING_FIELDS, "person_id = %s", [person.pk])
    periods.update(row[0] for row in standings)
    # The verdict as stored (the same judge decided it, `ledger.judging`); the live evaluation
    # only explains it (progress, the entries behind the numbers).
    stored = of_standings(
        (
            Standing(person_id=person.pk, **dict(zip(STANDING_FIELDS, row, strict=True)))
            for row in standings
            if row[0] == period
        ),
        loader.rulesets,
    )
    verdict = stored.get(person.pk) or of_evaluation(evaluation)
    page = PersonalPage(period, evaluation, verdict, sorted(periods, reverse=True))
    if evaluation is None:
        return page
    for line in evaluation.lines:
        description = described.get(line.entry_id, "")
        if line.period == period:
            page.lines.append(LineRow(line, description, line_html(line, description, evaluation)))
        else:
            page.earlier_lines.append(LineRow(line, description, SafeString("")))
    return page
