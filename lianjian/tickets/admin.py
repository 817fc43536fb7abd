from django.contrib import admin

from lianjian.core.admin import AuditedAdmin

from .models import Category, Report


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ["name", "code", "response_hours", "duplicate_radius_m", "group", "is_active", "order"]
    list_editable = ["response_hours", "duplicate_radius_m", "is_active", "order"]
    search_fields = ["name", "code", "keywords"]


@admin.register(Report)
class ReportAdmin(AuditedAdmin):
    """Read-only here: reports change only through the services (status machine, timeline, events)."""

    list_display = ["pk", "category", "community", "status", "created_at", "deadline", "escalated_at"]
    list_filter = ["status", "category"]
    search_fields = ["description", "address"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
