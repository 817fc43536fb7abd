"""Back-office views of projects. Read-only: every change goes through the services (pages, API)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Milestone, ProgressUpdate, Project, ProjectUnit, Rating


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProjectUnitInline(ReadOnlyMixin, admin.TabularInline):
    model = ProjectUnit
    extra = 0


class MilestoneInline(ReadOnlyMixin, admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Project)
class ProjectAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "community",
        "year",
        "category",
        "lead_org",
        "status",
        "completed_on",
        "people_served",
        "rating_count",
    ]
    list_filter = ["status", "year", "category"]
    search_fields = ["title", "lead_org__name"]
    list_select_related = ["community", "category", "lead_org"]
    inlines = [ProjectUnitInline, MilestoneInline]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["project", "happened_on", "organisation", "people_served", "volunteer_hours", "is_completion"]
    list_select_related = ["project", "organisation"]
    date_hierarchy = "happened_on"


@admin.register(Rating)
class RatingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["project", "stars", "comment", "created_at"]
    list_select_related = ["project"]
    exclude = ["device_hash"]
