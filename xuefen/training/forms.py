"""Forms of the training pages. Every choice (courses, teachers, units, people) comes from the
user's scope; the actions check again."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xuefen.accounts import scope
from xuefen.accounts.models import User
from xuefen.accounts.roles import Cap, Role
from xuefen.orgs.forms import NodeChoiceField
from xuefen.orgs.models import OrgNode, Person
from xuefen.training import queries, rules
from xuefen.training.models import (
    AGE_BRACKETS,
    ClassStatus,
    Half,
    Level,
    Mark,
    Session,
    Teacher,
    TrainingClass,
)
from xuefen.training.questionnaires import answer_key_items

DATE = {"type": "date"}
TIME = {"type": "time"}
SCORES = [(str(n), str(n)) for n in range(5, 0, -1)]


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.provider.name} · {obj.code} {obj.name}"


class TeacherChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class ClassForm(forms.Form):
    course = CourseChoiceField(label=_("Course"), queryset=None, empty_label="—")
    code = forms.CharField(label=_("Class code"), max_length=40)
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=200)
    full_time = forms.BooleanField(label=_("Full-time (脱产)"), required=False, initial=True)
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=100_000)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    signup_closes_on = forms.DateField(
        label=_("Sign-up closes on"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    days = forms.DecimalField(
        label=_("Days"),
        required=False,
        max_digits=6,
        decimal_places=1,
        help_text=_("The days the class takes; empty: one for each date with a session."),
    )
    rule_code = forms.ChoiceField(label=_("Completion rule"), required=False)
    attendance_min = forms.CharField(
        label=_("Attendance at least"),
        max_length=16,
        required=False,
        help_text=_("A share of the hours, e.g. 6/7; empty: the completion rule's."),
    )
    leave_max = forms.CharField(
        label=_("Leave at most"),
        max_length=16,
        required=False,
        help_text=_("Full-time classes, e.g. 1/7; empty: the completion rule's."),
    )
    test_pass_mark = forms.DecimalField(
        label=_("Test pass mark"), required=False, max_digits=5, decimal_places=1
    )
    rule_source = forms.CharField(label=_("Rule source"), max_length=300, required=False)
    checkout_required = forms.BooleanField(
        label=_("Check-out required"), required=False, initial=True
    )
    follow_up_days = forms.IntegerField(
        label=_("Follow-up after (days)"), min_value=0, max_value=730, initial=60
    )

    def __init__(self, user: Any, *args: Any, klass: TrainingClass | None = None, **kw: Any):
        super().__init__(*args, **kw)
        choices = [(r.code, r.label) for r in rules.shipped().values()]
        self.fields["rule_code"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]
        if klass is not None:
            self.fields.pop("course")
            self.fields["code"].disabled = True
            self.fields["code"].required = False
        else:
            qs = (
                queries.menu_courses(user).filter(is_active=True).order_by("provider__code", "code")
            )
            self.fields["course"].queryset = qs  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(klass: TrainingClass) -> dict[str, Any]:
        names = [
            "code", "name", "full_time", "capacity", "place", "signup_closes_on", "days",
            "rule_code", "attendance_min", "leave_max", "test_pass_mark", "rule_source",
            "checkout_required", "follow_up_days",
        ]  # fmt: skip
        return {n: getattr(klass, n) for n in names}

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("course", None)
        for name in ("attendance_min", "leave_max", "rule_source"):
            if not data.get(name):
                data.pop(name)
        if data.get("test_pass_mark") is None and data.get("rule_code"):
            data.pop("test_pass_mark")
        return data


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE))
    half = forms.ChoiceField(label=_("Half day"), choices=Half.choices)
    starts_at = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs=TIME))
    ends_at = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs=TIME))
    hours = forms.DecimalField(label=_("Hours (学时)"), max_digits=5, decimal_places=2)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    teacher = TeacherChoiceField(label=_("Teacher"), queryset=None, required=False, empty_label="—")

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = queries.teachers(  # type: ignore[attr-defined]
            user, Cap.TRAINING_MANAGE
        ).filter(is_active=True)

    @staticmethod
    def initial_for(session: Session) -> dict[str, Any]:
        names = ["date", "half", "starts_at", "ends_at", "hours", "topic", "place", "teacher"]
        return {n: getattr(session, n) for n in names}


class QuotaForm(forms.Form):
    node = NodeChoiceField(label=_("Unit"), queryset=None, required=False)
    seats = forms.IntegerField(label=_("Seats"), min_value=0, required=False)

    def __init__(self, *args: Any, nodes: QuerySet[OrgNode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes  # type: ignore[attr-defined]


class PeopleField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.unit.name}"


class PlaceForm(forms.Form):
    """The office's assignment (调训) or a unit's nomination: people ticked from a unit's list,
    or ID numbers pasted one a line."""

    people = PeopleField(label=pgettext_lazy("persons", "People"), queryset=None, required=False)
    id_numbers = forms.CharField(
        label=_("Or ID numbers, one a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, candidates: QuerySet[Person], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        self.fields["people"].queryset = candidates  # type: ignore[attr-defined]

    def chosen(self) -> tuple[list[Person], list[str]]:
        """The people ticked or named, and the ID numbers that name nobody the user may place."""
        people = list(self.cleaned_data.get("people") or [])
        numbers = [n.strip().upper() for n in self.cleaned_data.get("id_numbers", "").split()]
        found = {p.id_number: p for p in self.candidates.filter(id_number__in=numbers)}
        unknown = [n for n in numbers if n and n not in found]
        for number in numbers:
            if number in found and found[number] not in people:
                people.append(found[number])
        return people, unknown


class UnitPickForm(forms.Form):
    unit = NodeChoiceField(label=_("Unit"), queryset=None, required=False)
    category = forms.ChoiceField(
        label=_("Personnel category"), required=False, choices=[("", "—"), *Person.Category.choices]
    )

    def __init__(self, nodes: QuerySet[OrgNode], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = nodes  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class LeaveForm(forms.Form):
    sessions = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("training", "Sessions"),
        queryset=Session.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, klass: TrainingClass, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sessions"].queryset = klass.sessions.all()  # type: ignore[attr-defined]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.HiddenInput
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CorrectForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    mark = forms.ChoiceField(label=_("Mark"), choices=Mark.choices, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class SheetForm(forms.Form):
    file = forms.FileField(label=_("Scan of the signed sheet (PDF, JPEG or PNG)"))
    present = forms.ModelMultipleChoiceField(
        label=_("Signed in"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("Why the sheet was used"), max_length=300, required=False)

    def __init__(self, roster: QuerySet[Person], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = roster  # type: ignore[attr-defined]
        self.fields["present"].label_from_instance = lambda p: f"{p.name} · {p.unit.name}"  # type: ignore[attr-defined]


class ScoresForm(forms.Form):
    """One score field per learner on the roster (score_<enrolment id>)."""

    def __init__(self, enrolments: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = enrolments
        for enrolment in enrolments:
            self.fields[f"score_{enrolment.pk}"] = forms.DecimalField(
                label=enrolment.person.name,
                required=False,
                max_digits=5,
                decimal_places=1,
                min_value=0,
                initial=enrolment.test_score,
            )

    def scores(self) -> dict[int, Any]:
        return {
            int(name.split("_", 1)[1]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("score_")
        }


class AnswersForm(forms.Form):
    """A questionnaire as a form: a 1–5 choice for each score item (for each teacher, where it is
    about teachers), a text box for each text item."""

    def __init__(self, questionnaire: Any, teachers: list[Teacher], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for key, item, teacher in answer_key_items(questionnaire, teachers):
            label = f"{item['text']} · {teacher.name}" if teacher is not None else item["text"]
            if item["type"] == "score":
                self.fields[key] = forms.ChoiceField(
                    label=label, choices=SCORES, widget=forms.RadioSelect
                )
            else:
                self.fields[key] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=1000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )


class PeerReviewForm(forms.Form):
    content = forms.TypedChoiceField(
        label=pgettext_lazy("peer review", "Content"), choices=SCORES, coerce=int,
        widget=forms.RadioSelect,
    )  # fmt: skip
    method = forms.TypedChoiceField(
        label=pgettext_lazy("peer review", "Method"), choices=SCORES, coerce=int,
        widget=forms.RadioSelect,
    )  # fmt: skip
    effect = forms.TypedChoiceField(
        label=pgettext_lazy("peer review", "Effect"), choices=SCORES, coerce=int,
        widget=forms.RadioSelect,
    )  # fmt: skip
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class TeacherForm(forms.Form):
    node = NodeChoiceField(label=_("Registry of"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Teacher.Kind.choices)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    title = forms.CharField(label=_("Title or post"), max_length=100, required=False)
    employer = forms.CharField(label=_("Works at"), max_length=100, required=False)
    specialties = forms.CharField(label=_("Specialties"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    bio = forms.CharField(
        label=_("Profile"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    person_id_number = forms.CharField(
        label=_("ID number of the person (a teacher of the county)"),
        max_length=18,
        required=False,
        help_text=_("Their teaching is then credited in their own ledger."),
    )
    user = forms.ModelChoiceField(
        label=_("Account"), queryset=User.objects.none(), required=False, empty_label="—",
        help_text=_("An account holding the teacher role: they see their own pages."),
    )  # fmt: skip
    is_active = forms.BooleanField(
        label=pgettext_lazy("teacher", "Active"), required=False, initial=True
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = user
        self.fields["node"].queryset = scope.nodes(  # type: ignore[attr-defined]
            user, Cap.TEACHERS_MANAGE
        ).order_by("path")
        paths = scope.paths_with(user, Cap.TEACHERS_MANAGE)
        accounts = User.objects.filter(
            scope.subtree_q(paths, prefix="grants__node__"), grants__role=Role.TEACHER
        ).distinct()
        self.fields["user"].queryset = accounts.order_by("username")  # type: ignore[attr-defined]

    def clean_person_id_number(self) -> Person | None:
        number = self.cleaned_data["person_id_number"].strip().upper()
        if not number:
            return None
        person = scope.people(self.actor).filter(id_number=number).first()
        if person is None:
            raise forms.ValidationError(_("No person with this ID number is in your scope."))
        return person

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["person"] = data.pop("person_id_number")
        return data

    @staticmethod
    def initial_for(teacher: Teacher) -> dict[str, Any]:
        names = ["node", "kind", "name", "title", "employer", "specialties", "phone", "email",
                 "bio", "user", "is_active"]  # fmt: skip
        initial = {n: getattr(teacher, n) for n in names}
        initial["person_id_number"] = teacher.person.id_number if teacher.person else ""
        return initial


class TeacherFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, specialty or employer"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", "—"), *Teacher.Kind.choices]
    )


class CourseMenuForm(forms.Form):
    on_menu = forms.BooleanField(label=_("On the course menu"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", "—"), *Level.choices])
    audience_categories = forms.MultipleChoiceField(
        label=_("For personnel categories (none: everyone)"),
        required=False,
        choices=Person.Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    audience_brackets = forms.MultipleChoiceField(
        label=_("For age brackets (none: every age)"),
        required=False,
        choices=AGE_BRACKETS,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    teachers = forms.ModelMultipleChoiceField(
        label=_("Teachers"),
        queryset=Teacher.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teachers"].queryset = queries.teachers(  # type: ignore[attr-defined]
            user, Cap.TRAINING_MANAGE
        ).filter(is_active=True)


class MenuFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Counts in"), required=False)

    def __init__(self, labels: dict[str, str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *sorted(labels.items()),
        ]


class ClassFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "—"), *ClassStatus.choices]  # type: ignore[attr-defined]


class QuestionnaireForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=100)
    is_default = forms.BooleanField(label=_("Default for new classes"), required=False)


class ItemForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(label=_("Question"), max_length=200, required=False)
    type = forms.ChoiceField(
        label=_("Answer"),
        choices=[("score", _("A score from 1 to 5")), ("text", pgettext_lazy("answer", "Text"))],
    )
    about = forms.ChoiceField(
        label=_("About"), choices=[("class", _("The class")), ("teacher", _("Each teacher"))]
    )


ItemFormSet = forms.formset_factory(ItemForm, extra=3, max_num=20)
