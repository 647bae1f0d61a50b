"""Forms of the credit office's platform pages."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.intake.models import Provider
from xuefen.training.models import Course
from xuefen.xapi.models import Client


class ClientForm(forms.Form):
    provider: "forms.ModelChoiceField[Provider]" = forms.ModelChoiceField(
        label=_("Provider"), queryset=Provider.objects.none(), empty_label=None
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The learning platform, e.g. “county online academy”."),
    )
    home_page = forms.URLField(
        label=_("Learner account home page"),
        max_length=300,
        assume_scheme="https",
        help_text=_(
            "Statements whose actor is an account on this home page, named by the learner's ID "
            "number, identify the learner."
        ),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = scope.providers(user, Cap.PROVIDERS_MANAGE).filter(is_active=True)


class ActivityForm(forms.Form):
    activity_id = forms.CharField(label=_("Activity id"), max_length=500)
    course: "forms.ModelChoiceField[Course]" = forms.ModelChoiceField(
        label=_("Course"), queryset=Course.objects.none(), empty_label=None
    )

    def __init__(self, client: Client, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["course"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = client.provider.courses.filter(is_active=True).order_by("code")


class AccountForm(forms.Form):
    home_page = forms.CharField(label=_("Home page"), max_length=300)
    name = forms.CharField(label=_("Account name"), max_length=200)
    id_number = forms.CharField(label=_("ID number"), max_length=18)
