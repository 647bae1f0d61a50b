from django.urls import include, path

from xuefen.api import views
from xuefen.api.v1.api import urlpatterns as v1

app_name = "api"
urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("v1/", include(v1())),
]
