"""The API root: every app's router assembled under /api/v1/ with its OpenAPI document at /api/v1/openapi.json."""

from __future__ import annotations

from lianjian.api.auth import default_auth
from lianjian.api.base import LianjianAPI
from lianjian.api.errors import install_handlers

api = LianjianAPI(
    title="lianjian API",
    version="1.0.0",
    description="联建 regional party-building co-construction platform. Authenticate with a browser "
    "session or `Authorization: Bearer <personal token>`. Every 4xx has the body "
    '`{"error": {"code": "...", "message": "..."}}`. Session-authenticated writes need the CSRF token '
    "(`X-CSRFToken`); bearer tokens do not. Every POST accepts an `Idempotency-Key` header (1–255 "
    "visible ASCII characters, kept 24 hours): a retry with the same key and body gets the first answer "
    "(`Idempotent-Replayed: true`), the same key with another body 409 `idempotency_key_reused`. Bodies "
    "are limited to 1 MB (JSON) and 80 MB (multipart uploads); larger ones get 413.",
    auth=default_auth,
    urls_namespace="api-1",
)
install_handlers(api)

from lianjian.analytics.api import router as analytics_router  # noqa: E402
from lianjian.api.me import router as accounts_router  # noqa: E402
from lianjian.events.api import router as events_router  # noqa: E402
from lianjian.lists.api import router as lists_router  # noqa: E402
from lianjian.matching.api import router as matching_router  # noqa: E402
from lianjian.meetings.api import router as meetings_router  # noqa: E402
from lianjian.notifications.api import router as notifications_router  # noqa: E402
from lianjian.orgs.api import router as orgs_router  # noqa: E402
from lianjian.points.api import router as points_router  # noqa: E402
from lianjian.projects.api import router as projects_router  # noqa: E402
from lianjian.regions.api import router as regions_router  # noqa: E402
from lianjian.search.api import router as search_router  # noqa: E402
from lianjian.stories.api import router as stories_router  # noqa: E402
from lianjian.tickets.api import router as tickets_router  # noqa: E402
from lianjian.workers.api import router as workers_router  # noqa: E402

api.add_router("/me", accounts_router, tags=["accounts"])
api.add_router("/regions", regions_router, tags=["regions"])
api.add_router("/organisations", orgs_router, tags=["organisations"])
api.add_router("/", lists_router, tags=["needs & resources"])  # /needs, /resources, /claims, /categories
api.add_router("/projects", projects_router, tags=["projects"])
api.add_router("/notifications", notifications_router, tags=["notifications"])
api.add_router("/meetings", meetings_router, tags=["meetings"])
api.add_router("/analytics", analytics_router, tags=["analytics"])
api.add_router("/matching", matching_router, tags=["matching"])
api.add_router("/events", events_router, tags=["events"])
api.add_router("/workers", workers_router, tags=["workers"])
api.add_router("/points", points_router, tags=["points"])
api.add_router("/tickets", tickets_router, tags=["street reports"])
api.add_router("/stories", stories_router, tags=["stories"])
api.add_router("/search", search_router, tags=["search"])
