from django.urls import path

from xuefen.claims import views

app_name = "claims"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("<int:claim_id>/", views.detail, name="detail"),
    path("<int:claim_id>/edit/", views.edit, name="edit"),
    path("<int:claim_id>/submit/", views.submit, name="submit"),
    path("<int:claim_id>/decide/", views.decide, name="decide"),
    path("<int:claim_id>/evidence/", views.evidence_add, name="evidence_add"),
    path("<int:claim_id>/comment/", views.comment, name="comment"),
    path("evidence/<int:evidence_id>/", views.evidence_file, name="evidence_file"),
    path("evidence/<int:evidence_id>/remove/", views.evidence_remove, name="evidence_remove"),
    path("check/", views.unit_queue, name="unit_queue"),
    path("office/", views.office_queue, name="office_queue"),
    path("office/approve/", views.batch_approve, name="batch_approve"),
    path("spot-checks/", views.spot_checks, name="spot_checks"),
    path("spot-checks/<int:spot_id>/", views.spot_decide, name="spot_decide"),
    path("types/", views.types, name="types"),
    path("types/new/", views.type_edit, name="type_new"),
    path("types/<int:type_id>/", views.type_edit, name="type_edit"),
    path("periods/", views.periods, name="periods"),
    path("periods/new/", views.period_edit, name="period_new"),
    path("periods/<int:period_id>/", views.period_edit, name="period_edit"),
]
