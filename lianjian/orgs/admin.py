from django.contrib import admin

from lianjian.core.admin import AuditedAdmin

from .models import LiaisonChange, Organisation, Partnership


class PartnershipInline(admin.TabularInline):
    model = Partnership
    extra = 0
    autocomplete_fields = ["community", "liaison"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "region", "party_member_count", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["region"]
    inlines = [PartnershipInline]


@admin.register(LiaisonChange)
class LiaisonChangeAdmin(admin.ModelAdmin):
    list_display = ["partnership", "previous", "new", "changed_by", "changed_at"]
    readonly_fields = ["partnership", "previous", "new", "changed_by", "reason", "changed_at"]
