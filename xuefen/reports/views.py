"""Results pages: a person's credits and gap, their certificate, the public verification page and
roll-ups. Views parse, call one query or action, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from xuefen.accounts import scope
from xuefen.accounts.middleware import frame_extra
from xuefen.accounts.roles import Cap
from xuefen.archive.horizon import visible_from
from xuefen.core.actors import acting
from xuefen.core.errors import CodedError
from xuefen.ledger.standings import Settled, is_stale, settle
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy.services import RuleSetIndex
from xuefen.reports import cache, rollups
from xuefen.reports.actions import issue_certificate
from xuefen.reports.certificates import drift, overlaps, render_pdf
from xuefen.reports.models import Certificate, normalize_code
from xuefen.reports.personal import personal_page, this_year

PAGE_SIZE = 25
FIRST_PERIOD, LAST_PERIOD = 1990, 2100


def _period(request: HttpRequest) -> int:
    try:
        period = int(request.GET.get("period", ""))
    except ValueError:
        return this_year()
    return period if FIRST_PERIOD <= period <= LAST_PERIOD else this_year()


# --- a person's credits ----------------------------------------------------------------------


def frame_version_of_me(request: HttpRequest) -> tuple[str, str, list[Any]]:
    """`accounts.middleware.FRAME_EXTRAS` of "my credits": the person version of the account's own
    person, read by the frame's one query."""
    period = _period(request)
    columns, params = cache.person_columns(period)
    return f"me {period}", columns, params


def frame_version_of_rollups(request: HttpRequest) -> tuple[str, str, list[Any]]:
    """`accounts.middleware.FRAME_EXTRAS` of a roll-up: the data version, with the frame."""
    return "data", cache.data_columns(), []


def _person_page(request: HttpRequest, person: Person, own: bool = False) -> HttpResponse:
    period = _period(request)
    is_self = getattr(request.user, "person_id", None) == person.pk
    # The archive's rule: a unit the person transferred into sees the years before the transfer
    # only once it pulled their archive; before that those years are not there for it.
    horizon = visible_from(request.user, person)
    if not horizon.shows(period):
        raise Http404
    # As the POST decides it (a learner: their own; staff: their subtree), grants cached.
    can_issue = is_self or scope.has_capability(request.user, Cap.CERTIFICATES_ISSUE, person.unit)
    unit = person.unit
    version = frame_extra(request, f"me {period}") if own else None
    if version is None:
        version = cache.person_version(person.pk, period)
    key = cache.key(
        "person", person.pk, period, is_self, can_issue, person.updated_at, person.status,
        unit.pk, unit.name, unit.path, version, horizon.first_year,
    )  # fmt: skip

    def content() -> tuple[str, bool]:
        # The standing is the one judge's, written with the ledger write that changed it: a plain
        # read. Only one older than the person's row or a rule set (changes made below the
        # ledger) or missing is judged again first, so that the page and the roll-ups agree.
        settled = Settled(0, 0)
        index = RuleSetIndex.everywhere()  # read once for the whole page
        if is_stale(cache.judged_at(version), person.updated_at, unit.path, index):
            settled = settle(Person.objects.filter(pk=person.pk), period)
            index = RuleSetIndex.everywhere()
        # The version names the person's newest exemption and certificate of the period: when it
        # names none, none is read (a new one changes the version, so the key).
        has_exemptions = version[cache.EXEMPTIONS] is not None
        has_certificates = version[cache.CERTIFICATES] is not None
        page = personal_page(person, period, index, exemptions=has_exemptions)
        page.periods = [year for year in page.periods if horizon.shows(year)]
        certificates: list[Certificate] = []
        if has_certificates:
            certificates = list(Certificate.objects.filter(person=person, period=period)[:5])
        html = render_to_string(
            "reports/_person.html",
            {
                "person": person,
                "page": page,
                "period": period,
                "certificates": certificates,
                # What moved since the latest was issued: its download says so.
                "drift": drift(certificates[0], page.evaluation) if certificates else None,
                "is_self": is_self,
                "can_issue": can_issue,
                "csrf_token": cache.CSRF_MARK,
            },
            request,
        )
        # Judged just now: the key read before no longer names it; the next request keeps it.
        return html, not settled.judged and not settled.pending

    def page(csrf: str) -> HttpResponse:
        # Rendered (and escaped) by our own template; `csrf` in its forms and the frame's.
        html = mark_safe(cache.kept(key, content).replace(cache.CSRF_MARK, csrf))  # noqa: S308
        context = {"person": person, "content": html, "csrf_token": csrf}
        return render(request, "reports/person.html", context)

    return cache.whole_page(request, key, page)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    person_id = getattr(request.user, "person_id", None)
    if person_id is None:
        raise Http404
    return _person_page(
        request, scope.access_person(request.user, person_id, Cap.CREDITS_VIEW), own=True
    )


@login_required
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    return _person_page(request, scope.access_person(request.user, person_id, Cap.CREDITS_VIEW))


# --- certificates ----------------------------------------------------------------------------


def verify_url(request: HttpRequest, code: str) -> str:
    return request.build_absolute_uri(reverse("reports:verify") + f"?code={code}")


