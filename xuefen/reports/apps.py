from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "xuefen.reports"
    label = "reports"
    verbose_name = _("Results and reports")

    def ready(self) -> None:
        from django.urls import reverse_lazy

        from xuefen.accounts.middleware import FRAME_EXTRAS
        from xuefen.reports import views

        # The pages' data versions are read by the frame's one query (one round trip fewer).
        # (Lazy paths: the URLs are loaded after the apps, the admin's last.)
        FRAME_EXTRAS.append((reverse_lazy("reports:me"), views.frame_version_of_me))
        FRAME_EXTRAS.append((reverse_lazy("reports:rollup"), views.frame_version_of_rollups))
