from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianjian.core import ranges
from lianjian.core.images import PhotoField
from lianjian.lists.models import Category
from lianjian.orgs.models import Organisation

from .models import ProjectStatus
from .services import MAX_PHOTOS


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectFilterForm(forms.Form):
    """Filters of a project list or board.

    Choices are plain ``(id, name)`` lists read once by the view: ModelChoiceFields would query
    (and on PostgreSQL open a server-side cursor) again while rendering.
    """

    community = forms.TypedChoiceField(label=_("社区"), required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(label=_("类别"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *ProjectStatus.choices])
    unit = forms.TypedChoiceField(label=_("单位"), required=False, coerce=int, empty_value=None)
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)

    def __init__(
        self,
        *args: Any,
        communities: Sequence[tuple[int, str]] | None = None,
        units: Sequence[tuple[int, str]] = (),
        categories: Sequence[tuple[int, str]] = (),
        statuses: Sequence[str] | None = None,
        years: list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields = cast(dict[str, forms.ChoiceField], self.fields)
        if communities is None:
            del fields["community"]
        else:
            fields["community"].choices = list(communities)
        fields["category"].choices = [("", _("全部类别")), *categories]
        fields["unit"].choices = [("", _("全部单位")), *units]
        if statuses is not None:
            fields["status"].choices = [
                ("", _("全部状态")),
                *[c for c in ProjectStatus.choices if c[0] in statuses],
            ]
        this_year = timezone.localdate().year
        years = years or list(range(this_year + 1, this_year - 5, -1))
        fields["year"].choices = [("", _("全部年度")), *[(y, str(y)) for y in years]]


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=120)
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.filter(is_active=True))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    lead_org = forms.ModelChoiceField(label=_("牵头单位"), queryset=Organisation.objects.none())
    description = forms.CharField(label=_("项目内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    plan = forms.CharField(label=_("实施计划"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    budget = forms.DecimalField(label=_("资金预算（元）"), min_value=0, max_digits=12, decimal_places=2, initial=0)
    material_value = forms.DecimalField(
        label=_("物资价值（元）"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    start_date = forms.DateField(label=_("开始日期"), required=False, widget=_date_widget())
    end_date = forms.DateField(label=_("计划结束"), required=False, widget=_date_widget())

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["lead_org"]).queryset = units
        self.fields["year"].initial = timezone.localdate().year


class ProjectEditForm(forms.Form):
    plan = forms.CharField(label=_("实施计划"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    budget = forms.DecimalField(label=_("资金预算（元）"), min_value=0, max_digits=12, decimal_places=2)
    material_value = forms.DecimalField(label=_("物资价值（元）"), min_value=0, max_digits=12, decimal_places=2)
    start_date = forms.DateField(label=_("开始日期"), required=False, widget=_date_widget())
    end_date = forms.DateField(label=_("计划结束"), required=False, widget=_date_widget())


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 4}))
    happened_on = forms.DateField(label=_("日期"), widget=_date_widget())
    people_served = forms.IntegerField(
        label=_("服务人次"), min_value=0, max_value=ranges.PEOPLE_MAX, initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    volunteer_hours = forms.DecimalField(
        label=_("志愿服务时长（小时）"),
        min_value=0,
        max_value=ranges.HOURS_MAX,
        max_digits=8,
        decimal_places=1,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
    )
    photos = PhotoField(
        multiple=True, max_files=MAX_PHOTOS, label=_("照片"), required=False, help_text=_("可一次选择多张，最多 9 张。")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].initial = timezone.localdate()


class CompleteForm(forms.Form):
    # Not required here: the service reports a missing summary together with missing evidence.
    summary = forms.CharField(label=_("完成总结"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    completed_on = forms.DateField(label=_("完成日期"), widget=_date_widget())
    people_served = forms.IntegerField(label=_("本次服务人次"), min_value=0, max_value=ranges.PEOPLE_MAX, initial=0,
                                       required=False)
    volunteer_hours = forms.DecimalField(
        label=_("本次志愿服务时长（小时）"),
        min_value=0,
        max_value=ranges.HOURS_MAX,
        max_digits=8,
        decimal_places=1,
        initial=0,
        required=False,
    )
    photos = PhotoField(
        multiple=True,
        max_files=MAX_PHOTOS,
        label=_("完成证明照片"), required=False, help_text=_("至少一张（已上传过完成证明照片的可不再上传）。")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["completed_on"].initial = timezone.localdate()


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("节点"), max_length=100)
    due_date = forms.DateField(label=_("截止日期"), widget=_date_widget())


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择 1 到 5 颗星。"), "invalid_choice": _("请选择 1 到 5 颗星。")},
    )
    comment = forms.CharField(
        label=_("评价（选填）"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("说说您的感受")}),
    )
