"""The credit office's pages for rule sets: list, view, edit in a form or import a version as
YAML, export, try a version on made-up credits. Views parse, call one action or query, render; the
forms and the editor live in `policy.forms` and `policy.editing`."""

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.core.actors import acting
from xuefen.core.errors import CodedError
from xuefen.policy import actions, editing, trying
from xuefen.policy.forms import ImportForm
from xuefen.policy.models import RuleSet
from xuefen.policy.shipped import RULESET_DIR


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
                ruleset = actions.import_ruleset(acting(request), text, form.cleaned_data["region"])
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


@login_required
def ruleset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version of a rule set, edited in a form pre-filled from this one. "Add" buttons
    re-show the page with a new row; "save" saves it as an imported YAML would be."""
    ruleset = _access_ruleset(request.user, pk)
    if request.method != "POST":
        editor = editing.editor_for(ruleset)
        return _edit_page(request, ruleset, editor)
    editor = editing.editor_for(ruleset, request.POST)
    if "add" in request.POST:
        data = editor.add_row(request.POST["add"])
        if data is not None:
            editor = editing.editor_for(ruleset, data)
    elif editor.is_valid():
        try:
            saved = editing.save_new_version(acting(request), ruleset, editor)
        except CodedError as error:
            editor.place(error)
        else:
            messages.success(request, _("Saved %(ref)s.") % {"ref": saved.data.label})
            return redirect("policy:detail", pk=saved.pk)
    return _edit_page(request, ruleset, editor)


def _edit_page(request: HttpRequest, ruleset: RuleSet, editor: editing.Editor) -> HttpResponse:
    context = {"ruleset": ruleset, "editor": editor, "show_errors": editor.checked}
    return render(request, "policy/edit.html", context)


@login_required
def ruleset_try(request: HttpRequest, pk: int) -> HttpResponse:
    """Judges made-up credits by one version, as the judge would judge them; nothing is saved."""
    ruleset = _access_ruleset(request.user, pk)
    trial = trying.Trial(ruleset.data, request.POST if request.method == "POST" else None)
    if "add" in request.POST:
        trial = trying.Trial(ruleset.data, trial.with_line())
    elif request.method == "POST":
        trial.evaluate()
    context = {
        "ruleset": ruleset,
        "data": ruleset.data,
        "trial": trial,
        "show_errors": trial.checked,
    }
    return render(request, "policy/try.html", context)
