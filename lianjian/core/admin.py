from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .activity import _plain, record_activity
from .models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """The audit trail is read-only, also for superusers."""

    list_display = ["created_at", "actor_repr", "action", "content_type", "object_repr", "source"]
    list_filter = ["source", "action", "content_type"]
    search_fields = ["actor_repr", "object_repr", "object_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletions land in the audit trail like service writes."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changes = {f: [_plain(form.initial.get(f)), _plain(form.cleaned_data.get(f))] for f in form.changed_data}
        record_activity(actor=request.user, action="update" if change else "create", obj=obj, changes=changes,
                        note="admin")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record_activity(actor=request.user, action="delete", obj=obj, note="admin")
        super().delete_model(request, obj)
