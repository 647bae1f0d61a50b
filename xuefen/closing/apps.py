from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClosingConfig(AppConfig):
    name = "xuefen.closing"
    label = "closing"
    verbose_name = _("Closing the year: grades, results notices and public notices")
