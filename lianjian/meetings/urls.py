from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/qr.svg", views.meeting_qr, {"fmt": "svg"}, name="qr"),
    path("<int:pk>/qr.png", views.meeting_qr, {"fmt": "png"}, name="qr_png"),
    path("<int:pk>/checkin/<str:token>/", views.meeting_checkin, name="checkin"),
    path("<int:pk>/attendance/", views.attendance_tick, name="attendance"),
    path("<int:pk>/proposals/", views.proposal_create, name="proposal_create"),
    path("<int:pk>/status/", views.meeting_status, name="status"),
    path("<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("<int:pk>/board/", views.board, name="board"),
    path("<int:pk>/board/state/", views.board_state, name="board_state"),
    path("<int:pk>/board/add/", views.board_add, name="board_add"),
    path("<int:pk>/claim/", views.claim_page, name="claim"),
    path("<int:pk>/claims/<int:claim_pk>/confirm/", views.claim_confirm, name="claim_confirm"),
    path("<int:pk>/claims/confirm-all/", views.claim_confirm_all, name="claim_confirm_all"),
    path("proposals/<int:pk>/convert/", views.proposal_convert, name="proposal_convert"),
    path("proposals/<int:pk>/link/", views.proposal_link, name="proposal_link"),
    path("proposals/<int:pk>/decline/", views.proposal_decline, name="proposal_decline"),
]
