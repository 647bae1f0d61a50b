from django.urls import path

from xuefen.archive import views

app_name = "archive"
urlpatterns = [
    path("", views.people, name="people"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("people/<int:person_id>/archive.pdf", views.person_pdf, name="person_pdf"),
    path("people/<int:person_id>/pull/", views.pull, name="pull"),
    path("prints/", views.prints, name="prints"),
    path("prints/<int:job_id>/", views.job, name="job"),
    path("prints/<int:job_id>/progress/", views.job_progress, name="job_progress"),
    path("prints/<int:job_id>/resume/", views.job_resume, name="job_resume"),
    path("prints/<int:job_id>/file.pdf", views.job_pdf, name="job_pdf"),
]
