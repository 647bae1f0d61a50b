"""Running classes: the list, a class's page (for everyone who may see it), creating and changing
classes, sessions and quotas, the roster, assignment (调训) and nomination, leave decisions, test
scores, the steps of a class and the evaluation report."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.audit.actions import record_export
from xuefen.core.errors import CodedError
from xuefen.core.paging import querystring
from xuefen.core.tabular import xlsx_response
from xuefen.orgs.models import OrgNode
from xuefen.training import actions, progress, queries, reports
from xuefen.training.actions.feedback import due
from xuefen.training.forms import (
    ClassFilterForm,
    ClassForm,
    DecideForm,
    PlaceForm,
    QuotaForm,
    ScoresForm,
    SessionForm,
    UnitPickForm,
)
from xuefen.training.models import (
    ClassStatus,
    EnrolmentStatus,
    LeaveRequest,
    LeaveStatus,
    QuestionnaireKind,
    Route,
    TrainingClass,
)
from xuefen.training.rules import Reason, parse_share, share_text
from xuefen.training.views.common import acting, form_error, page_of
from xuefen.training.views.learner import own_standing
from xuefen.training.workflow import RUNNING, STEP_LABELS, Step, steps_from

MAX_CANDIDATES = 500


def _staff(request: HttpRequest) -> None:
    user = request.user
    if not (
        scope.has_capability(user, Cap.TRAINING_VIEW)
        or scope.paths_with(user, Cap.TRAINING_NOMINATE)
    ):
        raise Http404


@login_required
def classes(request: HttpRequest) -> HttpResponse:
    """The classes the user runs, oversees or may nominate people for."""
    _staff(request)
    form = ClassFilterForm(request.GET or None)
    qs = queries.visible_classes(request.user).select_related("course__provider")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = qs.filter(Q(code__icontains=data["q"]) | Q(name__icontains=data["q"]))
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["year"]:
            qs = qs.filter(first_day__year=data["year"])
    qs = qs.annotate(
        enrolled=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED))
    ).order_by("-first_day", "-id")
    base, _encoded = querystring(request)
    return render(
        request,
        "training/classes.html",
        {
            "form": form,
            "page_obj": page_of(request, qs),
            "querystring_base": base,
            "can_create": scope.has_capability(request.user, Cap.TRAINING_MANAGE),
            "can_configure": queries.may_configure(request.user),
            "can_see_teachers": scope.has_capability(request.user, Cap.TRAINING_VIEW),
        },
    )


def _share(text: str) -> str:
    value = parse_share(text)
    return share_text(value) if value is not None else ""


def _step_buttons(request: HttpRequest, klass: TrainingClass) -> list[dict[str, Any]]:
    return [
        {"step": t.step, "label": STEP_LABELS[t.step], "danger": t.step == Step.CANCEL}
        for t in steps_from(klass.status)
    ]


@login_required
def class_detail(request: HttpRequest, class_id: int) -> HttpResponse:
    klass = queries.access_class(request.user, class_id)
    user = request.user
    manage = queries.may_manage(user, klass)
    sessions = list(klass.sessions.select_related("teacher"))
    counts = klass.enrolments.aggregate(
        enrolled=Count("id", filter=Q(status=EnrolmentStatus.ENROLLED)),
        waiting=Count("id", filter=Q(status=EnrolmentStatus.WAITLISTED)),
    )
    own = queries.own_enrolment(user, klass)
    nominator = queries.may_nominate_for(user, klass)
    today = timezone.localdate()
    leave_share = parse_share(klass.leave_max) if klass.full_time else None
    context = {
        "klass": klass,
        "sessions": sessions,
        "counts": counts,
        "manage": manage,
        "view_roster": queries.may_view_roster(user, klass),
        "steps": _step_buttons(request, klass) if manage else [],
        "can_assign": klass.status in RUNNING and scope.has_capability(user, Cap.TRAINING_ASSIGN),
        "can_nominate": nominator and klass.status == ClassStatus.OPEN,
        "unit_people": list(queries.unit_enrolments(user, klass)) if nominator else [],
        "pending_leaves": list(
            LeaveRequest.objects.filter(
                enrolment__klass=klass, status=LeaveStatus.PENDING
            ).select_related("enrolment__person__unit")
        )
        if manage
        else [],
        "own": own_standing(user, own),
        "is_learner": queries.learner(user) is not None,
        "evaluate_open": own is not None
        and own.status == EnrolmentStatus.ENROLLED
        and due(klass, QuestionnaireKind.EVALUATION, today),
        "follow_up_open": own is not None
        and own.status == EnrolmentStatus.ENROLLED
        and due(klass, QuestionnaireKind.FOLLOW_UP, today),
        "attendance_share": _share(klass.attendance_min),
        "leave_share": share_text(leave_share) if leave_share is not None else "",
        "decide_form": DecideForm(),
        "running": klass.status in RUNNING,
    }
    return render(request, "training/class_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def class_new(request: HttpRequest) -> HttpResponse:
    if not scope.has_capability(request.user, Cap.TRAINING_MANAGE):
        raise Http404
    form = ClassForm(request.user, request.POST or None, initial={"rule_code": "full_time"})
    if request.method == "POST" and form.is_valid():
        try:
            klass = actions.create_class(
                acting(request),
                form.cleaned_data["course"],
                **form.values(),
            )
        except CodedError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The class was created. Add its sessions next."))
            return redirect("training:class_detail", class_id=klass.pk)
    return render(request, "training/class_form.html", {"form": form, "klass": None})


@login_required
@require_http_methods(["GET", "POST"])
def class_edit(request: HttpRequest, class_id: int) -> HttpResponse:
    klass = queries.access_class(request.user, class_id, queries.MANAGE)
    form = ClassForm(
        request.user, request.POST or None, klass=klass, initial=ClassForm.initial_for(klass)
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_class(acting(request), klass, **form.values())
        except CodedError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The class was saved."))
            return redirect("training:class_detail", class_id=klass.pk)
    return render(request, "training/class_form.html", {"form": form, "klass": klass})


@login_required
@require_POST
def class_step(request: HttpRequest, class_id: int) -> HttpResponse:
    klass = queries.access_class(request.user, class_id, queries.MANAGE)
    step = request.POST.get("step", "")
    try:
        if step == Step.COMPLETE:
            done = actions.complete_class(acting(request), klass)
            messages.success(
                request,
                _(
                    "The class is completed: %(passed)s completed it (%(credited)s credited), "
                    "%(failed)s did not."
                )
                % {"passed": done.passed, "credited": done.credited, "failed": done.failed},
            )
        else:
            actions.change_status(acting(request), klass, step)
            messages.success(request, _("The class's status was changed."))
    except CodedError as error:
        messages.error(request, str(error.message))
    return redirect("training:class_detail", class_id=klass.pk)


# ------------------------------------------------------------------------------------ sessions


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, class_id: int) -> HttpResponse:
    klass = queries.access_class(request.user, class_id, queries.MANAGE)
    initial = {"place": klass.place, "half": "morning", "hours": 3}
    form = SessionForm(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_session(acting(request), klass, **form.cleaned_data)
        except CodedError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The session was added."))
            if "again" in request.POST:
                return redirect("training:session_new", class_id=klass.pk)
            return redirect("training:class_detail", class_id=klass.pk)
    return render(
        request, "training/session_form.html", {"form": form, "klass": klass, "session": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    session = queries.access_session(request.user, session_id, queries.MANAGE)
    klass = session.klass
    form = SessionForm(request.user, request.POST or None, initial=SessionForm.initial_for(session))
    if request.method == "POST":
        if "remove" in request.POST:
            try:
                actions.remove_session(acting(request), session)
            except CodedError as error:
                messages.error(request, str(error.message))
                return redirect("training:session_edit", session_id=session.pk)
            messages.success(request, _("The session was removed."))
            return redirect("training:class_detail", class_id=klass.pk)
        if form.is_valid():
            try:
                actions.update_session(acting(request), session, **form.cleaned_data)
            except CodedError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The session was saved."))
                return redirect("training:class_detail", class_id=klass.pk)
    return render(
        request, "training/session_form.html", {"form": form, "klass": klass, "session": session}
    )


# -------------------------------------------------------------------------------------- quotas


@login_required
@require_http_methods(["GET", "POST"])
def quotas(request: HttpRequest, class_id: int) -> HttpResponse:
    klass = queries.access_class(request.user, class_id, queries.MANAGE)
    nodes = queries.served_nodes(klass.course.provider)
    existing = list(klass.quotas.select_related("node"))
    rows = [{"node": q.node, "seats": q.seats} for q in existing] + [{}] * 3
    forms = [
        QuotaForm(request.POST or None, prefix=f"q{i}", initial=row, nodes=nodes)
        for i, row in enumerate(rows)
    ]
    if request.method == "POST" and all(f.is_valid() for f in forms):
        wanted: dict[OrgNode, int] = {}
        for f in forms:
            node, seats = f.cleaned_data.get("node"), f.cleaned_data.get("seats")
            if node is not None and seats is not None:
                wanted[node] = wanted.get(node, 0) + seats
        try:
            actions.set_quotas(acting(request), klass, wanted)
        except CodedError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The quotas were saved."))
            return redirect("training:class_detail", class_id=klass.pk)
    return render(request, "training/quotas.html", {"klass": klass, "forms": forms})


# -------------------------------------------------------------------------------------- roster


def _roster_rows(klass: TrainingClass) -> list[dict[str, Any]]:
    standings = {s.enrolment.pk: s for s in progress.standings(klass)}
    rows = []
    for enrolment in klass.enrolments.select_related("person__unit").order_by(
        "status", "position", "person__unit__path", "person__name"
    ):
        standing = standings.get(enrolment.pk)
        reasons = (
            [Reason.of(r).text() for r in enrolment.reasons]
            if enrolment.result
            else [r.text() for r in (standing.reasons if standing else [])]
        )
        rows.append({"enrolment": enrolment, "standing": standing, "reasons": reasons})
    return rows


@login_required
def roster(request: HttpRequest, class_id: int) -> HttpResponse:
    """Everyone on the class (and its wait list), with hours present and on leave so far and what
    the completion rule says of them; an XLSX of it with ?export=xlsx."""
    klass = queries.access_class(request.user, class_id)
    if not queries.may_view_roster(request.user, klass):
        raise Http404
    rows = _roster_rows(klass)
    if request.GET.get("export") == "xlsx":
        return _roster_export(request, klass, rows)
    return render(
        request,
        "training/roster.html",
        {"klass": klass, "rows": rows, "manage": queries.may_manage(request.user, klass)},
    )


def _roster_export(request: HttpRequest, klass: TrainingClass, rows: list[dict[str, Any]]) -> Any:
    headers = [
        pgettext("person", "Name"), _("Unit"), _("Status"), _("How"), _("Hours present"),
        _("Hours on leave"),
        _("Result"), _("Reasons"),
    ]  # fmt: skip
    out = []
    for row in rows:
        e, s = row["enrolment"], row["standing"]
        out.append(
            [
                e.person.name,
                e.person.unit.name,
                e.get_status_display(),
                e.get_route_display(),
                s.present_hours if s else "",
                s.leave_hours if s else "",
                e.get_result_display() if e.result else "",
                "；".join(row["reasons"]),
            ]
        )
    record_export(acting(request), "training.roster", len(out), klass.course.provider.node.path)
    return xlsx_response(f"roster-{klass.code}.xlsx", headers, out, sheet_title=klass.code[:30])


def _place(request: HttpRequest, klass: TrainingClass, route: str) -> HttpResponse:
    capability = Cap.TRAINING_ASSIGN if route == Route.ASSIGNED else Cap.TRAINING_NOMINATE
    pick = UnitPickForm(scope.nodes(request.user, capability).order_by("path"), request.GET or None)
    candidates = queries.assignable_people(request.user, klass, capability).select_related("unit")
    on_roster = klass.enrolments.filter(status=EnrolmentStatus.ENROLLED).values("person_id")
    candidates = candidates.exclude(pk__in=on_roster)
    shown = candidates.none()
    if pick.is_valid() and pick.cleaned_data["unit"] is not None:
        shown = candidates.filter(unit__path__startswith=pick.cleaned_data["unit"].path)
        if pick.cleaned_data["category"]:
            shown = shown.filter(category=pick.cleaned_data["category"])
    form = PlaceForm(candidates, request.POST or None)
    form.fields["people"].queryset = shown.order_by("unit__path", "name")[:MAX_CANDIDATES]  # type: ignore[attr-defined]
    if request.method == "POST":
        form.fields["people"].queryset = candidates  # type: ignore[attr-defined]
        if form.is_valid():
            people, unknown = form.chosen()
            if unknown:
                form.add_error(
                    "id_numbers",
                    _("No person you may place has these ID numbers: %(n)s")
                    % {"n": "、".join(unknown[:10])},
                )
            elif not people:
                form.add_error(None, _("Choose the people."))
            else:
                try:
                    if route == Route.ASSIGNED:
                        placed = actions.assign(acting(request), klass, people)
                    else:
                        placed = actions.nominate(acting(request), klass, people)
                except CodedError as error:
                    form_error(form, error)
                else:
                    messages.success(
                        request,
                        _("%(n)s people were put on the class.") % {"n": len(placed)},
                    )
                    return redirect("training:class_detail", class_id=klass.pk)
    return render(
        request,
        "training/place.html",
        {"klass": klass, "form": form, "pick": pick, "route": route, "shown": shown.exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, class_id: int) -> HttpResponse:
    """The credit office assigns people to the class (调训)."""
    klass = queries.access_class(request.user, class_id)
    if not scope.has_capability(request.user, Cap.TRAINING_ASSIGN):
        raise Http404
    return _place(request, klass, Route.ASSIGNED)


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request: HttpRequest, class_id: int) -> HttpResponse:
    """A unit nominates its people for the class."""
    klass = queries.access_class(request.user, class_id)
    if not queries.may_nominate_for(request.user, klass):
        raise Http404
    return _place(request, klass, Route.NOMINATED)


@login_required
@require_POST
def take_off(request: HttpRequest, class_id: int, person_id: int) -> HttpResponse:
    """The class's administrator takes someone off the roster (or wait list), with a reason."""
    klass = queries.access_class(request.user, class_id, queries.MANAGE)
    enrolment = klass.enrolments.filter(person_id=person_id).first()
    if enrolment is None:
        raise Http404
    try:
        actions.withdraw(acting(request), enrolment, request.POST.get("reason", ""))
    except CodedError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("%(name)s was taken off.") % {"name": enrolment.person.name})
    return redirect("training:roster", class_id=klass.pk)


