from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The signed-in shell: the home page (工作台), the navigation and the account page.

    It reads every domain (needs to review, overdue milestones, a liaison's invitations), so it
    sits above them in the layer contract, beside the other readers."""

    name = "lianjian.home"
    label = "home"
    verbose_name = _("工作台")
