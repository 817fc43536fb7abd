"""The ``accounts`` URL namespace: log-in, tokens (lianjian.accounts) and the account page (here)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from lianjian.accounts import views

from . import account_views

app_name = "accounts"
urlpatterns = [
    path("", account_views.account, name="account"),
    path("community/", account_views.community_set, name="community"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
