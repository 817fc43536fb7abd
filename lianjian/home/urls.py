"""The ``core`` URL namespace: the home page (here) and the background-job pages (lianjian.core).

The namespace keeps its name so ``core:home`` and ``core:jobs`` stay what every template links to."""

from django.urls import path

from lianjian.core.urls import urlpatterns as core_urlpatterns

from . import views

app_name = "core"
urlpatterns = [
    path("home/", views.home, name="home"),
    *core_urlpatterns,
]
