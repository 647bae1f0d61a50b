"""Forms of the exams pages; every choice comes from the user's scope and the actions check
again. Defaults of a new session come from defaults.yaml (policy is data)."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xuefen.exams import queries
from xuefen.exams.importing import KINDS
from xuefen.exams.models import ExamKind, PaperMode, QuestionKind
from xuefen.exams.policy import defaults
from xuefen.ledger.models import Unit
from xuefen.policy.services import known_categories

DATETIME = {"type": "datetime-local"}


class ExamForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Exam type"), choices=ExamKind.choices)
    make_up_of: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Make-up of"), queryset=None, required=False, empty_label="—"
    )
    paper: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Exam paper"), queryset=None, empty_label="—"
    )
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    starts_at = forms.DateTimeField(label=_("Opens at"), widget=forms.DateTimeInput(attrs=DATETIME))
    ends_at = forms.DateTimeField(label=_("Closes at"), widget=forms.DateTimeInput(attrs=DATETIME))
    duration_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"), min_value=1, max_value=600
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=100_000)
    pass_mark = forms.DecimalField(label=_("Pass mark"), max_digits=6, decimal_places=2)
    credit_kind = forms.CharField(
        label=_("Credit conversion"),
        max_length=40,
        required=False,
        help_text=_(
            "The conversion of the candidate's rule set that decides the credit of a pass; "
            "where it has none, the credit below counts."
        ),
    )
    credit_amount = forms.DecimalField(
        label=_("Credit value"), max_digits=6, decimal_places=2, min_value=0
    )
    credit_unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    credit_categories = forms.MultipleChoiceField(
        label=_("Credit categories"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        initial = dict(defaults()[ExamKind.ANNUAL])
        initial.pop("source", None)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["paper"].queryset = queries.papers(user)  # type: ignore[attr-defined]
        self.fields["make_up_of"].queryset = queries.exams(  # type: ignore[attr-defined]
            user, queries.MANAGE
        ).exclude(kind=ExamKind.MAKE_UP)
        self.fields["credit_categories"].choices = known_categories()  # type: ignore[attr-defined]


class QuestionForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=60)
    kind = forms.ChoiceField(label=_("Question type"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}))
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Choice questions: one option a line."),
    )
    answer = forms.CharField(
        label=_("Right answer"),
        max_length=2000,
        required=False,
        help_text=_(
            "Choice questions: the letters of the right options (e.g. A or AC); true or false: "
            "T or F; short answers: a model answer for the grader."
        ),
    )
    points = forms.DecimalField(
        label=_("Points"), max_digits=5, decimal_places=2, min_value=0, initial=1
    )

    def parsed_answer(self) -> Any:
        kind = self.cleaned_data["kind"]
        text = (self.cleaned_data.get("answer") or "").strip()
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            return [ord(ch) - ord("A") for ch in text.upper() if "A" <= ch <= "Z"]
        if kind == QuestionKind.TRUE_FALSE:
            return text.upper() in ("T", "TRUE", "对", "正确", "√")
        return text


class RegisterForm(forms.Form):
    id_numbers = forms.CharField(
        label=_("ID numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: the people to put on the next free seats."),
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Registered photo"))


class QuestionImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (XLSX or CSV)"),
        help_text=_(
            "Columns: 科目, 题型 (单选, 多选, 判断, 简答), 题目, 选项 (separated by |), 答案 "
            "(letters such as A or AC; 对 or 错; a model answer), 分值 (optional, 1 if empty)."
        ),
    )


RULE_LINE = re.compile(r"\s*[,，\t]\s*")


class PaperForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=120)
    mode = forms.ChoiceField(
        label=_("Paper type"), choices=PaperMode.choices, widget=forms.RadioSelect
    )
    questions: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Questions of a fixed paper"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    rules = forms.CharField(
        label=_("Drawing rules"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "A paper drawn by rule: one rule a line — subject, question type (单选, 多选, 判断, "
            "简答), how many questions, points each; e.g. 党纪法规, 单选, 10, 2"
        ),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questions"].queryset = (  # type: ignore[attr-defined]
            queries.questions(user).filter(active=True).order_by("subject", "id")
        )
        self.fields["questions"].label_from_instance = (  # type: ignore[attr-defined]
            lambda q: f"{q.subject} · {q.get_kind_display()} · {q.text[:60]} ({q.points:g})"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rules: list[dict[str, str]] = []
        if data.get("mode") == PaperMode.DRAWN:
            for n, line in enumerate((data.get("rules") or "").splitlines(), start=1):
                if not line.strip():
                    continue
                parts = RULE_LINE.split(line.strip())
                kind = KINDS.get(parts[1].strip().lower()) if len(parts) == 4 else None
                if kind is None:
                    self.add_error(
                        "rules",
                        _("Line %(n)s: write subject, question type, count, points.") % {"n": n},
                    )
                    continue
                rules.append(
                    {"subject": parts[0], "kind": kind, "count": parts[2], "points": parts[3]}
                )
            if not rules and "rules" not in self.errors:
                self.add_error("rules", _("A paper drawn by rule needs at least one rule."))
        elif data.get("mode") == PaperMode.FIXED and not data.get("questions"):
            self.add_error("questions", _("A fixed paper needs questions."))
        data["parsed_rules"] = rules
        return data
