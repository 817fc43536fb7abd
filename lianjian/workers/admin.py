from django.contrib import admin

from .models import Merchant, Offer, Station, Supply, Worker


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ("name", "platform", "station_name", "community", "status", "is_grid_reporter")
    list_filter = ("status", "platform", "is_grid_reporter")
    search_fields = ("name", "station_name")
    readonly_fields = [f.name for f in Worker._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # every write goes through the services (the site's pages and the API)


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("name", "community", "opening_hours", "is_open")
    readonly_fields = [f.name for f in Station._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Supply)
class SupplyAdmin(admin.ModelAdmin):
    list_display = ("name", "station", "quantity", "low_threshold")
    readonly_fields = [f.name for f in Supply._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ("organisation", "community", "alliance", "is_active")
    readonly_fields = [f.name for f in Merchant._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("title", "merchant", "valid_from", "valid_until", "is_active")
    readonly_fields = [f.name for f in Offer._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
