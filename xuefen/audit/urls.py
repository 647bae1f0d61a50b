from django.urls import path

from xuefen.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="events"),
    path("export/", views.event_export, name="export"),
    path("<int:event_id>/", views.event_detail, name="event_detail"),
]
