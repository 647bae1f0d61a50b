"""Forms of the claim pages. The claim form is built from the claim type's fields and evidence."""

import datetime as dt
from decimal import Decimal
from typing import Any

import yaml
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import people
from xuefen.claims import typedata
from xuefen.claims.errors import ClaimError
from xuefen.claims.models import Claim, ClaimType, Flag, ReportingPeriod, Status, _pick
from xuefen.orgs.models import Person
from xuefen.policy.services import known_categories, known_kinds

DATE = forms.DateInput(attrs={"type": "date"})
ACCEPT = {"pdf": "application/pdf", "image": "image/jpeg,image/png"}


def _field(spec: dict[str, Any]) -> forms.Field:
    label, required = spec["label_text"], bool(spec.get("required"))
    kind = spec.get("kind", "text")
    if kind == "int":
        return forms.IntegerField(label=label, required=required, min_value=0)
    if kind == "decimal":
        return forms.DecimalField(
            label=label, required=required, min_value=Decimal(0), decimal_places=2
        )
    if kind == "date":
        return forms.DateField(label=label, required=required, widget=DATE)
    if kind == "choice":
        choices = [("", "—")] + [(c["value"], _pick(c["label"])) for c in spec["choices"]]
        return forms.ChoiceField(label=label, required=required, choices=choices)
    return forms.CharField(label=label, required=required, max_length=200)


def _days_field(spec: dict[str, Any]) -> forms.Field:
    """The field a type measured in days takes its days from: always "天数", in half days (the
    action checks them against the dates)."""
    return forms.DecimalField(
        label=_("Days"),
        required=True,
        min_value=Decimal("0.5"),
        max_digits=5,
        decimal_places=1,
        step_size=Decimal("0.5"),
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "inputmode": "decimal"}),
        help_text=_(
            "The days the activity took, in half days; no more than the days from the start "
            "date to the end date."
        ),
    )


class ClaimForm(forms.Form):
    """A claim of one type. `for_other`: the user claims for one of their people (by ID number)."""

    person = forms.CharField(
        label=_("ID number of the person"),
        required=False,
        max_length=18,
        help_text=_("Leave empty to claim for yourself."),
    )
    title = forms.CharField(label=_("Title or name of the activity"), max_length=200)
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    end_date = forms.DateField(label=_("End date"), widget=DATE)

    def __init__(
        self, user: Any, ctype: ClaimType, *args: Any, claim: Claim | None = None, **kwargs: Any
    ) -> None:
        if claim is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": claim.title,
                    "start_date": claim.start_date,
                    "end_date": claim.end_date,
                    **{f"f_{k}": v for k, v in claim.data.items()},
                },
            )
        super().__init__(*args, **kwargs)
        self.user, self.ctype, self.claim = user, ctype, claim
        self.may_claim_for_others = (
            claim is None
            and people(user, Cap.CLAIMS_SUBMIT)
            .exclude(pk=getattr(user, "person_id", None) or 0)
            .exists()
        )
        if not self.may_claim_for_others:
            del self.fields["person"]
        elif getattr(user, "person_id", None) is None:
            self.fields["person"].required = True
            self.fields["person"].help_text = ""
        for spec in ctype.field_specs():
            if spec["name"] == ctype.days_field:
                self.fields[f"f_{spec['name']}"] = _days_field(spec)
            else:
                self.fields[f"f_{spec['name']}"] = _field(spec)
        for spec in ctype.evidence_specs():
            kinds = spec.get("kinds") or ["pdf", "image"]
            self.fields[f"ev_{spec['code']}"] = forms.FileField(
                label=spec["label_text"],
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": ",".join(ACCEPT[k] for k in kinds)}
                ),
                help_text=(_("Required evidence") if spec["required"] else ""),
            )

    def clean_person(self) -> Person | None:
        value = (self.cleaned_data.get("person") or "").strip().upper()
        if not value:
            return None
        found = people(self.user, Cap.CLAIMS_SUBMIT).filter(id_number=value).first()
        if found is None:
            raise forms.ValidationError(_("None of your people has this ID number."))
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        return data

    def target(self) -> Person | None:
        chosen = self.cleaned_data.get("person")
        if chosen is not None:
            return chosen
        person_id = getattr(self.user, "person_id", None)
        return Person.objects.select_related("unit").filter(pk=person_id or 0).first()

    def details(self) -> dict[str, Any]:
        return {
            name[2:]: value for name, value in self.cleaned_data.items() if name.startswith("f_")
        }

    def uploads(self) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for name in self.fields:
            if name.startswith("ev_") and self.files.get(name):
                out[name[3:]] = self.files.getlist(name)
        return out


