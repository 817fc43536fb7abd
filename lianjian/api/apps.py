from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lianjian.api"
    label = "api"
    verbose_name = "API"
