from django.contrib import admin

from lianjian.core.admin import AuditedAdmin

from .models import Region


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "kind", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "code"]
    readonly_fields = ["city", "district", "street", "full_name"]
    autocomplete_fields = ["parent"]
