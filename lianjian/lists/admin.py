from django.contrib import admin

from lianjian.core.admin import AuditedAdmin

from .models import BeneficiaryGroup, Category, Claim, Need, Resource


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    """The managed taxonomy: admins rename, reorder and retire categories here."""

    list_display = ["name", "name_en", "code", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name", "name_en", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(BeneficiaryGroup)
class BeneficiaryGroupAdmin(AuditedAdmin):
    list_display = ["name", "name_en", "code", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name", "name_en", "code"]


class ReadOnlyCountersAdmin(AuditedAdmin):
    """Needs, resources and claims change through the services (web, API); the admin only
    shows them, so counters and statuses never bypass the rules."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Need)
class NeedAdmin(ReadOnlyCountersAdmin):
    list_display = ["title", "community", "category", "status", "year", "quantity_covered", "quantity_needed"]
    list_filter = ["status", "year", "category"]
    search_fields = ["title"]
    list_select_related = ["community", "category"]


@admin.register(Resource)
class ResourceAdmin(ReadOnlyCountersAdmin):
    list_display = ["title", "organisation", "category", "status", "remaining", "capacity"]
    list_filter = ["status", "category"]
    search_fields = ["title", "organisation__name"]
    list_select_related = ["organisation", "category"]


@admin.register(Claim)
class ClaimAdmin(ReadOnlyCountersAdmin):
    list_display = ["need", "organisation", "quantity", "role", "status", "channel", "created_at"]
    list_filter = ["status", "role", "channel"]
    list_select_related = ["need", "organisation"]
