"""Forms of the credit office's rule-set pages: import a version as YAML, edit a version in a form,
try a version on made-up credits.

Everything a clerk picks — categories, activity kinds, age brackets, requirements — is a choice
taken from the rule set as the form stands (`Choices`), so a code is never typed. The codes of new
rows are made by the server (`editing.fresh_code`) and travel in hidden fields.
"""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.orgs.models import OrgNode
from xuefen.policy.engine import unit_label
from xuefen.policy.schema import Calendar, RuleSetData
from xuefen.policy.vocabulary import METHODS, PER, WINDOW_KINDS

MAX_YAML_BYTES = 512 * 1024
Choice = tuple[str, str]


class ImportForm(forms.Form):
    region = forms.ModelChoiceField(
        queryset=OrgNode.objects.none(),
        label=gettext_lazy("Applies to (region subtree)"),
        empty_label="—",
    )
    file = forms.FileField(label=gettext_lazy("YAML file"), required=False)
    text = forms.CharField(
        label=gettext_lazy("or paste the YAML"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ModelChoiceField)
        region.queryset = scope.nodes(user, Cap.POLICY_CHANGE).exclude(kind=OrgNode.Kind.UNIT)

    def yaml_text(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            if upload.size > MAX_YAML_BYTES:
                raise forms.ValidationError(_("The file is too large for a rule set."))
            try:
                return str(upload.read().decode("utf-8-sig"))
            except UnicodeDecodeError:
                raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        text = self.cleaned_data.get("text") or ""
        if not text.strip():
            raise forms.ValidationError(_("Choose a file or paste the YAML."))
        return str(text)


# --- labels of the rule set's fixed vocabularies ------------------------------------------------

UNIT_CHOICES = [("hours", gettext_lazy("hours")), ("credits", gettext_lazy("credits"))]
OWN_UNIT = "own"  # a target in the rule set's own unit, whichever it is
METHOD_CHOICES = list(METHODS.items())
PER_CHOICES = list(PER.items())
WINDOW_CHOICES = list(WINDOW_KINDS.items())
BAND_CHOICES = [("min", gettext_lazy("at least")), ("over", gettext_lazy("more than"))]

_code = RegexValidator(re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$"), gettext_lazy("Not a code."))


@dataclass
class Choices:
    """What the rows of an edited rule set may pick, as the form stands: (code, label) pairs."""

    unit: str = "hours"
    categories: list[Choice] = field(default_factory=list)
    kinds: list[Choice] = field(default_factory=list)
    brackets: list[Choice] = field(default_factory=list)
    requirements: list[Choice] = field(default_factory=list)
    levels: list[Choice] = field(default_factory=list)


def _source() -> forms.CharField:
    """Where the numbers of a row come from (the document and its article)."""
    return forms.CharField(
        label=pgettext_lazy("citation", "Source"), required=False, max_length=500
    )


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _decimal(label: Any, required: bool = False, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=4,
        **kwargs,
    )


def _picker(label: Any, help_text: Any = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, required=False, widget=forms.CheckboxSelectMultiple, help_text=help_text
    )


class _EditorForm(forms.Form):
    """A part of the rule-set editor. The server, not the browser, says what is missing: a row
    added and left empty is dropped rather than blocking the save."""

    use_required_attribute = False


class _Row(_EditorForm):
    """A row of a list that other rows refer to by code; the code is made by the server."""

    code = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput, validators=[_code]
    )
    label_zh = forms.CharField(label=gettext_lazy("Name (Chinese)"), max_length=200)
    label_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200, required=False)

    def has_changed(self) -> bool:
        # A new row carries its server-made code from the start: only what the clerk typed counts.
        return any(name != "code" for name in self.changed_data)


class BasicsForm(_EditorForm):
    name_zh = forms.CharField(label=gettext_lazy("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200, required=False)
    valid_from = forms.DateField(label=gettext_lazy("In force from"), widget=_date_input())
    valid_to = forms.DateField(
        label=gettext_lazy("In force until (optional)"), required=False, widget=_date_input()
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    source = forms.CharField(
        label=gettext_lazy("Document it implements"), required=False, max_length=500
    )
    unit = forms.ChoiceField(label=gettext_lazy("Counted in"), choices=UNIT_CHOICES)
    year_month = forms.IntegerField(
        label=gettext_lazy("Year starts: month"), min_value=1, max_value=12
    )
    year_day = forms.IntegerField(label=gettext_lazy("Year starts: day"), min_value=1, max_value=31)
    days_per_month = _decimal(gettext_lazy("Days in a month (targets in months)"), required=True)
    hours_per_day = _decimal(gettext_lazy("Clock hours in a full day"), required=True)

    def __init__(self, *args: Any, after: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.after = after
        self.fields["valid_from"].help_text = _(
            "A new version must start after the one it replaces (in force from %(date)s)."
        ) % {"date": after.isoformat()}

    def clean_valid_from(self) -> dt.date:
        value: dt.date = self.cleaned_data["valid_from"]
        if value <= self.after:
            raise forms.ValidationError(
                _("Must be later than %(date)s, when the version it replaces starts.")
                % {"date": self.after.isoformat()}
            )
        return value


class CategoryForm(_Row):
    pass


class BracketForm(_Row):
    min_age = forms.IntegerField(label=gettext_lazy("From age"), required=False, min_value=0)
    max_age = forms.IntegerField(label=gettext_lazy("To age"), required=False, min_value=0)
    source = forms.CharField(
        label=pgettext_lazy("citation", "Source"), required=False, max_length=500
    )


class RequirementForm(_Row):
    binding = forms.BooleanField(
        label=gettext_lazy("Needed to pass"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Unticked: shown to the person but not needed to pass."),
    )
    window_years = forms.IntegerField(
        label=gettext_lazy("Summed over (years)"), min_value=1, max_value=20, initial=1
    )
    window_kind = forms.ChoiceField(
        label=gettext_lazy("Kind of window"), choices=WINDOW_CHOICES, initial="fixed"
    )
    window_first = forms.IntegerField(
        label=gettext_lazy("First year of the cycle"),
        required=False,
        min_value=1900,
        max_value=2200,
        help_text=gettext_lazy("For a fixed cycle of several years, e.g. 2023 for 2023–2027."),
    )
    source = forms.CharField(
        label=pgettext_lazy("citation", "Source"), required=False, max_length=500
    )


class _Picking(_EditorForm):
    """A form whose checkboxes offer the rule set's categories and activity kinds."""

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        for name, options in (("categories", choices.categories), ("kinds", choices.kinds)):
            if name in self.fields:
                picker = self.fields[name]
                assert isinstance(picker, forms.MultipleChoiceField)
                picker.choices = options


class AlternativeForm(_Picking):
    """One way of meeting a requirement: a requirement has one, or two ("12 days or 90 hours")."""

    min = _decimal(gettext_lazy("At least"), required=True)
    unit = forms.ChoiceField(label=gettext_lazy("Counted in"))
    categories = _picker(
        gettext_lazy("Of credits in"),
        gettext_lazy("A credit must be in every category ticked; none ticked: every credit."),
    )
    kinds = _picker(gettext_lazy("Only these activities"), gettext_lazy("None ticked: any."))

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, choices=choices, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ChoiceField)
        unit.choices = [
            (OWN_UNIT, unit_label(choices.unit)),
            ("days", unit_label("days")),
            ("months", unit_label("months")),
        ]
        unit.initial = OWN_UNIT
        for code, label in choices.brackets:
            self.fields[f"age_{code}"] = _decimal(
                _("At least, aged %(bracket)s") % {"bracket": label}
            )

    def age_fields(self) -> list[forms.BoundField]:
        return [self[f"age_{code}"] for code, _label in self.choices.brackets]


class CapForm(_Picking, _Row):
    max = _decimal(gettext_lazy("At most"), required=True)
    per = forms.ChoiceField(label=gettext_lazy("For each"), choices=PER_CHOICES, initial="period")
    categories = _picker(gettext_lazy("Of credits in"), gettext_lazy("None ticked: every credit."))
    kinds = _picker(gettext_lazy("Only these activities"), gettext_lazy("None ticked: any."))
    source = forms.CharField(
        label=pgettext_lazy("citation", "Source"), required=False, max_length=500
    )


class ConversionForm(_Picking, _Row):
    method = forms.ChoiceField(
        label=gettext_lazy("How it is counted"), choices=METHOD_CHOICES, initial="per_day"
    )
    rate = _decimal(
        gettext_lazy("Amount per unit"),
        help_text=gettext_lazy(
            "Per day, half day, hour, block of minutes, 1,000 characters or item."
        ),
    )
    minutes = _decimal(gettext_lazy("Minutes in a block"))
    max_per_item = _decimal(gettext_lazy("At most per activity"))
    max_per_day = _decimal(gettext_lazy("At most per day"))
    round_to = _decimal(gettext_lazy("Round to"))
    split_years = forms.IntegerField(
        label=gettext_lazy("Split over (years)"), min_value=1, max_value=10, initial=1
    )
    categories = _picker(gettext_lazy("Counts toward"))
    source = forms.CharField(
        label=pgettext_lazy("citation", "Source"), required=False, max_length=500
    )


class BandForm(_EditorForm):
    bound = forms.ChoiceField(label=gettext_lazy("Length"), choices=BAND_CHOICES, initial="min")
    minutes = _decimal(gettext_lazy("Minutes"), required=True)
    amount = _decimal(gettext_lazy("Amount"), required=True)


class TableRowForm(_EditorForm):
    level = forms.ChoiceField(label=gettext_lazy("Level"))
    author_rank = forms.IntegerField(
        label=gettext_lazy("Author rank"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Empty: any rank."),
    )
    amount = _decimal(gettext_lazy("Amount"), required=True)

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        level = self.fields["level"]
        assert isinstance(level, forms.ChoiceField)
        level.choices = choices.levels


class CarryOverForm(_EditorForm):
    requirement = forms.ChoiceField(label=gettext_lazy("Excess over"))
    to = forms.ChoiceField(label=gettext_lazy("Carries to next year's"))
    max = _decimal(gettext_lazy("At most (optional)"))
    source = forms.CharField(
        label=pgettext_lazy("citation", "Source"), required=False, max_length=500
    )

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        requirement, to = self.fields["requirement"], self.fields["to"]
        assert isinstance(requirement, forms.ChoiceField) and isinstance(to, forms.ChoiceField)
        requirement.choices = choices.requirements
        to.choices = choices.categories


class GradesForm(_EditorForm):
    of = forms.ChoiceField(
        label=gettext_lazy("Graded on"),
        required=False,
        help_text=gettext_lazy("The share of this requirement reached gives the grade."),
    )
    source = forms.CharField(
        label=pgettext_lazy("citation", "Source"), required=False, max_length=500
    )

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        of = self.fields["of"]
        assert isinstance(of, forms.ChoiceField)
        of.choices = [("", _("No grades: pass or fail")), *choices.requirements]


class TierForm(_Row):
    min_ratio = _decimal(
        gettext_lazy("From this share of the requirement"),
        required=True,
        help_text=gettext_lazy("1 = exactly the requirement, 1.5 = one and a half times."),
    )

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.brackets = choices.brackets
        for code, label in choices.brackets:
            self.fields[f"age_{code}"] = _decimal(_("Aged %(bracket)s") % {"bracket": label})

    def age_fields(self) -> list[forms.BoundField]:
        return [self[f"age_{code}"] for code, _label in self.brackets]


class ProrationForm(_EditorForm):
    new_hire = forms.BooleanField(
        label=gettext_lazy("Someone hired during the year is held to the months served"),
        required=False,
    )
    leave_exempt_months = forms.IntegerField(
        label=gettext_lazy("Leave of at least this many months exempts fully"),
        required=False,
        min_value=1,
        max_value=12,
    )
    source = forms.CharField(
        label=pgettext_lazy("citation", "Source"), required=False, max_length=500
    )


# --- the try page ----------------------------------------------------------------------------


class TryForm(forms.Form):
    period = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    birth_date = forms.DateField(
        label=gettext_lazy("Birth date"), initial=dt.date(1985, 6, 15), widget=_date_input()
    )
    hired_on = forms.DateField(
        label=gettext_lazy("Hired on (optional)"), required=False, widget=_date_input()
    )


class TryLineForm(forms.Form):
    """A made-up credit. Its period is where its last day falls by the rule set's calendar, as for
    a posted entry; a line across two periods is refused as the ledger refuses it."""

    use_required_attribute = False
    first_day = forms.DateField(
        label=gettext_lazy("First day"), required=False, widget=_date_input()
    )
    last_day = forms.DateField(label=gettext_lazy("Last day"), widget=_date_input())
    days = forms.DecimalField(
        label=gettext_lazy("Days (optional)"),
        required=False,
        min_value=Decimal("0.5"),
        max_digits=5,
        decimal_places=1,
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"), min_value=Decimal("-1000"), max_digits=8, decimal_places=2
    )
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=UNIT_CHOICES)
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Categories"), widget=forms.CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(label=gettext_lazy("Activity"), required=False)

    def __init__(self, *args: Any, rules: RuleSetData, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calendar: Calendar = rules.calendar
        self.fields["unit"].initial = rules.unit
        categories, kind = self.fields["categories"], self.fields["kind"]
        assert isinstance(categories, forms.MultipleChoiceField)
        assert isinstance(kind, forms.ChoiceField)
        categories.choices = [(c.code, str(c.label)) for c in rules.categories]
        kind.choices = [("", "—")] + [(k, str(c.label)) for k, c in rules.conversions.items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last, days = data.get("first_day"), data.get("last_day"), data.get("days")
        if last is None:
            return data
        first = first or last
        data["first_day"] = first
        if first > last:
            self.add_error("first_day", _("The first day is after the last day."))
        elif self.calendar.period_of(first) != self.calendar.period_of(last):
            self.add_error(
                "first_day",
                _("The activity spans two years (%(a)s and %(b)s); enter each year's part.")
                % {"a": self.calendar.period_of(first), "b": self.calendar.period_of(last)},
            )
        elif days is not None and days > (last - first).days + 1:
            span = (last - first).days + 1
            self.add_error(
                "days", _("More days than the %(n)s from the first to the last day.") % {"n": span}
            )
        if data.get("amount") == 0:
            self.add_error("amount", _("Enter an amount other than zero."))
        return data


def line_errors(forms_: Sequence[forms.Form]) -> list[str]:
    """One message per refused line, naming it ("Line 2: …"), for the top of the page."""
    out = []
    for number, form in enumerate(forms_, start=1):
        if form.errors:
            problems = "; ".join(
                f"{_field_label(form, name)} {' '.join(str(e) for e in errors)}".strip()
                for name, errors in form.errors.items()
            )
            out.append(_("Line %(n)s: %(problems)s") % {"n": number, "problems": problems})
    return out


def _field_label(form: forms.Form, name: str) -> str:
    return str(form.fields[name].label) if name in form.fields else ""
