from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lianjian.accounts.permissions import get_scope
from lianjian.core.images import PhotoField
from lianjian.orgs.models import Organisation
from lianjian.regions.models import Region

from .models import MAX_PARTY, Event, Pledge, Recognition, Registration, VolunteerPost

SHIRT_SIZES = [("", "—"), ("S", "S"), ("M", "M"), ("L", "L"), ("XL", "XL"), ("XXL", "XXL")]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EventForm(forms.ModelForm):
    """Staff create an event in a community or street of their scope."""

    class Meta:
        model = Event
        fields = ["title", "kind", "region", "description", "venue", "address", "starts_at", "ends_at", "gather_at",
                  "audience", "capacity", "max_party_size", "registration_opens_at", "registration_closes_at",
                  "waitlist", "promotion", "offer_hours", "ask_emergency_contact", "ask_shirt_size",
                  "ask_dietary_notes", "is_public", "co_units"]
        widgets: dict[str, Any] = {f: DateTimeInput() for f in ["starts_at", "ends_at", "gather_at",
                                                                 "registration_opens_at", "registration_closes_at"]}
        widgets |= {"description": forms.Textarea(attrs={"rows": 4}), "co_units": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = get_scope(user)
        regions = scope.filter_regions(Region.objects.filter(kind__in=["community", "street"])).order_by("code")
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ModelChoiceField)
        region_field.queryset = regions
        if regions.count() == 1:
            region_field.initial = regions.first()
        units = self.fields["co_units"]
        assert isinstance(units, forms.ModelMultipleChoiceField)
        units.queryset = Organisation.objects.filter(
            partnerships__community__in=regions.filter(kind="community")).distinct().order_by("name")
        units.required = False


class RegistrationForm(forms.Form):
    """A person registers themselves; staff also give the name and phone of who they register."""

    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=11, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}))
    party_size = forms.IntegerField(label=_("人数（含本人）"), min_value=1, max_value=MAX_PARTY, initial=1)
    emergency_contact = forms.CharField(label=_("紧急联系人及电话"), max_length=60, required=False)
    shirt_size = forms.ChoiceField(label=_("T恤尺码"), choices=SHIRT_SIZES, required=False)
    dietary_notes = forms.CharField(label=_("饮食禁忌"), max_length=100, required=False)

    def __init__(self, *args: Any, event: Event, on_behalf: bool, ask_phone: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        party = self.fields["party_size"]
        assert isinstance(party, forms.IntegerField)
        party.max_value = event.max_party_size
        party.widget.attrs["max"] = event.max_party_size
        if event.max_party_size == 1:
            self.fields["party_size"].widget = forms.HiddenInput()
        if on_behalf:
            self.fields["name"].required = self.fields["phone"].required = True
        else:
            del self.fields["name"]
            if not ask_phone:
                del self.fields["phone"]
            else:
                self.fields["phone"].required = True
        for flag, name in (("ask_emergency_contact", "emergency_contact"), ("ask_shirt_size", "shirt_size"),
                           ("ask_dietary_notes", "dietary_notes")):
            if not getattr(event, flag):
                del self.fields[name]
            elif name != "dietary_notes":
                self.fields[name].required = True


class CancelEventForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("签到码"), max_length=20)
    nonce = forms.CharField(max_length=64, widget=forms.HiddenInput)


class PostForm(forms.ModelForm):
    class Meta:
        model = VolunteerPost
        fields = ["role", "title", "place", "km", "headcount", "starts_at", "ends_at"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}


class PledgeForm(forms.ModelForm):
    class Meta:
        model = Pledge
        fields = ["item", "quantity", "unit", "pledger_kind", "pledger_name", "organisation"]

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = self.fields["organisation"]
        assert isinstance(org, forms.ModelChoiceField)
        org.queryset = Organisation.objects.filter(
            Q(partnerships__community=event.region) | Q(partnerships__community__parent=event.region)
        ).distinct().order_by("name")
        org.required = False


class RecognitionForm(forms.ModelForm):
    registration = forms.ModelChoiceField(
        label=_("报名人（选填）"), queryset=Registration.objects.none(), required=False,
        help_text=_("选择报名人后，表扬会显示在他（她）的“我的报名”页面；不选则只记姓名。"))

    class Meta:
        model = Recognition
        fields = ["registration", "name", "affiliation", "reason", "gift"]

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["registration"]
        assert isinstance(choice, forms.ModelChoiceField)
        choice.queryset = Registration.objects.filter(event=event, status="confirmed").order_by("name")
        self.fields["name"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name") and not data.get("registration"):
            self.add_error("name", _("请填写姓名或选择报名人。"))
        return data


class HoursReportForm(forms.Form):
    minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=1, max_value=24 * 60)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class PhoneRegistrationForm(RegistrationForm):
    """Registering without an account: name, phone and the one-time code sent to that phone."""

    sms_code = forms.CharField(label=_("短信验证码"), max_length=6, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, event=event, on_behalf=True, ask_phone=True, **kwargs)


class EventPhotosForm(forms.Form):
    photos = PhotoField(label=_("活动照片"), multiple=True, max_files=9)
    caption = forms.CharField(label=_("说明（选填）"), max_length=100, required=False)
