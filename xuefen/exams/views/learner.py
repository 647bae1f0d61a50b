"""A candidate's pages: my exams, the check-in (one-time code and a live photo from the camera),
the paper (answers autosave; the server keeps the clock), the result and the certificate."""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xuefen.exams import actions, certificates, queries
from xuefen.exams.errors import ExamError
from xuefen.exams.models import AttemptStatus, CheckIn, CheckInStatus, Question, RegisteredPhoto
from xuefen.exams.views.common import acting, address, device, refusal

MAX_UPLOAD = 3 * 1024 * 1024
LOG_ROWS = 500


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "person_id", None) is None:
        raise Http404
    rows = list(queries.my_candidacies(request.user))
    return render(request, "exams/mine.html", {"rows": rows, "now": timezone.now()})


def _checkin_state(candidate: Any) -> dict[str, Any]:
    last = CheckIn.objects.filter(candidate=candidate).only("status").first()
    attempt = getattr(candidate, "attempt", None)
    return {
        "admitted": candidate.admitted_at is not None,
        "checkin": last.status if last else "",
        "pending": last is not None and last.status == CheckInStatus.PENDING,
        "refused": last is not None and last.status == CheckInStatus.REFUSED,
        "checkin_label": last.get_status_display() if last else "",
        "attempt": attempt.pk if attempt else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, candidate_id: int) -> HttpResponse:
    candidate = queries.my_candidacy(request.user, candidate_id)
    if request.method == "POST":
        upload = request.FILES.get("photo")
        data = upload.read(MAX_UPLOAD + 1) if upload is not None else b""
        try:
            actions.check_in(
                candidate,
                request.POST.get("code", ""),
                data,
                address=address(request),
                device=device(request),
            )
        except ExamError as error:
            return refusal(error, 400 if error.field else 409)
        candidate.refresh_from_db()
        return JsonResponse({"ok": True, **_checkin_state(candidate)})
    return render(
        request,
        "exams/checkin.html",
        {
            "candidate": candidate,
            "exam": candidate.exam,
            "state": _checkin_state(candidate),
            "has_photo": RegisteredPhoto.objects.filter(person_id=candidate.person_id).exists(),
        },
    )


@login_required
@require_GET
def status(request: HttpRequest, candidate_id: int) -> HttpResponse:
    candidate = queries.my_candidacy(request.user, candidate_id)
    return JsonResponse(_checkin_state(candidate))


@login_required
@require_POST
def start(request: HttpRequest, candidate_id: int) -> HttpResponse:
    candidate = queries.my_candidacy(request.user, candidate_id)
    try:
        attempt = actions.start_attempt(candidate)
    except ExamError as error:
        messages.error(request, str(error.message))
        return redirect("exams:checkin", candidate_id=candidate.pk)
    return redirect("exams:take", attempt_id=attempt.pk)


@login_required
@require_GET
def take(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = queries.my_attempt(request.user, attempt_id)
    attempt, left = actions.touch(attempt)
    if attempt.status != AttemptStatus.OPEN:
        return redirect("exams:result", attempt_id=attempt.pk)
    ids = [int(item["id"]) for item in attempt.questions]
    found = Question.objects.in_bulk(ids)
    saved = {a.question_id: a.response for a in attempt.answers.all()}
    items = []
    for n, item in enumerate(attempt.questions, start=1):
        question = found[int(item["id"])]
        response = saved.get(question.pk)
        items.append(
            {
                "n": n,
                "question": question,
                "points": item["points"],
                "options": [
                    {
                        "index": i,
                        "letter": chr(65 + i),
                        "text": text,
                        "checked": isinstance(response, list) and i in response,
                    }
                    for i, text in enumerate(question.options)
                ],
                "response": response,
            }
        )
    return render(
        request,
        "exams/take.html",
        {"attempt": attempt, "exam": attempt.candidate.exam, "items": items, "left": left},
    )


@login_required
@require_POST
def save(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Autosave of one answer, or a heartbeat (no question): JSON with the seconds left."""
    attempt = queries.my_attempt(request.user, attempt_id)
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise Http404
    try:
        if payload.get("question") is None:
            attempt, left = actions.touch(attempt)
            if attempt.status != AttemptStatus.OPEN:
                return JsonResponse({"left": 0, "closed": True})
        else:
            left = actions.save_answer(
                attempt,
                payload.get("question"),
                payload.get("response"),
                address=address(request),
                device=device(request),
            )
    except ExamError as error:
        return refusal(error)
    return JsonResponse({"left": left, "closed": False, "saved_at": timezone.now().isoformat()})


@login_required
@require_POST
def submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = queries.my_attempt(request.user, attempt_id)
    actions.submit_attempt(acting(request), attempt)
    return redirect("exams:result", attempt_id=attempt.pk)


@login_required
@require_GET
def result(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = queries.readable_attempt(request.user, attempt_id)
    staff = attempt.person_id != getattr(request.user, "person_id", None)
    # Staff reading the result see every answer submission with its address and device.
    log = list(attempt.log.order_by("at", "id")[:LOG_ROWS]) if staff else []
    numbers = {int(item["id"]): n for n, item in enumerate(attempt.questions, start=1)}
    for row in log:
        row.number = numbers.get(row.question_id)  # type: ignore[attr-defined]
    return render(
        request,
        "exams/result.html",
        {"attempt": attempt, "exam": attempt.candidate.exam, "log": log, "staff": staff},
    )


@login_required
@require_GET
def certificate(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = queries.readable_attempt(request.user, attempt_id)
    if not attempt.passed:
        raise Http404
    return render(
        request,
        "exams/certificate.html",
        {
            "attempt": attempt,
            "exam": attempt.candidate.exam,
            "code": certificates.code_for(attempt),
            "verify_url": request.build_absolute_uri(certificates.verify_path(attempt)),
        },
    )


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = queries.readable_attempt(request.user, attempt_id)
    if not attempt.passed or attempt.status != AttemptStatus.GRADED:
        raise Http404
    pdf = certificates.certificate_pdf([attempt], site=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    code = certificates.code_for(attempt)
    response["Content-Disposition"] = f'inline; filename="exam-certificate-{code}.pdf"'
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Public (no login): what the certificate with this code shows — the name, the masked ID
    number, the exam, the score and the day — or that no such certificate exists."""
    raw = request.GET.get("code", "")[:40]
    found = certificates.verify(raw) if raw else None
    return render(
        request, "exams/verify.html", {"code": raw, "searched": bool(raw), "found": found}
    )