@login_required
@require_http_methods(["GET", "POST"])
def certificate(request: HttpRequest, person_id: int, period: int) -> HttpResponse:
    """GET: the PDF of the latest certificate of the period (or a page offering to issue one);
    POST: issues one as the ledger stands now."""
    subject = scope.access_person(request.user, person_id, Cap.CREDITS_VIEW)
    if not FIRST_PERIOD <= period <= LAST_PERIOD:
        raise Http404
    if not visible_from(request.user, subject).shows(period):
        raise Http404  # the archive's rule, as on the person's page
    if request.method == "POST":
        # Issuing is not reading: the auditor (read-only) may not; a learner may for themself.
        if not scope.people(request.user, Cap.CERTIFICATES_ISSUE).filter(pk=subject.pk).exists():
            raise PermissionDenied
        try:
            issue_certificate(acting(request), subject, period)
        except CodedError as error:
            messages.error(request, error.message)
            return redirect(reverse("reports:person", args=[subject.pk]) + f"?period={period}")
        return redirect("reports:certificate", person_id=subject.pk, period=period)
    latest = Certificate.objects.filter(person=subject, period=period).order_by("-id").first()
    if latest is None or not latest.is_intact:
        # Never print a record that no longer matches its hash: offer a fresh issue instead.
        return render(
            request,
            "reports/certificate_issue.html",
            {"person": subject, "period": period, "altered": latest is not None},
        )
    pdf = render_pdf(latest.payload, verify_url(request, latest.code))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"certificate-{period}-{latest.code}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def verify(request: HttpRequest) -> HttpResponse:
    """Public (no login): what the certificate with this code states, and whether it is intact.
    An unknown code says only that it was not found."""
    raw = request.GET.get("code", "")
    code = normalize_code(raw)[:16]
    found: Certificate | None = None
    if code:
        found = Certificate.objects.filter(code=code).first()
    payload = found.payload if found is not None and isinstance(found.payload, dict) else {}
    return render(
        request,
        "reports/verify.html",
        {
            "code": raw[:40],
            "searched": bool(code),
            "certificate": found,
            "valid": found is not None and found.is_intact,
            "payload": payload,
            "overlaps": overlaps(payload) if payload else False,
        },
    )


# --- roll-ups --------------------------------------------------------------------------------


def _rollup_node(request: HttpRequest, node_id: Any) -> OrgNode:
    if node_id is not None:
        return scope.access_node(request.user, node_id, Cap.REPORTS_VIEW)
    roots = scope.paths_with(request.user, Cap.REPORTS_VIEW)
    if not roots:
        raise Http404
    node = OrgNode.objects.filter(path=roots[0]).first()
    if node is None:
        raise Http404
    return node


@login_required
def rollup(request: HttpRequest, node_id: int | None = None) -> HttpResponse:
    scope.require(request.user, Cap.REPORTS_VIEW)
    period = _period(request)
    show_all = request.GET.get("show") == "all"
    export = request.GET.get("export")
    if export:
        node = _rollup_node(request, node_id)
        settle(rollups.people_under(request.user, node), period)
        people = _people(request, node, period, show_all)
        return _export(export, rollups.rollup(request.user, node, period), people, period)
    number = request.GET.get("page", "")
    # Which node a user may open and what it shows follow from their grants and the data: the same
    # grants asking for the same node under the same data version were shown this page (and their
    # scope decided) when it was kept; only a miss reads the node (and answers 404 if not theirs).
    version = frame_extra(request, "data") or cache.data_version()
    key = cache.key(
        "rollup", scope.grants_key(request.user), node_id, period, show_all, number, version,
    )  # fmt: skip

    def content() -> tuple[tuple[str, str], bool]:
        node = _rollup_node(request, node_id)
        settled = settle(rollups.people_under(request.user, node), period)
        result = rollups.rollup(request.user, node, period)
        people = _people(request, node, period, show_all)
        # The roll-up's GROUP BY counted the people listed: the paginator need not count again.
        known = result.figures.people if show_all else result.short_of_target
        page = Counted(people, PAGE_SIZE, known).get_page(number)
        rows = rollups.person_rows(list(page.object_list), period)
        ancestors = [
            a for a in node.ancestors() if scope.has_capability(request.user, Cap.REPORTS_VIEW, a)
        ]
        html = render_to_string(
            "reports/_rollup.html",
            {
                "node": node,
                "ancestors": ancestors[:-1],
                "period": period,
                "periods": list(range(this_year(), this_year() - 6, -1)),
                "result": result,
                "page_obj": page,
                "rows": rows,
                "show_all": show_all,
                "querystring_base": f"period={period}&" + ("show=all&" if show_all else ""),
                "chart": result.chart_data(),
                "pending": settled.pending,
            },
            request,
        )
        # Standings being settled: their figures follow in a moment, so this is not kept.
        return (node.name, html), not settled.judged and not settled.pending

    def page(csrf: str) -> HttpResponse:
        name, html = cache.kept(key, content)
        return render(
            request,
            "reports/rollup.html",
            # Rendered (and escaped) by our own template.
            {"name": name, "content": mark_safe(html), "csrf_token": csrf},  # noqa: S308
        )

    return cache.whole_page(request, key, page)


class Counted(Paginator):
    """A paginator told how many objects there are (counted already)."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # (`count` is a cached property)


def _people(request: HttpRequest, node: OrgNode, period: int, show_all: bool) -> Any:
    if show_all:
        return rollups.everyone(request.user, node, period)
    return rollups.short_of_target(request.user, node, period)


def _export(table: str, result: rollups.Rollup, people: Any, period: int) -> HttpResponse:
    from xuefen.reports.exports import rollup_table

    found = rollup_table(table, result, people, period)
    if found is None:
        raise Http404
    return found
