from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lianjian.orgs.models import Partnership, PartnershipStatus
from lianjian.regions.models import Level, Region


def home(request: HttpRequest) -> HttpResponse:
    """The public home page: what the platform is and public figures, no personal data."""
    stats = {
        "communities": Region.objects.filter(level=Level.COMMUNITY).count(),
        "partnerships": Partnership.objects.filter(status=PartnershipStatus.ACTIVE).count(),
        "units": Partnership.objects.filter(status=PartnershipStatus.ACTIVE).values("organisation").distinct().count(),
    }
    return render(request, "public/home.html", {"stats": stats})
