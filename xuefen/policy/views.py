"""The credit office's pages for rule sets (list, view, import a version, export, try it) and the
exemptions of a person. Views parse, call one action or query, render."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.core.errors import CodedError
from xuefen.orgs.models import OrgNode
from xuefen.policy import actions
from xuefen.policy.engine import Credit, Subject, evaluate
from xuefen.policy.models import RuleSet
from xuefen.policy.shipped import RULESET_DIR

MAX_YAML_BYTES = 512 * 1024


def _rulesets(user: Any) -> QuerySet[RuleSet]:
    return scope.filter_by_node(
        user, RuleSet.objects.select_related("region"), Cap.POLICY_CHANGE, prefix="region__"
    )


def _access_ruleset(user: Any, pk: Any) -> RuleSet:
    try:
        return _rulesets(user).get(pk=int(pk))
    except (RuleSet.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@login_required
def ruleset_list(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.POLICY_CHANGE)
    rows = list(_rulesets(request.user).order_by("region__path", "code", "-version"))
    return render(request, "policy/list.html", {"rulesets": rows})


@login_required
def ruleset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ruleset = _access_ruleset(request.user, pk)
    versions = _rulesets(request.user).filter(code=ruleset.code, region=ruleset.region)
    return render(
        request,
        "policy/detail.html",
        {"ruleset": ruleset, "data": ruleset.data, "versions": versions.order_by("-version")},
    )


@login_required
def ruleset_export(request: HttpRequest, pk: int) -> HttpResponse:
    ruleset = _access_ruleset(request.user, pk)
    response = HttpResponse(ruleset.source, content_type="application/yaml; charset=utf-8")
    filename = f"{ruleset.code}-v{ruleset.version}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ImportForm(forms.Form):
    region = forms.ModelChoiceField(
        queryset=OrgNode.objects.none(),
        label=gettext_lazy("Applies to (region subtree)"),
        empty_label="—",
    )
    file = forms.FileField(label=gettext_lazy("YAML file"), required=False)
    text = forms.CharField(
        label=gettext_lazy("or paste the YAML"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = scope.nodes(user, Cap.POLICY_CHANGE).exclude(kind=OrgNode.Kind.UNIT)

    def yaml_text(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            if upload.size > MAX_YAML_BYTES:
                raise forms.ValidationError(_("The file is too large for a rule set."))
            try:
                return upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        text = self.cleaned_data.get("text") or ""
        if not text.strip():
            raise forms.ValidationError(_("Choose a file or paste the YAML."))
        return text


@login_required
def ruleset_import(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.POLICY_CHANGE)
    initial: dict[str, Any] = {}
    if request.method == "GET" and request.GET.get("from"):
        # "Edit" = a new version that starts as a copy of this one, numbered one higher.
        base = _access_ruleset(request.user, request.GET["from"])
        text = re.sub(
            r"^version:\s*\d+", f"version: {base.version + 1}", base.source, count=1, flags=re.M
        )
        initial = {"region": base.region_id, "text": text}
    form = ImportForm(request.user, request.POST or None, request.FILES or None, initial=initial)
    error: CodedError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            text = form.yaml_text()
        except forms.ValidationError as exc:
            form.add_error(None, exc)
        else:
            try:
                ruleset = actions.import_ruleset(request.user, text, form.cleaned_data["region"])
            except CodedError as exc:
                error = exc
            else:
                messages.success(request, _("Saved %(ref)s.") % {"ref": ruleset.ref})
                return redirect("policy:detail", pk=ruleset.pk)
    return render(request, "policy/import.html", {"form": form, "error": error})


@login_required
def ruleset_format(request: HttpRequest) -> HttpResponse:
    """The guide to the YAML format, for the office writing a rule set."""
    scope.require(request.user, Cap.POLICY_CHANGE)
    guide = (RULESET_DIR / "FORMAT.md").read_text(encoding="utf-8")
    return render(request, "policy/format.html", {"guide": guide})


class TryForm(forms.Form):
    birth_date = forms.DateField(
        label=gettext_lazy("Birth date"),
        initial=dt.date(1985, 6, 15),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    period = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    lines = forms.CharField(
        label=gettext_lazy("Credits, one per line: amount, categories, activity kind (optional)"),
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "60 professional\n30 public"}),
    )

    def credits(self, unit: str) -> list[Credit]:
        out: list[Credit] = []
        period = self.cleaned_data["period"]
        for number, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            parts = raw.split()
            if not parts:
                continue
            try:
                amount = Decimal(parts[0])
            except InvalidOperation:
                raise forms.ValidationError(
                    _("Line %(n)s: '%(v)s' is not an amount.") % {"n": number, "v": parts[0]}
                ) from None
            categories = tuple(parts[1].split(",")) if len(parts) > 1 else ()
            kind = parts[2] if len(parts) > 2 else ""
            day = dt.date(period, 1, 1) + dt.timedelta(days=number)
            # One day each, so a per-day cap judges each line on its own.
            out.append(Credit(number, period, day, day, categories, amount, unit, kind))
        return out


@login_required
def ruleset_try(request: HttpRequest, pk: int) -> HttpResponse:
    """Evaluates a hypothetical set of credits against one version; nothing is saved."""
    ruleset = _access_ruleset(request.user, pk)
    data = ruleset.data
    form = TryForm(request.POST or None, initial={"period": ruleset.valid_from.year})
    evaluation = None
    if request.method == "POST" and form.is_valid():
        try:
            credits = form.credits(data.unit)
        except forms.ValidationError as exc:
            form.add_error("lines", exc)
        else:
            subject = Subject("", "", form.cleaned_data["birth_date"])
            evaluation = evaluate(data, subject, credits, form.cleaned_data["period"])
    return render(
        request,
        "policy/try.html",
        {"ruleset": ruleset, "data": data, "form": form, "evaluation": evaluation},
    )
