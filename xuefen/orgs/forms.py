"""Forms of the org tree and people pages. Choices of units always come from the user's scope."""

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.orgs.models import OrgNode, Person


class NodeChoiceField(forms.ModelChoiceField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django's own empty label is not translated into Chinese yet; a dash reads in any language.
        kwargs.setdefault("empty_label", "—")
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * obj.depth}{obj.name} ({obj.code})"


def units_for(user: Any, capability: str) -> QuerySet[OrgNode]:
    return scope.nodes(user, capability).filter(kind=OrgNode.Kind.UNIT).order_by("path")


class NodeForm(forms.ModelForm):
    parent = NodeChoiceField(queryset=OrgNode.objects.none(), label=_("Parent"))

    class Meta:
        model = OrgNode
        fields = ["code", "name", "kind", "unit_type", "parent", "is_active"]

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = scope.nodes(user, Cap.ORGS_CHANGE).exclude(kind=OrgNode.Kind.UNIT)
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
            if self.instance.parent_id is None:
                self.fields["parent"].required = False
        self.fields["parent"].queryset = parents.order_by("path")  # type: ignore[attr-defined]


class PersonForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=30)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", "—"), *Person.Sex.choices],
        help_text=_("Filled in from the ID number if left blank."),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Filled in from the ID number if left blank."),
    )
    unit = NodeChoiceField(queryset=OrgNode.objects.none(), label=_("Unit"))
    category = forms.ChoiceField(label=_("Personnel category"), choices=Person.Category.choices)
    title_level = forms.ChoiceField(
        label=_("Title level"), required=False, choices=Person.TitleLevel.choices
    )
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Person.Status.choices)
    hired_on = forms.DateField(
        label=_("Hired on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, user: Any, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user, Cap.PEOPLE_CHANGE)  # type: ignore[attr-defined]
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "data-id-number": ""})
        if editing:
            # A move to another unit is a transfer, with its own page and history.
            self.fields["unit"].disabled = True
            self.fields["unit"].help_text = _("Use a transfer to move this person.")


class TransferForm(forms.Form):
    to_unit = NodeChoiceField(queryset=OrgNode.objects.none(), label=_("To unit"))
    effective_on = forms.DateField(
        label=_("Effective on"),
        initial=dt.date.today,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, user: Any, person: Person, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = units_for(  # type: ignore[attr-defined]
            user, Cap.PEOPLE_CHANGE
        ).exclude(pk=person.unit_id)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("An .xlsx workbook or a .csv file with the template's columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class PeopleFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name, ID number or its last digits")}),
    )
    unit = NodeChoiceField(queryset=OrgNode.objects.none(), label=_("Unit"), required=False)
    category = forms.ChoiceField(
        label=_("Personnel category"), required=False, choices=[("", "—"), *Person.Category.choices]
    )
    title_level = forms.ChoiceField(
        label=_("Title level"),
        required=False,
        choices=[("", "—"), ("none", _("None")), *Person.TitleLevel.choices[1:]],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *Person.Status.choices]
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", "—"), *Person.Sex.choices]
    )
    age_min = forms.IntegerField(label=_("Age from"), required=False, min_value=0, max_value=120)
    age_max = forms.IntegerField(label=_("Age to"), required=False, min_value=0, max_value=120)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scope.nodes(user, Cap.PEOPLE_VIEW).order_by("path")  # type: ignore[attr-defined]
