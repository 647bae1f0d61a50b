from django.urls import path

from xuefen.reports import views

app_name = "reports"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("people/<int:person_id>/", views.person, name="person"),
    path(
        "people/<int:person_id>/certificate/<int:period>/",
        views.certificate,
        name="certificate",
    ),
    path("verify/", views.verify, name="verify"),
    path("rollup/", views.rollup, name="rollup"),
    path("rollup/<int:node_id>/", views.rollup, name="rollup"),
]
