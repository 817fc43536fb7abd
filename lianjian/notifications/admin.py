from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "text", "is_read"]
    list_filter = ["kind", "is_read"]
    search_fields = ["text", "recipient__username", "recipient__real_name"]
    raw_id_fields = ["recipient"]
