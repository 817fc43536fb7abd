from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("mine/", views.my_registrations, name="mine"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/register-by-phone/", views.register_by_phone, name="register_by_phone"),
    path("r/<str:token>/", views.manage, name="manage"),
    path("r/<str:token>/qr.png", views.manage_qr, name="manage_qr"),
    path("<int:pk>/poster.<str:fmt>", views.event_poster, name="poster"),
    path("<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("<int:pk>/no-shows/", views.no_shows, name="no_shows"),
    path("<int:pk>/registrations/", views.registrations, name="registrations"),
    path("<int:pk>/registrations.xlsx", views.registrations_export, name="export"),
    path("<int:pk>/scan/", views.scanner, name="scanner"),
    path("<int:pk>/counts/", views.live_counts, name="counts"),
    path("<int:pk>/r/<int:rid>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("<int:pk>/r/<int:rid>/accept/", views.offer_accept, name="offer_accept"),
    path("<int:pk>/r/<int:rid>/qr.png", views.registration_qr, name="registration_qr"),
    path("<int:pk>/posts/new/", views.post_create, name="post_create"),
    path("<int:pk>/posts/<int:post_id>/signup/", views.signup_create, name="signup_create"),
    path("<int:pk>/signups/<int:sid>/<slug:action>/", views.signup_action, name="signup_action"),
    path("<int:pk>/pledges/new/", views.pledge_create, name="pledge_create"),
    path("<int:pk>/pledges/<int:pledge_id>/status/", views.pledge_status, name="pledge_status"),
    path("<int:pk>/recognitions/new/", views.recognition_create, name="recognition_create"),
    path("<int:pk>/photos/new/", views.photos_add, name="photos_add"),
    path("photos/<int:pk>/<slug:variant>/", views.photo, name="photo"),
    path("<int:pk>/recognitions/<int:rid>/certificate.pdf", views.certificate, name="certificate"),
]
