from django.urls import path

from . import board, feeds, views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("r/<str:token>/", board.rate, name="rate"),
    path("board/<str:code>/", board.board, name="board"),
    path("area/<str:code>/", views.area, name="area"),
    path("c/<str:code>/", views.community, name="community"),
    path("p/<int:pk>/", views.project, name="project"),
    path("my-board/", views.my_board, name="my_board"),
    path("feeds/stories/", feeds.SiteStoriesFeed(), name="feed_site"),
    path("feeds/<str:code>/", feeds.RegionStoriesFeed(), name="feed_region"),
]
