from django.urls import path

from xuefen.ledger import views

app_name = "ledger"
urlpatterns = [
    path("people/<int:person_id>/", views.person_entries, name="person_entries"),
    path("people/<int:person_id>/post/", views.post_manual, name="post_manual"),
    path("entries/<int:entry_id>/reverse/", views.reverse, name="reverse"),
    path("people/<int:person_id>/exemptions/", views.exemptions, name="exemptions"),
    path("exemptions/pending/", views.exemption_queue, name="exemption_queue"),
    path(
        "exemptions/<int:exemption_id>/decide/",
        views.decide_exemption_view,
        name="exemption_decide",
    ),
]
