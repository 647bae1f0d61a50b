from django.urls import path

from xuefen.xapi import lrs, views

app_name = "xapi"
urlpatterns = [
    # The LRS (HTTP Basic per platform; no session, no CSRF)
    path("statements", lrs.statements, name="lrs_statements"),
    path("statements/more/<str:token>", lrs.more, name="lrs_more"),
    path("about", lrs.about, name="lrs_about"),
    # The credit office's pages
    path("platforms/", views.clients, name="clients"),
    path("platforms/new/", views.client_new, name="client_new"),
    path("platforms/<int:client_id>/", views.client, name="client"),
    path("platforms/<int:client_id>/revoke/", views.client_revoke, name="client_revoke"),
    path("received/", views.statements, name="statements"),
]
