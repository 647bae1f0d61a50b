"""The exam office's pages: sessions, candidates and their seats and codes, registered photos,
the proctor's page (registered photo beside the live check-in photo), grading short answers,
the question bank and papers. Auditors read sessions and results."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xuefen.accounts import scope
from xuefen.core.errors import CodedError
from xuefen.exams import actions, codes, queries
from xuefen.exams.actions.bank import question_in_use
from xuefen.exams.errors import ExamError
from xuefen.exams.forms import (
    ExamForm,
    PaperForm,
    PhotoForm,
    QuestionForm,
    QuestionImportForm,
    RegisterForm,
)
from xuefen.exams.importing import QuestionImportError, import_questions
from xuefen.exams.models import (
    Answer,
    AttemptStatus,
    CheckIn,
    CheckInStatus,
    ExamKind,
    Paper,
    PaperMode,
    Question,
    QuestionKind,
    RegisteredPhoto,
)
from xuefen.exams.views.common import acting
from xuefen.orgs.models import OrgNode

MAX_PHOTO = 3 * 1024 * 1024
IMPORT_ERRORS_SHOWN = 200


def _office_node(user: Any) -> OrgNode:
    paths = scope.paths_with(user, queries.MANAGE)
    node = OrgNode.objects.filter(path__in=paths).order_by("depth").first()
    if node is None:
        raise Http404
    return node


@login_required
@require_GET
def exams(request: HttpRequest) -> HttpResponse:
    if not (queries.may_manage(request.user) or queries.may_view(request.user)):
        raise Http404
    rows = queries.exams(request.user).annotate(
        registered=Count("candidates", distinct=True),
        sat=Count("candidates__attempt", distinct=True),
        passed=Count("candidates__attempt", filter=Q(candidates__attempt__passed=True)),
    )
    return render(
        request,
        "exams/exams.html",
        {"rows": rows, "may_manage": queries.may_manage(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def exam_new(request: HttpRequest) -> HttpResponse:
    if not queries.may_manage(request.user):
        raise Http404
    form = ExamForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exam = actions.schedule_exam(
                acting(request),
                _office_node(request.user),
                name=data["name"],
                kind=data["kind"],
                paper=data["paper"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                duration_minutes=data["duration_minutes"],
                seats=data["seats"],
                pass_mark=data["pass_mark"],
                place=data["place"],
                make_up_of=data["make_up_of"],
                credit_kind=data["credit_kind"],
                credit_amount=data["credit_amount"],
                credit_unit=data["credit_unit"],
                credit_categories=data["credit_categories"],
            )
        except ExamError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("The exam session is scheduled."))
            return redirect("exams:exam_detail", exam_id=exam.pk)
    return render(request, "exams/exam_form.html", {"form": form})


@login_required
@require_GET
def exam_detail(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = queries.access_exam(request.user, exam_id)
    manage = scope.has_capability(request.user, queries.MANAGE, exam.node)
    candidates = list(queries.candidates(request.user, exam))
    photos = set(
        RegisteredPhoto.objects.filter(person_id__in=[c.person_id for c in candidates]).values_list(
            "person_id", flat=True
        )
    )
    rows = [
        {
            "candidate": c,
            "attempt": getattr(c, "attempt", None),
            "code": codes.code_for(c.pk, exam.pk) if manage and c.admitted_at is None else "",
            "has_photo": c.person_id in photos,
        }
        for c in candidates
    ]
    return render(
        request,
        "exams/exam_detail.html",
        {
            "exam": exam,
            "rows": rows,
            "manage": manage,
            "register_form": RegisterForm(),
            "photo_form": PhotoForm(),
            "is_make_up": exam.kind == ExamKind.MAKE_UP,
        },
    )


@login_required
@require_POST
def register(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = queries.access_exam(request.user, exam_id, queries.MANAGE)
    if request.POST.get("make_up_all") and exam.kind == ExamKind.MAKE_UP:
        taken = set(exam.candidates.values_list("person_id", flat=True))
        wanted = [pid for pid in actions.make_up_people(exam) if pid not in taken]
        people = list(scope.people(request.user).filter(pk__in=wanted).select_related("unit"))
    else:
        numbers = [
            n.strip().upper() for n in request.POST.get("id_numbers", "").split() if n.strip()
        ]
        found = {
            p.id_number: p
            for p in scope.people(request.user).filter(id_number__in=numbers).select_related("unit")
        }
        missing = [n for n in numbers if n not in found]
        if missing:
            messages.error(
                request,
                _("No person you may see has the ID number %(numbers)s.")
                % {"numbers": "、".join(missing[:5])},
            )
            return redirect("exams:exam_detail", exam_id=exam.pk)
        people = list(dict.fromkeys(found[n] for n in numbers))
    if not people:
        messages.error(request, _("Nobody to register."))
        return redirect("exams:exam_detail", exam_id=exam.pk)
    try:
        made = actions.register_candidates(acting(request), exam, people)
    except ExamError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("%(count)s candidates registered.") % {"count": len(made)})
    return redirect("exams:exam_detail", exam_id=exam.pk)


def _image(data: Any, content_type: str) -> HttpResponse:
    response = HttpResponse(bytes(data), content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def photo(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """The candidate's registered photo; POST replaces it (one face, JPEG or PNG)."""
    candidate = queries.access_candidate(request.user, candidate_id)
    if request.method == "POST":
        upload = request.FILES.get("photo")
        data = upload.read(MAX_PHOTO + 1) if upload is not None else b""
        try:
            actions.register_photo(acting(request), candidate.person, data, candidate.exam.node)
        except ExamError as error:
            messages.error(request, f"{candidate.person.name}: {error.message}")
        else:
            messages.success(request, _("The photo of %(name)s is registered.") % {
                "name": candidate.person.name
            })  # fmt: skip
        return redirect("exams:exam_detail", exam_id=candidate.exam_id)
    found = RegisteredPhoto.objects.filter(person_id=candidate.person_id).first()
    if found is None:
        raise Http404
    return _image(found.image, found.content_type)


