from django.urls import path

from xuefen.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.home, name="home"),
    path("providers/", views.providers, name="providers"),
    path("providers/export/", views.providers_export, name="providers_export"),
    path("providers/new/", views.provider_create, name="provider_create"),
    path("providers/<int:provider_id>/", views.provider_detail, name="provider_detail"),
    path("providers/<int:provider_id>/edit/", views.provider_edit, name="provider_edit"),
    path("providers/<int:provider_id>/courses/new/", views.course_create, name="course_create"),
    path("providers/<int:provider_id>/upload/", views.upload, name="upload"),
    path("courses/", views.courses, name="courses"),
    path("courses/export/", views.courses_export, name="courses_export"),
    path("courses/<int:course_id>/edit/", views.course_edit, name="course_edit"),
    path("template/", views.template, name="template"),
    path("batches/", views.batches, name="batches"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:batch_id>/progress/", views.batch_progress, name="batch_progress"),
    path("batches/<int:batch_id>/errors/", views.batch_errors, name="batch_errors"),
    path("batches/<int:batch_id>/resume/", views.batch_resume, name="batch_resume"),
]
