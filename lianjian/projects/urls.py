from django.urls import path, re_path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("from-need/<int:need_pk>/", views.project_from_need, name="from_need"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/progress/", views.progress_add, name="progress"),
    path("<int:pk>/complete/", views.project_complete, name="complete"),
    path("<int:pk>/cancel/", views.project_cancel, name="cancel"),
    path("<int:pk>/start/", views.project_start, name="start"),
    path("<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("photos/<int:pk>/<str:variant>/", views.photo, name="photo"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    re_path(r"^(?P<pk>[0-9]+)/qr\.(?P<fmt>svg|png)$", views.project_qr, name="qr"),
]
