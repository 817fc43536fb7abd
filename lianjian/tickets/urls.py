from django.urls import path

from . import staff_views, views

app_name = "tickets"
urlpatterns = [
    path("", views.my_reports, name="mine"),
    path("new/", views.report_create, name="create"),
    path("nearby/", views.nearby, name="nearby"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/support/", views.support, name="support"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
    path("photos/<int:pk>/<slug:variant>/", views.photo, name="photo"),
    path("inbox/", views.inbox, name="inbox"),
    path("staff/", staff_views.staff_list, name="staff_list"),
    path("staff/export.xlsx", staff_views.export, name="export"),
    path("staff/categories/", staff_views.category_list, name="categories"),
    path("staff/categories/<slug:code>/", staff_views.category_edit, name="category_edit"),
    path("<int:pk>/triage/", staff_views.triage, name="triage"),
    path("<int:pk>/dispatch/", staff_views.dispatch, name="dispatch"),
    path("<int:pk>/to-need/", staff_views.to_need, name="to_need"),
]
