from django.urls import path

from xuefen.closing import views

app_name = "closing"
urlpatterns = [
    path("", views.closes, name="closes"),
    path("<int:close_id>/", views.close, name="close"),
    path("<int:close_id>/regrade/", views.close_regrade, name="close_regrade"),
    path("<int:close_id>/late/", views.close_late, name="close_late"),
    path("<int:close_id>/publish/", views.close_publish, name="close_publish"),
    path("<int:close_id>/results/<int:node_id>.xlsx", views.results_xlsx, name="results_xlsx"),
    path("<int:close_id>/results/<int:node_id>.pdf", views.results_pdf, name="results_pdf"),
    path("<int:close_id>/results/all/", views.close_run_start, name="close_run_start"),
    path("runs/<int:run_id>/", views.run, name="run"),
    path("runs/<int:run_id>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:run_id>/resume/", views.run_resume, name="run_resume"),
    path("runs/<int:run_id>/download/", views.run_download, name="run_download"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:notice_id>/", views.notice, name="notice"),
    path("notices/<int:notice_id>/finish/", views.notice_finish, name="notice_finish"),
    path(
        "notices/<int:notice_id>/people/<int:person_id>/",
        views.notice_person,
        name="notice_person",
    ),
    path("objections/", views.objections, name="objections"),
    path("objections/<int:objection_id>/", views.objection, name="objection"),
    path(
        "objections/<int:objection_id>/evidence/",
        views.objection_evidence,
        name="objection_evidence",
    ),
    path("assessment/", views.assessment_export, name="assessment"),
]