@login_required
@require_POST
def leave_decide(request: HttpRequest, leave_id: int) -> HttpResponse:
    leave = queries.access_leave(request.user, leave_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
    else:
        try:
            actions.decide_leave(
                acting(request),
                leave,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except CodedError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The leave request was decided."))
    return redirect("training:class_detail", class_id=leave.enrolment.klass_id)


@login_required
@require_http_methods(["GET", "POST"])
def scores(request: HttpRequest, class_id: int) -> HttpResponse:
    klass = queries.access_class(request.user, class_id, queries.MANAGE)
    if not klass.has_test:
        raise Http404
    enrolments = list(
        klass.enrolments.filter(status=EnrolmentStatus.ENROLLED)
        .select_related("person__unit")
        .order_by("person__unit__path", "person__name")
    )
    form = ScoresForm(enrolments, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.set_test_scores(acting(request), klass, form.scores())
        except CodedError as error:
            form_error(form, error)
        else:
            messages.success(request, _("%(n)s scores were saved.") % {"n": changed})
            return redirect("training:class_detail", class_id=klass.pk)
    return render(request, "training/scores.html", {"klass": klass, "form": form})


@login_required
def report(request: HttpRequest, class_id: int) -> HttpResponse:
    """The class's evaluation: response rate, means, each teacher's means, the comments; and the
    follow-up. For staff over the provider, not for the teachers (they see their own means)."""
    klass = queries.access_class(request.user, class_id)
    if not scope.has_capability(request.user, Cap.TRAINING_VIEW, klass.course.provider.node):
        raise Http404
    return render(
        request, "training/report.html", {"klass": klass, "parts": reports.class_report(klass)}
    )
