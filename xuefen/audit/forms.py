from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xuefen.audit import words
from xuefen.audit.models import AuditEvent


class EventFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.CharField(label=_("Actor (username)"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=pgettext_lazy("audit trail", "Action"),
        required=False,
        choices=[("", _("Any action")), *AuditEvent.Action.choices],
    )
    object_type = forms.ChoiceField(label=_("Object type"), required=False, choices=())
    person = forms.CharField(label=_("Person (ID number or name)"), required=False, max_length=50)
    q = forms.CharField(label=_("Text"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = self.fields["object_type"]
        assert isinstance(kinds, forms.ChoiceField)
        kinds.choices = [("", _("Any kind")), *words.object_type_choices()]
