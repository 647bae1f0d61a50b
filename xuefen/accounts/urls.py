from django.urls import path

from xuefen.accounts import activation_views, manage_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("activate/", activation_views.activate, name="activate"),
    path("letters/", activation_views.letters, name="letters"),
    path("users/", manage_views.user_list, name="users"),
    path("users/new/", manage_views.user_create, name="user_create"),
    path("users/<int:user_id>/", manage_views.user_detail, name="user_detail"),
    path("users/<int:user_id>/grant/", manage_views.grant, name="grant"),
    path("users/<int:user_id>/grants/<int:grant_id>/revoke/", manage_views.revoke, name="revoke"),
    path("users/<int:user_id>/active/", manage_views.set_active, name="set_active"),
    path("users/<int:user_id>/password/", manage_views.reset_password, name="reset_password"),
    path("users/<int:user_id>/unlock/", manage_views.unlock, name="unlock"),
    path("role-proposals/", manage_views.grant_proposals, name="grant_proposals"),
    path(
        "role-proposals/<int:proposal_id>/decide/",
        manage_views.grant_proposal_decide,
        name="grant_proposal_decide",
    ),
]
