from django.urls import path

from . import staff_views, views

app_name = "points"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("entries/<int:pk>/", views.entry, name="entry"),
    path("rewards/", views.rewards, name="rewards"),
    path("rewards/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("codes/", views.my_codes, name="codes"),
    path("codes/<str:code>/", views.redemption, name="redemption"),
    path("codes/<str:code>/qr.svg", views.redemption_qr, name="redemption_qr"),
    path("codes/<str:code>/cancel/", views.redemption_cancel, name="redemption_cancel"),
    path("merchant/", views.merchant, name="merchant"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("staff/", staff_views.staff_home, name="staff"),
    path("staff/<int:pk>/", staff_views.scheme, name="scheme"),
    path("staff/<int:pk>/rules/", staff_views.rule_save, name="rule_save"),
    path("staff/<int:pk>/awards/", staff_views.award, name="award"),
    path("staff/<int:pk>/awards/<int:award_id>/", staff_views.award_decide, name="award_decide"),
    path("staff/<int:pk>/rewards/", staff_views.reward_create, name="reward_create"),
    path("staff/<int:pk>/ledger/", staff_views.ledger_page, name="ledger"),
    path("staff/<int:pk>/liabilities.xlsx", staff_views.liabilities_export, name="export"),
]
