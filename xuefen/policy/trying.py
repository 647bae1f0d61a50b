"""The try page: made-up credit lines of one person, judged by one rule-set version as the judge
judges posted entries. Nothing is saved."""

from typing import Any

from django.forms import formset_factory
from django.http import QueryDict
from django.utils import timezone

from xuefen.policy.editing import with_empty_row
from xuefen.policy.engine import Credit, Evaluation, Subject, evaluate
from xuefen.policy.forms import TryForm, TryLineForm, line_errors
from xuefen.policy.schema import RuleSetData

MAX_LINES = 100
TryLineFormSet = formset_factory(TryLineForm, extra=3, max_num=MAX_LINES, validate_max=True)


class Trial:
    """A year, a person (birth date, hire date) and credit lines, bound to the page's data."""

    def __init__(self, rules: RuleSetData, data: QueryDict | None = None) -> None:
        self.rules = rules
        self.form = TryForm(data, initial={"period": timezone.localdate().year})
        self.lines = TryLineFormSet(data, prefix="line", form_kwargs={"rules": rules})
        self.evaluation: Evaluation | None = None
        self.errors: list[str] = []  # one per refused line, naming it
        self.checked = False  # whether the lines were checked (only then are problems shown)

    def with_line(self) -> QueryDict:
        """The page's data with one more empty line (up to MAX_LINES)."""
        data = self.form.data
        assert isinstance(data, QueryDict)
        if self.lines.total_form_count() >= MAX_LINES:
            return data
        return with_empty_row(data, self.lines)

    def credits(self) -> list[Credit]:
        """The filled lines as the engine's credits; a line's period is where its last day falls
        by the rule set's calendar (call after the forms are valid)."""
        out = []
        filled = [form.cleaned_data for form in self.lines.forms if form.cleaned_data]
        for number, line in enumerate(filled, start=1):
            out.append(
                Credit(
                    entry_id=number,
                    period=self.rules.calendar.period_of(line["last_day"]),
                    first_day=line["first_day"],
                    last_day=line["last_day"],
                    categories=tuple(line["categories"]),
                    amount=line["amount"],
                    unit=line["unit"],
                    kind=line["kind"],
                    days=line["days"],
                )
            )
        return out

    def evaluate(self) -> Evaluation | None:
        """Judges the lines, or lists what is wrong with them (nothing judged)."""
        self.checked = True
        valid = [self.form.is_valid(), self.lines.is_valid()]
        if not all(valid):
            self.errors = [str(e) for e in self.lines.non_form_errors()]
            self.errors += line_errors(self.lines.forms)
            return None
        person: dict[str, Any] = self.form.cleaned_data
        subject = Subject("", "", person["birth_date"], person["hired_on"])
        self.evaluation = evaluate(self.rules, subject, self.credits(), person["period"])
        return self.evaluation
