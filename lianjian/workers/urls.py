from django.urls import path

from . import station_views, views

app_name = "workers"
urlpatterns = [
    path("", views.worker_list, name="list"),
    path("export.xlsx", views.worker_export, name="export"),
    path("register/", views.register, name="register"),
    path("me/", views.me, name="me"),
    path("<int:pk>/", views.worker_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.worker_action, name="action"),
    path("s/<str:token>/", views.scan, name="scan"),
    path("stations/", station_views.station_list, name="stations"),
    path("stations/new/", station_views.station_create, name="station_create"),
    path("stations/<int:pk>/", station_views.station_detail, name="station"),
    path("stations/<int:pk>/edit/", station_views.station_edit, name="station_edit"),
    path("stations/<int:pk>/supplies/new/", station_views.supply_create, name="supply_create"),
    path("stations/<int:pk>/supplies/<int:sid>/move/", station_views.supply_move, name="supply_move"),
    path("stations/<int:pk>/photos/new/", station_views.photos_add, name="photos_add"),
    path("stations/<int:pk>/poster.<str:fmt>", station_views.poster, name="poster"),
    path("stations/photos/<int:pk>/<slug:variant>/", station_views.photo, name="photo"),
    path("merchants/", station_views.merchant_list, name="merchants"),
    path("merchants/<int:pk>/", station_views.merchant_detail, name="merchant"),
    path("merchants/<int:pk>/offers/<int:oid>/", station_views.offer_edit, name="offer_edit"),
]
