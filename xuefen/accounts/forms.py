from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap, Role
from xuefen.orgs.forms import NodeChoiceField
from xuefen.orgs.models import OrgNode


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


class LetterUnitForm(forms.Form):
    unit = NodeChoiceField(queryset=OrgNode.objects.none(), label=_("Unit"))

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (  # type: ignore[attr-defined]
            scope.nodes(user, Cap.ACCOUNTS_ACTIVATE).filter(kind=OrgNode.Kind.UNIT).order_by("path")
        )


class ActivateForm(forms.Form):
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    code = forms.CharField(
        label=_("Activation code"),
        max_length=40,
        help_text=_("As printed on your letter, for example ABCD-EFGH-JKMN."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("The two passwords differ."))
        return data
