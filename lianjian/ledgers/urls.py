from django.urls import path

from . import views

app_name = "ledgers"
urlpatterns = [
    path("", views.ledger_index, name="index"),
    path("template/<str:kind>/", views.ledger_template_download, name="template"),
    path("export/", views.ledger_export_download, name="export"),
    path("export/batch/", views.ledger_export_batch, name="export_batch"),
    path("upload/", views.ledger_upload, name="upload"),
    path("confirm/", views.ledger_confirm, name="confirm"),
    path("errors/", views.ledger_error_report, name="errors"),
]
