from django.contrib import admin

from lianjian.core.admin import AuditedAdmin

from .models import Event, Registration


@admin.register(Event)
class EventAdmin(AuditedAdmin):
    list_display = ["title", "region", "starts_at", "capacity", "taken", "status"]
    list_filter = ["kind", "status", "audience"]
    search_fields = ["title", "venue"]
    readonly_fields = ["taken", "capacity", "region"]  # capacity changes go through the services
    raw_id_fields = ["region", "project", "created_by"]


@admin.register(Registration)
class RegistrationAdmin(AuditedAdmin):
    """Read-only here: registrations change only through the services (capacity and waitlist rules)."""

    list_display = ["name", "event", "party_size", "status", "checked_in_at"]
    list_filter = ["status"]
    search_fields = ["name", "code"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
