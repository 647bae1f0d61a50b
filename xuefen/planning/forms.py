"""Forms of the planning pages; every choice comes from the user's scope (the actions check
again)."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.orgs.forms import NodeChoiceField
from xuefen.orgs.models import Person
from xuefen.planning import queries
from xuefen.planning.models import Plan, Source, SpendingKind
from xuefen.planning.surveys import SCORES


def money(label: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=0)


class PlanForm(forms.Form):
    node = NodeChoiceField(label=_("Unit"), queryset=None)
    # This year offered (a callable: the day the form is shown, not the day the server started).
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year
    )
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=200)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = scope.nodes(user, Cap.PLANNING_MANAGE)  # type: ignore[attr-defined]


class LineForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    target_group = forms.ChoiceField(
        label=_("Target group"),
        required=False,
        choices=[("", _("Everyone")), *Person.Category.choices],
    )
    planned_classes = forms.IntegerField(label=_("Planned classes"), min_value=0, initial=1)
    planned_people = forms.IntegerField(label=_("Planned trainees"), min_value=0)
    planned_hours = money(_("Planned person-hours"))
    budget = money(_("Budget (yuan)"))
    source = forms.ChoiceField(label=_("Source of funds"), choices=Source.choices)


class LinkForm(forms.Form):
    line: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Plan line"), queryset=None, empty_label="—"
    )
    klass: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Class"), queryset=None, empty_label="—"
    )

    def __init__(self, plan: Plan, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = plan.lines.all()  # type: ignore[attr-defined]
        self.fields["klass"].queryset = queries.linkable_classes(plan)  # type: ignore[attr-defined]


class BudgetForm(forms.Form):
    source = forms.ChoiceField(label=_("Source of funds"), choices=Source.choices)
    amount = money(_("Amount (yuan)"))


class SpendingForm(forms.Form):
    link: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Class"), queryset=None, empty_label="—"
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=SpendingKind.choices)
    source = forms.ChoiceField(label=_("Source of funds"), choices=Source.choices)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=12, decimal_places=2, min_value=0.01
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, plan: Plan, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from xuefen.planning.models import PlanClass

        field = self.fields["link"]
        field.queryset = PlanClass.objects.filter(line__plan=plan).select_related("klass")  # type: ignore[attr-defined]
        field.label_from_instance = lambda link: str(link.klass)  # type: ignore[attr-defined]


class SurveyForm(forms.Form):
    node = NodeChoiceField(label=_("Sent to"), queryset=None)
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    items = forms.CharField(
        label=_("Questions"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One question a line: score: question (1 to 5); choice: question = option; option; "
            "text: question."
        ),
    )
    plan: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Training plan"), queryset=None, required=False, empty_label="—"
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = scope.nodes(user, Cap.SURVEYS_MANAGE)  # type: ignore[attr-defined]
        self.fields["plan"].queryset = queries.plans(user)  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    """One field per question of the survey."""

    def __init__(self, items: list[dict[str, Any]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in items:
            if item["type"] == "score":
                field: forms.Field = forms.ChoiceField(
                    label=item["text"],
                    choices=[(str(n), str(n)) for n in reversed(SCORES)],
                    widget=forms.RadioSelect,
                )
            elif item["type"] == "choice":
                field = forms.ChoiceField(
                    label=item["text"],
                    choices=[(o, o) for o in item["options"]],
                    widget=forms.RadioSelect,
                )
            else:
                field = forms.CharField(
                    label=item["text"],
                    required=False,
                    max_length=1000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
            self.fields[item["code"]] = field


class PolicyForm(forms.Form):
    days_before = forms.CharField(
        label=_("Days before the deadline"), max_length=100, help_text=_("For example 60, 30, 7.")
    )
    email = forms.BooleanField(label=_("Also by e-mail"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)
