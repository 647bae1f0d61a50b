from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
    object_type = forms.CharField(
        label=_("Object type"),
        required=False,
        max_length=50,
        help_text=_("For example orgs.person or ledger.entry."),
    )
    person = forms.CharField(label=_("Person (ID number or name)"), required=False, max_length=50)
    q = forms.CharField(label=_("Text"), required=False, max_length=100)
