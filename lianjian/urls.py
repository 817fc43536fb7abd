from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from lianjian.api_root import api
from lianjian.core import views as core_views

admin.site.site_header = _("联建 后台管理")
admin.site.site_title = _("联建")
admin.site.index_title = _("后台管理")

urlpatterns = [
    path("", include("lianjian.public.urls")),
    path("", include("lianjian.home.urls")),
    path("accounts/", include("lianjian.home.account_urls")),
    path("regions/", include("lianjian.regions.urls")),
    path("orgs/", include("lianjian.orgs.urls")),
    path("lists/", include("lianjian.lists.urls")),
    path("projects/", include("lianjian.projects.urls")),
    path("notifications/", include("lianjian.notifications.urls")),
    path("ledgers/", include("lianjian.ledgers.urls")),
    path("meetings/", include("lianjian.meetings.urls")),
    path("analytics/", include("lianjian.analytics.urls")),
    path("matching/", include("lianjian.matching.urls")),
    path("events/", include("lianjian.events.urls")),
    path("workers/", include("lianjian.workers.urls")),
    path("points/", include("lianjian.points.urls")),
    path("tickets/", include("lianjian.tickets.urls")),
    path("open311/v2/", include("lianjian.tickets.open311_urls")),
    path("stories/", include("lianjian.stories.urls")),
    path("search/", include("lianjian.search.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("healthz", core_views.healthz, name="healthz"),
]
# No /media/ route, not even with DEBUG: photos are served by the scope-checked views of their
# apps (lists:need_photo, projects:photo), see lianjian.core.images.

handler403 = "lianjian.core.views.error_403"
handler404 = "lianjian.core.views.error_404"
handler500 = "lianjian.core.views.error_500"
