from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.home, name="home"),
    path("regions/<int:pk>/", views.region_dashboard, name="region"),
    path("regions/<int:pk>/report/", views.report_download, name="report"),
    path("regions/<int:pk>/reports/", views.reports_batch, name="reports_batch"),
]
