"""Account routes (namespace ``accounts``, mounted at ``/account/``)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from tokens import views as token_views

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    # Django's LogoutView accepts POST only, so a link or an image tag cannot log anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token-revoke"),
]
