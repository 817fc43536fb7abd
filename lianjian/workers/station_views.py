"""Station and merchant pages: the public station page, staff management, supplies, usage, offers."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.accounts.selectors import activity_for
from lianjian.core.fonts import font_face_css
from lianjian.core.images import serve_photo
from lianjian.core.qr import qr_png, qr_response

from . import merchants, selectors, stations
from .forms import MerchantForm, MoveForm, OfferForm, StationForm, StationPhotosForm, SupplyForm, form_errors
from .models import Station


@login_required
def station_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not get_scope(request.user).is_staff_like:
        raise PermissionDenied
    return render(request, "workers/stations.html", {"stations": selectors.station_list(user=request.user)})


@login_required
def station_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    communities = selectors.staff_communities(user=request.user)
    if not communities.exists():
        raise PermissionDenied
    form = StationForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "community"}
        try:
            station = stations.station_create(actor=request.user, community=form.cleaned_data["community"], **data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("驿站已创建。"))
            return redirect(station)
    return render(request, "workers/station_form.html", {"form": form})


@login_required
def station_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    station = selectors.station_for(request.user, pk, change=True)
    form = StationForm(request.POST or None, instance=Station.objects.get(pk=station.pk))
    if request.method == "POST" and form.is_valid():
        try:
            stations.station_update(actor=request.user, station=station, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(station)
    return render(request, "workers/station_form.html", {"form": form, "station": station})


def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone: the station's address, hours, amenities, photos and what is in stock. Its staff also
    manage supplies, print the door QR and see the usage chart; a worker can take supplies."""
    station = selectors.station_for(request.user, pk)
    scope = get_scope(request.user)
    staff = scope.can_change(station)
    if not station.is_open and not staff:
        raise Http404
    ctx: dict[str, Any] = {"station": station, "is_staff": staff,
                           "supplies": list(selectors.supplies_of(station=station)),
                           "photos": list(selectors.station_photos(station=station)),
                           "may_take": stations.may_take(request.user, station) if request.user.is_authenticated
                           else False}
    if staff:
        usage = selectors.station_usage(station=station)
        ctx |= {"usage": usage, "chart": usage.chart(), "supply_form": SupplyForm(),
                "photos_form": StationPhotosForm(), "activities": activity_for(user=request.user, obj=station),
                "checkin_url": request.build_absolute_uri(station.get_checkin_url())}
    return render(request, "workers/station.html", ctx)


@require_POST
@login_required
def supply_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    station = selectors.station_for(request.user, pk, change=True)
    form = SupplyForm(request.POST)
    if form.is_valid():
        try:
            stations.supply_create(actor=request.user, station=station, **form.cleaned_data)
            messages.success(request, _("已添加物资。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(station.get_absolute_url() + "#supplies")


@require_POST
@login_required
def supply_move(request: AuthenticatedHttpRequest, pk: int, sid: int) -> HttpResponse:
    """Take (staff or a verified worker) or restock (staff) a supply."""
    station = selectors.station_for(request.user, pk)
    supply = selectors.supply_for(request.user, station, sid)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(station.get_absolute_url() + "#supplies")
    n = form.cleaned_data["quantity"]
    try:
        if form.cleaned_data["action"] == "restock":
            stations.supply_restock(actor=request.user, supply=supply, quantity=n)
            messages.success(request, _("已补充 %(name)s %(n)d %(unit)s。") % {"name": supply.name, "n": n,
                                                                             "unit": supply.unit})
        else:
            stations.supply_take(actor=request.user, supply=supply, quantity=n)
            messages.success(request, _("已领取 %(name)s %(n)d %(unit)s。") % {"name": supply.name, "n": n,
                                                                             "unit": supply.unit})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(station.get_absolute_url() + "#supplies")


@require_POST
@login_required
def photos_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    station = selectors.station_for(request.user, pk, change=True)
    form = StationPhotosForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            rows = stations.station_photos_add(actor=request.user, station=station,
                                               photos=form.cleaned_data["photos"], caption=form.cleaned_data["caption"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已上传 %(n)d 张照片。") % {"n": len(rows)})
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(station.get_absolute_url() + "#photos")


def photo(request: HttpRequest, pk: int, variant: str) -> HttpResponseBase:
    """A station photo: ``original`` (its staff), ``public`` (≤ 1600 px, no EXIF) or ``thumbnail``."""
    return serve_photo(request, getter=selectors.station_photo_get, pk=pk, variant=variant)


@login_required
def poster(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The QR code for the station's door (staff): a PNG, or an A4 PDF poster with it."""
    station = selectors.station_for(request.user, pk, change=True)
    url = request.build_absolute_uri(station.get_checkin_url())
    if fmt == "png":
        return qr_response(url, fmt="png", filename=f"station-{station.pk}-qr", download=True)
    if fmt != "pdf":
        raise Http404
    from weasyprint import HTML  # loads Pango through ctypes: only where a PDF is really made

    html = render_to_string("workers/poster.html", {
        "station": station, "url": url, "font_face": font_face_css(),
        "qr": "data:image/png;base64," + base64.b64encode(qr_png(url)).decode()})
    response = HttpResponse(HTML(string=html, base_url="/").write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="station-{station.pk}-poster.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# ---- merchants -------------------------------------------------------------------------------------

@login_required
def merchant_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    if not (scope.is_staff_like or scope.is_liaison):
        raise PermissionDenied
    communities = selectors.staff_communities(user=request.user)
    form = MerchantForm(request.POST or None, communities=communities) if scope.is_staff_like else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        try:
            merchant = merchants.merchant_create(actor=request.user, community=d["community"],
                                                 organisation=d["organisation"], alliance=d["alliance"],
                                                 blurb=d["blurb"])
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已登记友好商户。"))
            return redirect(merchant)
    return render(request, "workers/merchants.html", {
        "merchants": selectors.merchant_list(user=request.user), "form": form})


@login_required
def merchant_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    merchant = selectors.merchant_for(request.user, pk)
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            merchants.offer_create(actor=request.user, merchant=merchant, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已发布优惠。"))
            return redirect(merchant)
    return render(request, "workers/merchant.html", {
        "merchant": merchant, "offers": list(merchant.offers.order_by("-is_active", "-valid_from", "id")),
        "form": form, "is_staff": get_scope(request.user).covers_region(merchant.community),
        "activities": activity_for(user=request.user, obj=merchant)})


@login_required
def offer_edit(request: AuthenticatedHttpRequest, pk: int, oid: int) -> HttpResponse:
    merchant = selectors.merchant_for(request.user, pk)
    offer = selectors.offer_for(request.user, merchant, oid)
    form = OfferForm(request.POST or None, instance=type(offer).objects.get(pk=offer.pk))
    if request.method == "POST" and form.is_valid():
        try:
            merchants.offer_update(actor=request.user, offer=offer, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(merchant)
    return render(request, "workers/offer_form.html", {"form": form, "merchant": merchant, "offer": offer})
