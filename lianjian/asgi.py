import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianjian.settings")
application = get_asgi_application()

# Server processes only (commands and tests never import this module): import and initialise the
# PDF stack (WeasyPrint, Pango, the CJK font) in a background thread, so that the first annual report
# of each worker does not pay about a second of one-off start-up. See analytics.report.warm_up.
from lianjian.analytics.report import warm_up_in_background  # noqa: E402

warm_up_in_background()
