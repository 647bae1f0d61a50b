from django.urls import path

from xuefen.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("nodes/new/", views.node_create, name="node_create"),
    path("nodes/<int:node_id>/", views.node_detail, name="node_detail"),
    path("nodes/<int:node_id>/edit/", views.node_edit, name="node_edit"),
    path("people/", views.people, name="people"),
    path("people/export/", views.people_export, name="people_export"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/import/", views.people_import, name="people_import"),
    path("people/import/template/", views.people_import_template, name="people_import_template"),
    path("people/import/<int:import_id>/", views.people_import_detail, name="people_import_detail"),
    path(
        "people/import/<int:import_id>/confirm/",
        views.people_import_confirm,
        name="people_import_confirm",
    ),
    path(
        "people/import/<int:import_id>/errors/",
        views.people_import_errors,
        name="people_import_errors",
    ),
    path("transfer-requests/", views.transfer_requests, name="transfer_requests"),
    path(
        "transfer-requests/<int:request_id>/decide/",
        views.transfer_request_decide,
        name="transfer_request_decide",
    ),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/transfer/", views.person_transfer, name="person_transfer"),
]
