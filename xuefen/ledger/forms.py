"""The credit office's form for a manual entry (an activity no other channel reports)."""

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.ledger.models import Unit
from xuefen.orgs.models import Person
from xuefen.policy import services

# Offered when no rule set applies to the person: the codes the shipped rule sets use.
DEFAULT_CATEGORIES = [
    ("required", _("Required")),
    ("elective", _("Elective")),
    ("public", _("Public subjects")),
    ("professional", _("Professional subjects")),
    ("online", _("Online")),
    ("offline", _("Face to face")),
]


def category_choices(person: Person, period: int) -> list[tuple[str, Any]]:
    rules = services.ruleset_for(person, period)
    if rules is None:
        return list(DEFAULT_CATEGORIES)
    return [(c.code, str(c.label)) for c in rules.categories]


class ManualEntryForm(forms.Form):
    period = forms.IntegerField(label=_("Period (year)"), min_value=1990, max_value=2100)
    activity_date = forms.DateField(
        label=_("Activity date"), widget=forms.DateInput(attrs={"type": "date"})
    )
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
        year = timezone.localdate().year
        self.fields["period"].initial = year
        self.fields["token"].initial = uuid.uuid4().hex
        field = self.fields["categories"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = category_choices(person, year)
