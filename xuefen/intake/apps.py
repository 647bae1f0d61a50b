from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "xuefen.intake"
    label = "intake"
    verbose_name = _("Providers and bulk reporting")
