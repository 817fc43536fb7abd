"""The background-job pages; ``lianjian.home.urls`` serves them in the ``core`` namespace."""

from django.urls import path

from . import job_views

urlpatterns = [
    path("jobs/", job_views.job_list, name="jobs"),
    path("jobs/<int:pk>/", job_views.job_detail, name="job"),
    path("jobs/<int:pk>/download/", job_views.job_download, name="job_download"),
]
