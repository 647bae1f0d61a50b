from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElearningConfig(AppConfig):
    name = "xuefen.elearning"
    label = "elearning"
    verbose_name = _("Online learning")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_save

        from xuefen.elearning import signals

        user_logged_out.connect(signals.logged_out, dispatch_uid="elearning-logged-out")
        post_save.connect(
            signals.account_saved, sender=get_user_model(), dispatch_uid="elearning-deactivated"
        )
