from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("", views.home, name="home"),
    path("needs/<int:pk>/", views.need_suggestions, name="need"),
    path("needs/<int:pk>/invite/", views.invite, name="invite"),
    path("invitations/<int:pk>/", views.invitation, name="invitation"),
    path("resources/<int:pk>/", views.resource_needs, name="resource"),
    path("units/<int:pk>/", views.unit_needs, name="unit"),
    path("sheet/<int:pk>/", views.sheet, name="sheet"),
]
