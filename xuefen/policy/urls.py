from django.urls import path

from xuefen.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.ruleset_list, name="list"),
    path("import/", views.ruleset_import, name="import"),
    path("format/", views.ruleset_format, name="format"),
    path("<int:pk>/", views.ruleset_detail, name="detail"),
    path("<int:pk>/edit/", views.ruleset_edit, name="edit"),
    path("<int:pk>/export/", views.ruleset_export, name="export"),
    path("<int:pk>/try/", views.ruleset_try, name="try"),
]
