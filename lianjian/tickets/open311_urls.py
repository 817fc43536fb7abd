from django.urls import path, re_path

from . import open311

app_name = "open311"
urlpatterns = [
    re_path(r"^discovery\.(?P<fmt>json|xml)$", open311.discovery, name="discovery"),
    re_path(r"^services\.(?P<fmt>json|xml)$", open311.services_list, name="services"),
    re_path(r"^services/(?P<code>[^/]{1,100})\.(?P<fmt>json|xml)$", open311.service_definition, name="service"),
    re_path(r"^requests\.(?P<fmt>json|xml)$", open311.requests_view, name="requests"),
    re_path(r"^requests/(?P<pk>[^/]{1,100})\.(?P<fmt>json|xml)$", open311.request_one, name="request"),
    re_path(r"^tokens/(?P<token>[^/]{1,100})\.(?P<fmt>json|xml)$", open311.token_view, name="token"),
    path("", open311.discovery_default, name="index"),
]
