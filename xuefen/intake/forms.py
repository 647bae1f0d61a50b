"""Forms of the intake pages. Node choices come from the user's scope."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.intake.models import BatchRow, Provider
from xuefen.ledger.models import Unit
from xuefen.orgs.forms import NodeChoiceField
from xuefen.orgs.models import OrgNode
from xuefen.policy.services import known_categories, known_kinds
from xuefen.training.models import Course


class ProviderForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Provider.Kind.choices)
    node = NodeChoiceField(
        queryset=OrgNode.objects.none(),
        label=_("Org node"),
        help_text=_("Provider staff granted on this node (or above) act for the provider."),
    )
    serves = NodeChoiceField(
        queryset=OrgNode.objects.none(),
        label=_("Serves"),
        help_text=_("The provider may report completions of people in this subtree only."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, user: Any, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = scope.nodes(user, Cap.COURSES_MANAGE).order_by("path")
        self.fields["node"].queryset = choices  # type: ignore[attr-defined]
        self.fields["serves"].queryset = choices  # type: ignore[attr-defined]
        if editing:
            self.fields["code"].disabled = True


class CourseForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Activity kind"),
        required=False,
        help_text=_(
            "As the rule sets count it. A kind they count per day is measured in days: a roster "
            "row without 天数 then counts every day from 开始日期 to 完成日期."
        ),
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories"), widget=forms.CheckboxSelectMultiple
    )
    amount = forms.DecimalField(
        label=_("Credit value"), max_digits=7, decimal_places=2, min_value=0.01
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", _("Other activity")), *known_kinds()]
        categories = self.fields["categories"]
        assert isinstance(categories, forms.MultipleChoiceField)
        categories.choices = known_categories()

    @staticmethod
    def initial_for(course: Course) -> dict[str, Any]:
        return {
            "code": course.code,
            "name": course.name,
            "kind": course.kind,
            "categories": list(course.categories),
            "amount": course.amount,
            "unit": course.unit,
            "starts_on": course.starts_on,
            "ends_on": course.ends_on,
            "is_active": course.is_active,
        }


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"), help_text=_("XLSX, or CSV in UTF-8, GBK or GB18030.")
    )


class ProviderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", "—"), *Provider.Kind.choices]
    )
    active = forms.ChoiceField(
        label=_("Active"),
        required=False,
        choices=[("", "—"), ("1", _("Active")), ("0", _("Inactive"))],
    )


class CourseFilterForm(ProviderFilterForm):
    provider = forms.ModelChoiceField(
        label=_("Provider"), required=False, queryset=Provider.objects.none(), empty_label="—"
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("kind")
        self.fields["provider"].queryset = scope.providers(  # type: ignore[attr-defined]
            user, Cap.INTAKE_VIEW
        ).order_by("code")


class RowFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *BatchRow.Status.choices]
    )
