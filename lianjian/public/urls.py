from django.urls import path

from . import board, views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("r/<str:token>/", board.rate, name="rate"),
    path("board/<str:code>/", board.board, name="board"),
]
