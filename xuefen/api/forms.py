"""The form for a new API token."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.api.actions import may_grant_credits_read
from xuefen.api.models import TokenScope
from xuefen.api.queries import managed_providers
from xuefen.intake.models import Provider


class TokenForm(forms.Form):
    provider: "forms.ModelChoiceField[Provider]" = forms.ModelChoiceField(
        label=_("Provider"), queryset=Provider.objects.none(), empty_label=None
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Say where the token is used, e.g. “learning platform, production”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("May"),
        choices=TokenScope.choices,
        initial=[TokenScope.BATCHES],
        widget=forms.CheckboxSelectMultiple,
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a token that is valid until revoked."),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        providers = managed_providers(user).filter(is_active=True)
        provider_field = self.fields["provider"]
        assert isinstance(provider_field, forms.ModelChoiceField)
        provider_field.queryset = providers
        # Only the credit office sees the credits scope at all.
        if not any(may_grant_credits_read(user, p) for p in providers):
            scopes = self.fields["scopes"]
            assert isinstance(scopes, forms.MultipleChoiceField)
            scopes.choices = [(TokenScope.BATCHES.value, TokenScope.BATCHES.label)]

    def clean_expires_on(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("expires_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("The expiry date must be in the future."))
        return day

    def expires_at(self) -> dt.datetime | None:
        """The end of the chosen day, local time."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
        return timezone.make_aware(start)
