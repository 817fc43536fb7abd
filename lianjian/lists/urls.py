from django.urls import path

from . import resident_views, views

app_name = "lists"
urlpatterns = [
    path("", views.need_list, name="need_list"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/post/", resident_views.need_post, name="need_post"),
    path("needs/mine/", resident_views.need_mine, name="need_mine"),
    path("needs/mine/<int:pk>/", resident_views.need_mine_detail, name="need_mine_detail"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("photos/<int:pk>/<str:variant>/", views.need_photo, name="need_photo"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("needs/<int:pk>/publish/", views.need_review, {"action": "publish"}, name="need_publish"),
    path("needs/<int:pk>/return/", views.need_review, {"action": "return"}, name="need_return"),
    path("needs/<int:pk>/close/", views.need_review, {"action": "close"}, name="need_close"),
    path("needs/<int:pk>/claim/", views.claim_create, name="claim_create"),
    path("claims/<int:pk>/confirm/", views.claim_action, {"action": "confirm"}, name="claim_confirm"),
    path("claims/<int:pk>/decline/", views.claim_action, {"action": "decline"}, name="claim_decline"),
    path("claims/<int:pk>/withdraw/", views.claim_action, {"action": "withdraw"}, name="claim_withdraw"),
    path("review/", views.review_queue, name="review"),
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/status/", views.resource_status, name="resource_status"),
    path("unit/", views.my_unit, name="my_unit"),
]