class EvidenceForm(forms.Form):
    requirement = forms.ChoiceField(label=_("Evidence for"))
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))

    def __init__(self, ctype: ClaimType, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requirement"].choices = [  # type: ignore[attr-defined]
            (e["code"], e["label_text"]) for e in ctype.evidence_specs()
        ]


class DecideForm(forms.Form):
    step = forms.ChoiceField(choices=[(s, s) for s in ("check", "approve", "return", "reject")])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
    amount = forms.DecimalField(label=_("Amount to credit"), required=False, decimal_places=2)


class OfficeFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All but drafts"))] + [c for c in Status.choices if c[0] != Status.DRAFT],
    )
    flag = forms.ChoiceField(
        label=_("Flag"), required=False, choices=[("", "—"), *Flag.Code.choices]
    )
    claim_type = forms.ModelChoiceField(
        label=_("Claim type"), required=False, queryset=ClaimType.objects.all(), empty_label="—"
    )
    late = forms.ChoiceField(
        label=_("Late"),
        required=False,
        choices=[("", "—"), ("1", _("Late only")), ("0", _("On time only"))],
    )


class ClaimTypeForm(forms.ModelForm):
    """A claim type as the office edits it: every reference to a field, a conversion or a
    category is picked from a list of names; only the fields and evidence lists are YAML."""

    fields_yaml = forms.CharField(
        label=_("Fields (YAML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "mono"}),
        help_text=mark_safe(
            "<code>- {name, label: {zh, en}, kind: text|int|decimal|date|choice, required}</code>"
        ),
    )
    evidence_yaml = forms.CharField(
        label=_("Evidence (YAML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "mono"}),
        help_text=mark_safe(
            "<code>- {code, label: {zh, en}, kinds: [pdf, image], required}</code>"
        ),
    )
    attr_fields = forms.MultipleChoiceField(
        label=_("Fields passed to the conversion"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("E.g. a paper's journal level and author rank, which its value depends on."),
    )
    default_categories = forms.MultipleChoiceField(
        label=_("Categories when the office sets the amount"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ClaimType
        fields = [
            "code", "name_zh", "name_en", "description", "order", "is_active",
            "conversion_kind", "quantity_field", "artefact_field", "single_author",
            "full_day", "hours_field", "days_field", "needs_signoff", "manual_amount",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ctype = self.instance
        specs = self._specs()
        named = [(str(f.get("name")), _pick(f.get("label", f.get("name"))) or str(f.get("name")))
                 for f in specs if f.get("name")]  # fmt: skip
        numeric = [(n, label) for (n, label), f in zip(named, specs, strict=False)
                   if f.get("kind") in ("int", "decimal")]  # fmt: skip
        self.fields["conversion_kind"] = forms.ChoiceField(
            label=_("Priced by"),
            required=False,
            choices=[("", _("The office sets the amount")), *known_kinds()],
            help_text=_(
                "The conversion of the person's rule set that turns the claim into credit."
            ),
        )
        self.fields["quantity_field"] = forms.ChoiceField(
            label=_("Quantity"),
            required=False,
            choices=[("", _("One item")), ("@days", _("Days from start to end")), *numeric],
        )
        self.fields["artefact_field"] = forms.ChoiceField(
            label=_("Same item recognised by"),
            required=False,
            choices=[("", _("Not checked")), ("@title", _("The claim's title")), *named],
            help_text=_("The same item claimed twice counts once."),
        )
        self.fields["hours_field"] = forms.ChoiceField(
            label=_("Hours spent"),
            required=False,
            choices=[("", _("Not given")), *numeric],
            help_text=_("For the check that a day holds no more than 24 hours of activity."),
        )
        self.fields["days_field"] = forms.ChoiceField(
            label=_("Days"),
            required=False,
            choices=self._days_choices(),
            help_text=_(
                "For activities measured in days (training classes, secondments, conferences): "
                "where the days come from."
            ),
        )
        attr = self.fields["attr_fields"]
        assert isinstance(attr, forms.MultipleChoiceField)
        attr.choices = named
        attr.initial = list(ctype.attr_fields or [])
        cats = self.fields["default_categories"]
        assert isinstance(cats, forms.MultipleChoiceField)
        cats.choices = known_categories()
        cats.initial = list(ctype.default_categories or [])
        self.fields["fields_yaml"].initial = typedata.dump_list(ctype.fields or [])
        self.fields["evidence_yaml"].initial = typedata.dump_list(ctype.evidence or [])

    def _specs(self) -> list[dict[str, Any]]:
        """The type's fields, as saved or as just typed into the fields list."""
        specs = list(self.instance.fields or [])
        if self.is_bound:
            try:
                typed = yaml.safe_load(self.data.get("fields_yaml") or "")
            except yaml.YAMLError:
                typed = None
            if isinstance(typed, list):
                names = {f.get("name") for f in typed if isinstance(f, dict)}
                specs = [f for f in typed if isinstance(f, dict)] + [
                    f for f in specs if f.get("name") not in names
                ]
        return specs

    def _days_choices(self) -> list[tuple[str, Any]]:
        """Not measured in days; every day from start to end; or one of the type's number fields
        (as saved, or as just typed into the fields list)."""
        choices: list[tuple[str, Any]] = [
            ("", _("Not measured in days")),
            ("@days", _("Every day counts (start to end)")),
        ]
        for spec in self._specs():
            name = str(spec.get("name") or "")
            numeric = spec.get("kind") in ("int", "decimal") or name == self.instance.days_field
            if name and numeric and name not in dict(choices):
                label = _pick(spec.get("label", name)) or name
                choices.append((name, _("The field “%(f)s”") % {"f": label}))
        return choices

    def _yaml(self, name: str) -> Any:
        try:
            return yaml.safe_load(self.cleaned_data.get(name) or "") or []
        except yaml.YAMLError:
            raise forms.ValidationError(_("This is not valid YAML.")) from None

    def clean_fields_yaml(self) -> list[dict[str, Any]]:
        try:
            return typedata.check_fields(self._yaml("fields_yaml"))
        except ClaimError as error:
            raise forms.ValidationError(str(error.message)) from None

    def clean_evidence_yaml(self) -> list[dict[str, Any]]:
        try:
            return typedata.check_evidence(self._yaml("evidence_yaml"))
        except ClaimError as error:
            raise forms.ValidationError(str(error.message)) from None

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["fields"] = self.cleaned_data["fields_yaml"]
        data["evidence"] = self.cleaned_data["evidence_yaml"]
        data["attr_fields"] = list(self.cleaned_data.get("attr_fields") or [])
        data["default_categories"] = list(self.cleaned_data.get("default_categories") or [])
        return data


class PeriodForm(forms.ModelForm):
    # The office thinks of the share in per cent (抽查比例 10%); it is stored as a fraction.
    spot_check_share = forms.DecimalField(
        label=_("Spot-check share (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=1,
        help_text=_("Per cent of the period's approved claims drawn for a spot check, e.g. 10."),
    )

    class Meta:
        model = ReportingPeriod
        fields = ["period", "name", "opens_on", "deadline", "spot_check_share"]
        widgets = {"opens_on": DATE, "deadline": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        share = self.initial.get("spot_check_share")
        if share is not None:
            self.initial["spot_check_share"] = format((Decimal(share) * 100).normalize(), "f")

    def clean_spot_check_share(self) -> Decimal:
        return Decimal(self.cleaned_data["spot_check_share"]) / 100

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, deadline = data.get("opens_on"), data.get("deadline")
        if opens and deadline and deadline < opens:
            self.add_error("deadline", _("The deadline is before the opening day."))
        return data
