from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from lianjian.accounts.actors import Viewer
from lianjian.accounts.permissions import get_scope
from lianjian.regions.models import Region

from .models import Organisation, OrgKind


class OrganisationForm(forms.ModelForm):
    """Unit registry data. The region list is limited to the editor's scope."""

    class Meta:
        model = Organisation
        fields = ["name", "short_name", "kind", "party_org_name", "party_member_count", "member_count",
                  "address", "region", "contact_name", "contact_phone", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = get_scope(user)
        regions = scope.filter_regions(Region.objects.all())
        if self.instance.pk and self.instance.region_id:
            regions = regions | Region.objects.filter(pk=self.instance.region_id)
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = regions.order_by("code")
        if not scope.is_staff_like:
            # A liaison keeps the unit where it is registered; moving it is the community's call.
            self.fields["region"].disabled = True


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *OrgKind.choices])
    community = forms.ModelChoiceField(label=_("社区"), required=False, queryset=Region.objects.none(),
                                       empty_label=_("全部社区"))

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["community"]).queryset = (
            get_scope(user).filter_regions(Region.objects.communities()))
