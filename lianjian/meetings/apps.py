from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "lianjian.meetings"
    label = "meetings"
    verbose_name = _("会议")

    def ready(self) -> None:
        from lianjian.core.nav import register_nav

        register_nav(_("会议"), "meetings:list", lambda s: s.is_staff_like or s.is_liaison, order=40)
