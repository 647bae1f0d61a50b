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
