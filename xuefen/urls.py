from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("xuefen.core.urls")),
    path("accounts/", include("xuefen.accounts.urls")),
    path("orgs/", include("xuefen.orgs.urls")),
    path("audit/", include("xuefen.audit.urls")),
    path("policy/", include("xuefen.policy.urls")),
    path("ledger/", include("xuefen.ledger.urls")),
    path("reports/", include("xuefen.reports.urls")),
    path("intake/", include("xuefen.intake.urls")),
    path("claims/", include("xuefen.claims.urls")),
    path("training/", include("xuefen.training.urls")),
    path("exams/", include("xuefen.exams.urls")),
    path("elearning/", include("xuefen.elearning.urls")),
    path("planning/", include("xuefen.planning.urls")),
    path("api/", include("xuefen.api.urls")),
    path("xapi/", include("xuefen.xapi.urls")),
    path("closing/", include("xuefen.closing.urls")),
    path("archive/", include("xuefen.archive.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
# Django's admin bypasses the org scoping: for the deployer's superuser only, off in production
# unless XUEFEN_DJANGO_ADMIN turns it on, and entered through Xuefen's own log-in (core.admin).
if settings.DJANGO_ADMIN:
    urlpatterns.append(path("django-admin/", admin.site.urls))
