"""Forms of street reports: reporting, triage, dispatch, handling, confirmation and categories."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianjian.core.images import PhotoField
from lianjian.regions.models import Region

from .models import LAT_RANGE, LNG_RANGE, MAX_DESCRIPTION, MAX_PHOTOS, Category


def attribute_field_name(category: Category, code: str) -> str:
    return f"attr__{category.code}__{code}"


class ReportForm(forms.Form):
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.none(), empty_label=None)
    community = forms.ModelChoiceField(label=_("所在社区"), queryset=Region.objects.none())
    description = forms.CharField(label=_("问题描述"), max_length=MAX_DESCRIPTION,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotoField(label=_("现场照片（1–6 张）"), multiple=True, max_files=MAX_PHOTOS, required=True)
    lat = forms.FloatField(label=_("纬度"), required=False, min_value=LAT_RANGE[0], max_value=LAT_RANGE[1],
                           widget=forms.NumberInput(attrs={"step": "any", "data-geo": "lat"}))
    lng = forms.FloatField(label=_("经度"), required=False, min_value=LNG_RANGE[0], max_value=LNG_RANGE[1],
                           widget=forms.NumberInput(attrs={"step": "any", "data-geo": "lng"}))
    address = forms.CharField(label=_("地址"), max_length=200, required=False,
                              help_text=_("无法定位时请填写地址，例如“江浦路 100 弄 3 号楼下”。"))
    occurred_at = forms.DateTimeField(label=_("发现时间"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                 format="%Y-%m-%dT%H:%M"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from . import selectors

        self.categories = list(selectors.categories())
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.ModelChoiceField)
        category_field.queryset = selectors.categories()
        community_field = self.fields["community"]
        assert isinstance(community_field, forms.ModelChoiceField)
        community_field.queryset = selectors.report_communities(user=user)
        from lianjian.accounts.permissions import get_scope

        home = get_scope(user).home_community
        if home is not None and not self.is_bound:
            self.fields["community"].initial = home.pk
        if not self.is_bound:
            self.fields["occurred_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        # Every category's questions; the page shows those of the chosen category.
        for category in self.categories:
            for question in category.sorted_attributes():
                name = attribute_field_name(category, question["code"])
                label = question["description"] + ("" if question["required"] else str(_("（选填）")))
                attrs = {"data-category": category.code}
                if question["datatype"].endswith("valuelist"):
                    field: forms.Field = forms.ChoiceField(
                        label=label, required=False, widget=forms.Select(attrs=attrs),
                        choices=[("", "—")] + [(v["key"], v["name"]) for v in question["values"]])
                else:
                    field = forms.CharField(label=label, required=False, max_length=500,
                                            widget=forms.TextInput(attrs=attrs))
                self.fields[name] = field

    def answers(self) -> dict[str, Any]:
        category = self.cleaned_data["category"]
        prefix = f"attr__{category.code}__"
        return {k[len(prefix):]: v for k, v in self.cleaned_data.items() if k.startswith(prefix) and v}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("lat") is None) != (data.get("lng") is None):
            self.add_error("lat", _("请同时提供纬度和经度。"))
        elif data.get("lat") is None and not (data.get("address") or "").strip() and not self.errors:
            self.add_error("address", _("请提供位置：允许定位，或填写地址。"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("问题仍然存在的原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    photos = PhotoField(label=_("现在的照片"), multiple=True, max_files=MAX_PHOTOS, required=True)


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("处置说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotoField(label=_("处置后照片"), multiple=True, max_files=MAX_PHOTOS, required=True)


class TriageForm(forms.Form):
    ACTIONS = [("accept", _("受理")), ("reject", _("不予受理")), ("merge", _("合并到其他随手拍"))]
    action = forms.ChoiceField(label=_("处理"), choices=ACTIONS, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("不予受理的原因"), max_length=300, required=False)
    into = forms.IntegerField(label=_("合并到随手拍编号"), required=False, min_value=1, max_value=2**53)


class DispatchForm(forms.Form):
    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("联建单位"), queryset=Region.objects.none(), required=False, empty_label=_("— 不派给联建单位 —"))
    department = forms.CharField(label=_("或责任部门"), max_length=100, required=False,
                                 help_text=_("例如：街道城管中队、物业公司。"))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units


class ToNeedForm(forms.Form):
    title = forms.CharField(label=_("需求标题"), max_length=100)
    category = forms.ChoiceField(label=_("需求类别"), choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .lists_bridge import need_categories

        category_field = self.fields["category"]
        assert isinstance(category_field, forms.ChoiceField)
        category_field.choices = [(c.pk, c.display_name) for c in need_categories()]


class CategoryForm(forms.ModelForm):
    attributes_json = forms.CharField(label=_("附加问题（JSON）"), required=False, max_length=20000,
                                      widget=forms.Textarea(attrs={"rows": 8}),
                                      help_text=_("Open311 属性列表：code、description、datatype、"
                                                  "required、order、values。"))

    class Meta:
        model = Category
        fields = ["name", "name_en", "description", "response_hours", "duplicate_radius_m", "keywords", "group",
                  "order", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["attributes_json"].initial = json.dumps(self.instance.attributes or [], ensure_ascii=False,
                                                                indent=1)

    def clean_attributes_json(self) -> Any:
        text = self.cleaned_data.get("attributes_json") or "[]"
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("不是有效的 JSON。")) from None
