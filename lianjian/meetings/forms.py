from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lianjian.accounts.actors import Viewer
from lianjian.accounts.permissions import get_scope
from lianjian.core import ranges
from lianjian.lists.models import Category
from lianjian.orgs.models import Organisation, Partnership, PartnershipStatus
from lianjian.regions.models import Level, Region

from .models import MeetingKind


class MeetingForm(forms.Form):
    community = forms.ModelChoiceField(label=_("社区"), queryset=Region.objects.none())
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=120)
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    venue = forms.CharField(label=_("地点"), max_length=120)
    review_year = forms.IntegerField(label=_("总结年度"), required=False, min_value=ranges.YEAR_MIN,
                                     max_value=ranges.YEAR_MAX)
    agenda = forms.CharField(label=_("议程"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    invite_all = forms.BooleanField(label=_("邀请本社区全部联建单位"), required=False, initial=True)

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = (  # type: ignore[attr-defined]
            get_scope(user).filter_regions(Region.objects.filter(level=Level.COMMUNITY)).order_by("code")
        )


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("议题"), max_length=100)
    description = forms.CharField(label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ModelChoiceField(
        label=_("类别"), required=False, queryset=Category.objects.filter(is_active=True)
    )
    raised_by_org = forms.ModelChoiceField(
        label=_("提出单位"), required=False, queryset=Organisation.objects.none()
    )
    raised_by_name = forms.CharField(label=_("提出方（非单位时填写）"), max_length=100, required=False)

    def __init__(self, *args: Any, meeting: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["raised_by_org"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=Partnership.objects.filter(
                community=meeting.community, status=PartnershipStatus.ACTIVE
            ).values("organisation_id")
        )


class ConvertForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("类别"), required=False, queryset=Category.objects.filter(is_active=True)
    )
    quantity_needed = forms.IntegerField(label=_("需求数量"), min_value=1, max_value=ranges.QUANTITY_MAX, initial=1)
    quantity_unit = forms.CharField(label=_("单位"), max_length=10, initial="项")


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    decisions = forms.CharField(label=_("会议决定"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ClaimForm(forms.Form):
    need = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("认领数量"), min_value=1, max_value=ranges.QUANTITY_MAX, initial=1)
    organisation = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