@login_required
@require_GET
def proctor(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = queries.access_exam(request.user, exam_id, queries.MANAGE)
    visible = queries.candidates(request.user, exam)
    pending = list(
        CheckIn.objects.filter(candidate__in=visible, status=CheckInStatus.PENDING)
        .select_related("candidate__person__unit")
        .defer("image")
        .order_by("taken_at")
    )
    admitted = visible.filter(admitted_at__isnull=False).count()
    locked = list(
        visible.filter(checkin_locked_at__isnull=False).annotate(wrong=Count("wrong_codes"))
    )
    template = (
        "exams/_proctor_list.html" if request.headers.get("HX-Request") else "exams/proctor.html"
    )
    return render(
        request,
        template,
        {
            "exam": exam,
            "pending": pending,
            "locked": locked,
            "admitted": admitted,
            "total": visible.count(),
        },
    )


@login_required
@require_POST
def unlock(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """The proctor unlocks a check-in that wrong one-time codes locked (audited)."""
    candidate = queries.access_candidate(request.user, candidate_id)
    try:
        actions.unlock_checkin(acting(request), candidate)
    except ExamError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The check-in of %(name)s is unlocked.") % {"name": candidate.person.name},
        )
    return redirect("exams:proctor", exam_id=candidate.exam_id)


@login_required
@require_GET
def checkin_photo(request: HttpRequest, checkin_id: int) -> HttpResponse:
    found = queries.access_checkin(request.user, checkin_id)
    return _image(
        found.image, "image/jpeg" if bytes(found.image[:3]) == b"\xff\xd8\xff" else "image/png"
    )


@login_required
@require_POST
def decide(request: HttpRequest, checkin_id: int) -> HttpResponse:
    found = queries.access_checkin(request.user, checkin_id)
    decision = request.POST.get("decision")
    if decision not in ("confirm", "refuse"):
        # A decision is one of the two buttons; anything else decides nothing.
        return redirect("exams:proctor", exam_id=found.candidate.exam_id)
    confirm = decision == "confirm"
    try:
        actions.decide_checkin(acting(request), found, confirm)
    except ExamError as error:
        messages.error(request, str(error.message))
    else:
        name = found.candidate.person.name
        if confirm:
            messages.success(request, _("%(name)s is admitted.") % {"name": name})
        else:
            messages.success(request, _("The check-in of %(name)s is refused.") % {"name": name})
    return redirect("exams:proctor", exam_id=found.candidate.exam_id)


@login_required
@require_http_methods(["GET", "POST"])
def grading(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = queries.access_exam(request.user, exam_id, queries.MANAGE)
    visible = queries.candidates(request.user, exam)
    waiting = Answer.objects.filter(
        attempt__candidate__in=visible,
        attempt__status=AttemptStatus.SUBMITTED,
        question__kind=QuestionKind.SHORT,
        points__isnull=True,
    ).select_related("question", "attempt__candidate")
    if request.method == "POST":
        try:
            answer = waiting.get(pk=int(request.POST.get("answer", "")))
        except (Answer.DoesNotExist, ValueError):
            raise Http404 from None
        try:
            actions.grade_answer(acting(request), answer, request.POST.get("points", ""))
        except ExamError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Graded."))
        return redirect("exams:grading", exam_id=exam.pk)
    rows = []
    for answer in waiting.order_by("attempt__candidate__seat", "id"):
        worth = next(
            i["points"] for i in answer.attempt.questions if int(i["id"]) == answer.question_id
        )
        rows.append({"answer": answer, "worth": worth})
    return render(request, "exams/grading.html", {"exam": exam, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def questions(request: HttpRequest) -> HttpResponse:
    if not queries.may_manage(request.user):
        raise Http404
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_question(
                acting(request),
                _office_node(request.user),
                subject=data["subject"],
                kind=data["kind"],
                text=data["text"],
                options=data["options"].splitlines(),
                answer=form.parsed_answer(),
                points=data["points"],
            )
        except ExamError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("The question is added to the bank."))
            return redirect("exams:questions")
    subject = request.GET.get("subject", "")
    rows = queries.questions(request.user)
    subjects = list(rows.values_list("subject", flat=True).distinct().order_by("subject"))
    if subject:
        rows = rows.filter(subject=subject)
    return render(
        request,
        "exams/questions.html",
        {"rows": rows[:200], "form": form, "subjects": subjects, "subject": subject},
    )


def _question_form_initial(question: Question) -> dict[str, Any]:
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        answer = "".join(chr(65 + int(i)) for i in question.answer or [])
    elif question.kind == QuestionKind.TRUE_FALSE:
        answer = "T" if question.answer else "F"
    else:
        answer = str(question.answer or "")
    return {
        "subject": question.subject,
        "kind": question.kind,
        "text": question.text,
        "options": "\n".join(question.options or []),
        "answer": answer,
        "points": question.points,
    }


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, question_id: int) -> HttpResponse:
    question = queries.access_question(request.user, question_id)
    form = QuestionForm(request.POST or None, initial=_question_form_initial(question))
    in_use = question_in_use(question)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = actions.edit_question(
                acting(request),
                question,
                subject=data["subject"],
                kind=data["kind"],
                text=data["text"],
                options=data["options"].splitlines(),
                answer=form.parsed_answer(),
                points=data["points"],
            )
        except ExamError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            if saved.pk != question.pk:
                messages.success(
                    request,
                    _("Candidates have sat this question: the change is saved as a new question."),
                )
            else:
                messages.success(request, _("The question is saved."))
            return redirect("exams:questions")
    return render(
        request,
        "exams/question_form.html",
        {"form": form, "question": question, "in_use": in_use},
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_import(request: HttpRequest) -> HttpResponse:
    if not queries.may_manage(request.user):
        raise Http404
    form = QuestionImportForm(request.POST or None, request.FILES or None)
    errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            done = import_questions(
                acting(request), _office_node(request.user), upload, filename=upload.name
            )
        except QuestionImportError as error:
            form.add_error(None, str(error.message))
            errors = error.errors[:IMPORT_ERRORS_SHOWN]
        except CodedError as error:  # the file refused as a whole
            form.add_error("file", str(error.message))
        else:
            messages.success(
                request, _("%(count)s questions added to the bank.") % {"count": done.created}
            )
            return redirect("exams:questions")
    return render(request, "exams/question_import.html", {"form": form, "errors": errors})


@login_required
@require_GET
def papers(request: HttpRequest) -> HttpResponse:
    if not queries.may_manage(request.user):
        raise Http404
    rows = queries.papers(request.user).annotate(
        fixed=Count("items", distinct=True), sessions=Count("exams", distinct=True)
    )
    return render(request, "exams/papers.html", {"rows": rows})


def _paper_form_initial(paper: Paper) -> dict[str, Any]:
    kinds = dict(QuestionKind.choices)
    return {
        "name": paper.name,
        "mode": paper.mode,
        "questions": [item.question_id for item in paper.items.all()],
        "rules": "\n".join(
            f"{r['subject']}, {kinds.get(r['kind'], r['kind'])}, {r['count']}, {r['points']}"
            for r in paper.rules or []
        ),
    }


def _save_paper(request: HttpRequest, form: PaperForm, paper: Paper | None) -> HttpResponse | None:
    data = form.cleaned_data
    fixed = data["mode"] == PaperMode.FIXED
    questions = list(data["questions"]) if fixed else []
    rules = [] if fixed else data["parsed_rules"]
    try:
        if paper is None:
            saved = actions.make_paper(
                acting(request),
                _office_node(request.user),
                data["name"],
                questions=questions,
                rules=rules,
            )
        else:
            saved = actions.edit_paper(
                acting(request), paper, data["name"], questions=questions, rules=rules
            )
    except ExamError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error.message))
        return None
    if paper is not None and saved.pk != paper.pk:
        messages.success(
            request,
            _(
                "An exam session uses this paper: the changes are saved as a new paper, and the "
                "session keeps the paper its candidates sit."
            ),
        )
    else:
        messages.success(request, _("The paper is saved."))
    return redirect("exams:paper", paper_id=saved.pk)


@login_required
@require_http_methods(["GET", "POST"])
def paper_new(request: HttpRequest) -> HttpResponse:
    if not queries.may_manage(request.user):
        raise Http404
    form = PaperForm(request.user, request.POST or None, initial={"mode": PaperMode.FIXED})
    if request.method == "POST" and form.is_valid():
        done = _save_paper(request, form, None)
        if done is not None:
            return done
    return render(request, "exams/paper_form.html", {"form": form, "paper": None})


@login_required
@require_http_methods(["GET", "POST"])
def paper_edit(request: HttpRequest, paper_id: int) -> HttpResponse:
    paper = queries.access_paper(request.user, paper_id)
    form = PaperForm(request.user, request.POST or None, initial=_paper_form_initial(paper))
    if request.method == "POST" and form.is_valid():
        done = _save_paper(request, form, paper)
        if done is not None:
            return done
    return render(
        request,
        "exams/paper_form.html",
        {"form": form, "paper": paper, "in_use": paper.exams.exists()},
    )


@login_required
@require_GET
def paper(request: HttpRequest, paper_id: int) -> HttpResponse:
    """The paper as a candidate sees it, with the right answers: a fixed paper's questions, or one
    sample draw by its rules."""
    found = queries.access_paper(request.user, paper_id)
    items: list[dict[str, Any]] = []
    problem = ""
    try:
        drawn = actions.preview_paper(found)
    except ExamError as error:
        drawn, problem = [], str(error.message)
    for n, (question, points) in enumerate(drawn, start=1):
        right = question.answer if isinstance(question.answer, list) else []
        items.append(
            {
                "n": n,
                "question": question,
                "points": points,
                "true_false": question.kind == QuestionKind.TRUE_FALSE,
                "short": question.kind == QuestionKind.SHORT,
                "options": [
                    {"letter": chr(65 + i), "text": text, "right": i in right}
                    for i, text in enumerate(question.options or [])
                ],
            }
        )
    total = sum((item["points"] for item in items), Decimal(0))
    return render(
        request,
        "exams/paper.html",
        {
            "paper": found,
            "drawn": found.mode == PaperMode.DRAWN,
            "items": items,
            "total": total,
            "problem": problem,
            "sessions": list(found.exams.order_by("-starts_at")[:20]),
        },
    )
