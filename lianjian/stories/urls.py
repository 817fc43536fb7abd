from django.urls import path

from . import views

app_name = "stories"
urlpatterns = [
    path("manage/", views.manage, name="manage"),
    path("new/", views.create, name="create"),
    path("draft/<slug:kind>/<int:object_id>/", views.draft_from, name="draft_from"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/print/", views.print_view, name="print"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/return/", views.return_, name="return"),
    path("<int:pk>/unpublish/", views.unpublish, name="unpublish"),
    path("<int:pk>/links/", views.link_add, name="link_add"),
    path("<int:pk>/links/<int:link_id>/remove/", views.link_remove, name="link_remove"),
    path("<int:pk>/photos/<int:photo_id>/remove/", views.photo_remove, name="photo_remove"),
    path("photos/<int:pk>/<slug:variant>/", views.photo, name="photo"),
]
