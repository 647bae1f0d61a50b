from django.urls import path

from xuefen.planning import views

app_name = "planning"
urlpatterns = [
    path("plans/", views.plans, name="plans"),
    path("plans/<int:plan_id>/", views.plan, name="plan"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/new/", views.survey_new, name="survey_new"),
    path("surveys/<int:survey_id>/", views.survey, name="survey"),
    path("surveys/<int:survey_id>/edit/", views.survey_edit, name="survey_edit"),
    path("my-surveys/", views.my_surveys, name="my_surveys"),
    path("my-surveys/<int:survey_id>/", views.survey_answer, name="survey_answer"),
    path("inbox/", views.inbox, name="inbox"),
    path("outbox/", views.outbox, name="outbox"),
    path("reminder-policy/", views.policies, name="policies"),
]
