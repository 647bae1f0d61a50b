"""The ledger's forms: a manual entry (an activity no other channel reports) and an exemption."""

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.closing.guard import require_open_on
from xuefen.core.errors import CodedError
from xuefen.ledger.models import Unit
from xuefen.orgs.models import Person
from xuefen.policy import services
from xuefen.policy.models import Exemption
from xuefen.policy.vocabulary import CATEGORIES

# Offered when no rule set applies to the person: the codes the shipped rule sets use.
DEFAULT_CATEGORIES = list(CATEGORIES.items())


def category_choices(person: Person, period: int) -> list[tuple[str, Any]]:
    rules = services.ruleset_for(person, period)
    if rules is None:
        return list(DEFAULT_CATEGORIES)
    return [(c.code, str(c.label)) for c in rules.categories]


def kind_choices(person: Person, period: int) -> list[tuple[str, Any]]:
    """The activity kinds the person's rule set converts (their labels), for the kind field."""
    rules = services.ruleset_for(person, period)
    kinds = [(k, str(c.label)) for k, c in rules.conversions.items()] if rules else []
    return [("", _("Other activity")), *kinds]


class ManualEntryForm(forms.Form):
    """The period is not asked: it is the year the last day falls in."""

    first_day = forms.DateField(
        label=_("First day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a one-day activity."),
    )
    last_day = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.DecimalField(
        label=_("Days"),
        required=False,
        min_value=Decimal("0.5"),
        max_digits=5,
        decimal_places=1,
        help_text=_("For training counted in days (full-time, party school, away): how many."),
    )
    kind = forms.ChoiceField(label=_("Activity kind"), required=False)
    categories = forms.MultipleChoiceField(
        label=_("Categories"), widget=forms.CheckboxSelectMultiple
    )
    amount = forms.DecimalField(label=_("Amount"), max_digits=9, decimal_places=2)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.HOURS)
    description = forms.CharField(label=_("Activity"), max_length=300)
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=300,
        required=False,
        help_text=_("Where the proof is kept, e.g. the certificate number."),
    )
    # Makes the form idempotent: a second submit of the same form posts nothing new.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, person: Person, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        year = timezone.localdate().year
        self.fields["token"].initial = uuid.uuid4().hex
        field = self.fields["categories"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = category_choices(person, year)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = kind_choices(person, year)

    def clean_last_day(self) -> Any:
        """A day in a year the office has closed goes in only with its late-report approval."""
        day = self.cleaned_data["last_day"]
        try:
            require_open_on(self.person, day)
        except CodedError as error:
            raise forms.ValidationError(error.message, code=str(error.code)) from None
        return day


class ExemptionForm(forms.Form):
    period = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Exemption.Kind.choices)
    months = forms.IntegerField(
        label=_("Months not held to"), min_value=1, max_value=12, required=False
    )
    ratio = forms.DecimalField(
        label=_("or share waived (0–1)"),
        min_value=Decimal("0.001"),
        max_value=Decimal(1),
        decimal_places=3,
        required=False,
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=300,
        required=False,
        help_text=_(
            "The document it rests on (title and number); required when more than the office's "
            "share of the year is waived, and such an exemption waits for the office's approval."
        ),
    )


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Why"), max_length=200)
