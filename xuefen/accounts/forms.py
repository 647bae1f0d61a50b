from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap, Role
from xuefen.orgs.forms import NodeChoiceField


def _node_field(user: Any) -> NodeChoiceField:
    return NodeChoiceField(
        queryset=scope.nodes(user, Cap.USERS_MANAGE).order_by("path"),
        label=_("On org node (and everything under it)"),
    )


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"] = _node_field(user)


class TemporaryPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Temporary password"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Tell the person by a separate channel; they must change it at first log-in."),
    )

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password


class CreateUserForm(TemporaryPasswordForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    field_order = ["username", "display_name", "password", "role"]

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"] = _node_field(user)


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
