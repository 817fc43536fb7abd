from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from lianjian.accounts.actors import Viewer
from lianjian.accounts.permissions import get_scope
from lianjian.core import ranges
from lianjian.core.images import PhotoField
from lianjian.orgs.models import Organisation, Partnership, PartnershipStatus
from lianjian.regions.models import Region

from . import selectors
from .models import (
    BeneficiaryGroup,
    Category,
    ClaimRole,
    Need,
    NeedStatus,
    Resource,
    ResourceStatus,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NeedForm(forms.ModelForm):
    """A need as its requester writes it; the community list depends on who writes."""

    photo = PhotoField(label=_("照片"), required=False)

    class Meta:
        model = Need
        fields = ["community", "title", "description", "category", "beneficiary_groups", "beneficiary_count",
                  "quantity_needed", "quantity_unit", "place", "urgency", "wanted_by", "contact_name",
                  "contact_phone"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "beneficiary_groups": forms.CheckboxSelectMultiple,
            "wanted_by": DATE,
        }

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = cast(forms.ModelChoiceField, self.fields["category"])
        category.queryset = selectors.category_list()
        category.empty_label = _("请选择类别")
        cast(forms.ModelMultipleChoiceField, self.fields["beneficiary_groups"]).queryset = (
            BeneficiaryGroup.objects.all())
        communities = selectors.need_filter_communities(user=user)
        if not communities.exists():
            communities = Region.objects.communities().order_by("code")
        community = cast(forms.ModelChoiceField, self.fields["community"])
        community.queryset = communities
        community.empty_label = None
        if self.instance.pk:
            # A need stays in its community.
            del self.fields["community"]
        self.fields["title"].widget.attrs["placeholder"] = _("例如：辖区失业人员再就业")


class NeedFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("标题或地点"), "type": "search"}))
    community = forms.ModelChoiceField(label=_("社区"), required=False, queryset=Region.objects.none(),
                                       empty_label=_("全部社区"))
    category = forms.ModelChoiceField(label=_("类别"), required=False, queryset=Category.objects.none(),
                                      empty_label=_("全部类别"))
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态")), ("open", _("可认领")), *NeedStatus.choices])
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs={"placeholder": _("年度"),
                                                              "inputmode": "numeric"}))

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The communities this person may filter by; the list view also reads it.
        self.communities = selectors.need_filter_communities(user=user)
        cast(forms.ModelChoiceField, self.fields["community"]).queryset = self.communities
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = selectors.category_list()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300,
                             widget=forms.TextInput(attrs={"placeholder": _("请填写原因")}))


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = ["organisation", "title", "description", "category", "beneficiary_groups", "capacity",
                  "capacity_unit", "valid_from", "valid_until", "communities", "contact_name",
                  "contact_phone"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "beneficiary_groups": forms.CheckboxSelectMultiple,
            "communities": forms.CheckboxSelectMultiple,
            "valid_from": DATE,
            "valid_until": DATE,
        }
        help_texts = {"capacity_unit": _("例如：个岗位、人/期、份"),
                      "communities": _("不选则默认服务该单位的全部联建社区")}

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        scope = get_scope(user)
        orgs = Organisation.objects.filter(pk__in=sorted(scope.org_ids))
        if scope.is_superuser:
            orgs = Organisation.objects.all()
        elif scope.region_nodes:
            orgs = orgs | Organisation.objects.filter(pk__in=Partnership.objects.filter(
                scope.region_q(prefix="community__")).values("organisation_id"))
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = orgs.distinct().order_by("name")
        organisation.empty_label = None
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = selectors.category_list()
        cast(forms.IntegerField, self.fields["capacity"]).min_value = 1
        self.fields["capacity"].widget.attrs.update(min=1, inputmode="numeric")
        partnered = Partnership.objects.filter(status=PartnershipStatus.ACTIVE)
        if not scope.is_superuser:
            from django.db.models import Q

            partnered = partnered.filter(Q(organisation_id__in=sorted(scope.org_ids))
                                         | scope.region_q(prefix="community__"))
        cast(forms.ModelMultipleChoiceField, self.fields["communities"]).queryset = Region.objects.filter(
            pk__in=partnered.values("community_id")).order_by("code")
        self.fields["communities"].required = False
        if self.instance.pk:
            del self.fields["organisation"]


class ResourceFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    category = forms.ModelChoiceField(label=_("类别"), required=False, queryset=Category.objects.none(),
                                      empty_label=_("全部类别"))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")),
                                                                      *ResourceStatus.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = selectors.category_list()


class ResourceChoiceField(forms.ModelChoiceField):
    """Lists a resource with what is left of it, so the liaison sees how much it can still cover."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title}（{_('剩余')} {obj.remaining} {obj.capacity_unit}）"


class ClaimForm(forms.Form):
    """A liaison's claim on the need page: which unit, which resource, how much."""

    organisation = forms.ModelChoiceField(label=_("认领单位"), queryset=Organisation.objects.none(),
                                          empty_label=None)
    resource = ResourceChoiceField(label=_("使用资源"), queryset=Resource.objects.none(), required=False,
                                   empty_label=_("不指定资源"))
    quantity = forms.IntegerField(label=_("认领数量"), min_value=1, max_value=ranges.QUANTITY_MAX, initial=1,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}))
    role = forms.ChoiceField(label=_("角色"), choices=ClaimRole.choices, initial=ClaimRole.LEAD)
    note = forms.CharField(label=_("说明"), max_length=300, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("如何满足该需求（选填）")}))

    def __init__(self, *args: Any, user: Viewer, need: Need, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        scope = get_scope(user)
        partners = Organisation.objects.filter(partnerships__community=need.community,
                                               partnerships__status=PartnershipStatus.ACTIVE)
        orgs = partners if staff else partners.filter(pk__in=sorted(scope.org_ids))
        # The units this person may claim for; the need page shows no form when there are none.
        self.organisations = orgs.order_by("name")
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = self.organisations
        cast(ResourceChoiceField, self.fields["resource"]).queryset = Resource.objects.filter(
            organisation__in=orgs, status=ResourceStatus.ACTIVE, remaining__gt=0,
        ).select_related("organisation")
        self.fields["quantity"].widget.attrs["max"] = need.quantity_open
        self.fields["quantity"].help_text = _("需求还剩 %(n)s %(unit)s") % {"n": need.quantity_open,
                                                                         "unit": need.quantity_unit}
        self.fields["quantity"].initial = min(1, need.quantity_open) or 1


class ResidentNeedForm(forms.ModelForm):
    """The short phone form of residents, riders and volunteers: what, where, one photo.

    The community is theirs (never a field); quantities, units and beneficiaries keep the
    service's defaults and the community's staff complete them in review.
    """

    photo = PhotoField(label=_("照片（选填）"), required=False)

    class Meta:
        model = Need
        fields = ["title", "category", "description", "place"]
        labels = {"title": _("需要什么"), "category": _("哪一类"), "description": _("具体情况（选填）"),
                  "place": _("在哪里（选填）")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Viewer = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = cast(forms.ModelChoiceField, self.fields["category"])
        category.queryset = selectors.category_list()
        category.empty_label = _("请选择类别")
        self.fields["title"].widget.attrs["placeholder"] = _("例如：楼道灯坏了、需要助餐服务")
        self.fields["description"].widget.attrs["placeholder"] = _("发生了什么、影响到谁、希望怎么解决")
        self.fields["place"].widget.attrs["placeholder"] = _("小区、楼栋或路口")
