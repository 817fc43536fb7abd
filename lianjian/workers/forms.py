"""Forms of the worker pages; the services check every rule again (forms only shape the input)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lianjian.core.images import PhotoField
from lianjian.core.text import reject_control_chars
from lianjian.core.validators import phone_validator
from lianjian.orgs.models import Organisation, OrgKind
from lianjian.orgs.selectors import partner_units_for
from lianjian.regions.models import Region

from .models import MAX_STOCK, Amenity, Merchant, Offer, Platform, Station, Worker, WorkerStatus


class DateInput(forms.DateInput):
    input_type = "date"


class WorkerForm(forms.ModelForm):
    """A courier or rider registers: community, platform, station, work area, party member, phone."""

    community = forms.ModelChoiceField(label=_("登记社区"), queryset=Region.objects.none(),
                                       help_text=_("选择您常驻或所在站点的社区，由该社区工作人员核验。"))
    phone = forms.CharField(label=_("手机号"), max_length=11,
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}))
    sms_code = forms.CharField(label=_("短信验证码"), max_length=6, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                             "autocomplete": "one-time-code"}))

    class Meta:
        model = Worker
        fields = ["name", "platform", "company", "station_name", "work_area", "is_party_member"]

    def __init__(self, *args: Any, communities: Any, ask_password: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        if communities.count() == 1:
            self.fields["community"].initial = communities.first()
        self.order_fields(["name", "phone", "sms_code", "community", "platform", "company", "station_name",
                           "work_area", "is_party_member"])
        if ask_password:
            self.fields["password"] = forms.CharField(
                label=_("设置登录密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                help_text=_("以后用手机号和此密码登录。"), max_length=128)

    def clean_phone(self) -> str:
        phone = (self.cleaned_data.get("phone") or "").strip().replace(" ", "")
        phone_validator(phone)
        return phone

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        validate_password(password)
        return password


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("未通过原因"), max_length=200, validators=[reject_control_chars])


class StationForm(forms.ModelForm):
    amenities = forms.MultipleChoiceField(label=_("设施"), choices=Amenity.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Station
        fields = ["name", "address", "lat", "lng", "opening_hours", "amenities", "description", "is_open"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"lat": _("选填，例如 30.686000"), "lng": _("选填，例如 103.842000")}

    def __init__(self, *args: Any, communities: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"] = forms.ModelChoiceField(label=_("社区"), queryset=communities)
            if communities.count() == 1:
                self.fields["community"].initial = communities.first()
            self.order_fields(["community", *self.Meta.fields])


class SupplyForm(forms.Form):
    name = forms.CharField(label=_("物资名称"), max_length=40, validators=[reject_control_chars])
    unit = forms.CharField(label=_("单位"), max_length=10, initial="件", validators=[reject_control_chars])
    quantity = forms.IntegerField(label=_("现有库存"), min_value=0, max_value=MAX_STOCK, initial=0)
    low_threshold = forms.IntegerField(label=_("低库存提醒线"), min_value=0, max_value=MAX_STOCK, initial=0)


class MoveForm(forms.Form):
    """Take (hand out) or restock a supply."""

    action = forms.ChoiceField(choices=[("take", _("领取")), ("restock", _("补充"))])
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=MAX_STOCK, initial=1)


class StationPhotosForm(forms.Form):
    photos = PhotoField(label=_("驿站照片"), multiple=True, max_files=12)
    caption = forms.CharField(label=_("说明（选填）"), max_length=100, required=False,
                              validators=[reject_control_chars])


class MerchantForm(forms.Form):
    community = forms.ModelChoiceField(label=_("社区"), queryset=Region.objects.none())
    organisation = forms.ModelChoiceField(label=_("商户（联建单位）"), queryset=Organisation.objects.none())
    alliance = forms.CharField(label=_("所属商家联盟"), max_length=60, required=False,
                               validators=[reject_control_chars])
    blurb = forms.CharField(label=_("简介"), max_length=200, required=False, validators=[reject_control_chars])

    def __init__(self, *args: Any, communities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        if communities.count() == 1:
            self.fields["community"].initial = communities.first()
        merchants = Organisation.objects.none()
        for community in communities[:50]:
            merchants = merchants | partner_units_for(community).filter(kind=OrgKind.MERCHANT)
        self.fields["organisation"].queryset = merchants.distinct().exclude(  # type: ignore[attr-defined]
            pk__in=Merchant.objects.filter(community__in=communities).values("organisation_id")).order_by("name")


class OfferForm(forms.ModelForm):
    class Meta:
        model = Offer
        fields = ["title", "details", "valid_from", "valid_until", "is_active"]
        widgets = {"valid_from": DateInput(), "valid_until": DateInput()}


class WorkerFilterForm(forms.Form):
    community = forms.ModelChoiceField(label=_("社区"), queryset=Region.objects.none(), required=False,
                                       empty_label=_("全部社区"))
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部状态")), *WorkerStatus.choices], required=False)
    platform = forms.ChoiceField(label=_("平台"), choices=[("", _("全部平台")), *Platform.choices], required=False)
    grid = forms.ChoiceField(label=_("流动网格员"), choices=[("", _("不限")), ("1", _("是")), ("0", _("否"))],
                             required=False)
    q = forms.CharField(label=_("搜索"), max_length=40, required=False)

    def __init__(self, *args: Any, communities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        grid = {"1": True, "0": False}.get(d.get("grid") or "")
        return {"community": d.get("community"), "status": d.get("status") or "", "platform": d.get("platform") or "",
                "grid_reporter": grid, "q": (d.get("q") or "").strip()}


def form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form (fields it knows, else the top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
