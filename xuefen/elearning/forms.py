from django import forms
from django.utils.translation import gettext_lazy as _

from xuefen.elearning import rules
from xuefen.elearning.models import Resource
from xuefen.orgs.models import OrgNode


class VideoForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("owner"), queryset=OrgNode.objects.none())
    title = forms.CharField(label=_("title"), max_length=200)
    file = forms.FileField(label=_("Video file (WebM or MP4)"))
    minutes = forms.IntegerField(label=_("Length: minutes"), min_value=0, max_value=600)
    seconds = forms.IntegerField(label=_("Length: seconds"), min_value=0, max_value=59)


class ArticleForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("owner"), queryset=OrgNode.objects.none())
    title = forms.CharField(label=_("title"), max_length=200)
    body = forms.CharField(label=_("text"), widget=forms.Textarea)
    reading_minutes = forms.IntegerField(
        label=_("Reading time (minutes)"), min_value=1, max_value=600
    )


class CourseForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("owner"), queryset=OrgNode.objects.none())
    code = forms.RegexField(label=_("code"), max_length=40, regex=r"^[A-Za-z0-9_-]+$")
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(label=_("description"), widget=forms.Textarea, required=False)
    rule_code = forms.ChoiceField(label=_("completion rule"))
    resources = forms.ModelMultipleChoiceField(
        label=_("resources"), queryset=Resource.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    publish = forms.BooleanField(label=_("published"), required=False, initial=True)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        rule_field = self.fields["rule_code"]
        assert isinstance(rule_field, forms.ChoiceField)
        rule_field.choices = [(r.code, r.label) for r in rules.course_rules().values()]


class CourseEditForm(forms.Form):
    """An online course's changes: everything but its code and owner."""

    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(label=_("description"), widget=forms.Textarea, required=False)
    rule_code = forms.ChoiceField(label=_("completion rule"))
    resources = forms.ModelMultipleChoiceField(
        label=_("resources"), queryset=Resource.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    publish = forms.BooleanField(label=_("published"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        rule_field = self.fields["rule_code"]
        assert isinstance(rule_field, forms.ChoiceField)
        rule_field.choices = [(r.code, r.label) for r in rules.course_rules().values()]


class ResourceEditForm(forms.Form):
    """A resource's changes: title and length; an article's text; a video's new file (optional)."""

    title = forms.CharField(label=_("title"), max_length=200)
    duration_seconds = forms.IntegerField(label=_("length (seconds)"), min_value=1, max_value=36000)
    body = forms.CharField(label=_("text"), widget=forms.Textarea, required=False)
    file = forms.FileField(label=_("New video file (WebM or MP4)"), required=False)

    def __init__(self, *args: object, kind: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        del self.fields["file" if kind == Resource.Kind.ARTICLE else "body"]


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("question"), widget=forms.Textarea(attrs={"rows": 2}))
    choices = forms.CharField(
        label=_("choices"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One choice a line; for a true/false question: 对 and 错."),
    )
    correct = forms.RegexField(
        label=_("right choices"),
        regex=r"^\s*\d+(\s*[,，]\s*\d+)*\s*$",
        help_text=_("Their numbers, e.g. 2 or 1,3."),
    )

    def cleaned_choices(self) -> list[str]:
        return [line for line in self.cleaned_data["choices"].splitlines() if line.strip()]

    def cleaned_correct(self) -> list[int]:
        return [int(n) for n in self.cleaned_data["correct"].replace("，", ",").split(",")]
