from django.urls import path

from . import board, views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("r/<str:token>/", board.rate, name="rate"),
    path("board/<str:code>/", board.board, name="board"),
    path("area/<str:code>/", views.area, name="area"),
    path("p/<int:pk>/", views.project, name="project"),
    path("my-board/", views.my_board, name="my_board"),
]
