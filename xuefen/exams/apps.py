from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "xuefen.exams"
    label = "exams"
    verbose_name = _("Exams: question bank, papers, sessions and results")
