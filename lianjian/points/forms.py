"""Forms of the points pages; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from lianjian.core.text import reject_control_chars
from lianjian.orgs.selectors import partner_units_for

from .models import POINTS_MAX, RULE_TRIGGERS, Account, Reward, Scheme

_DATE = forms.DateInput(attrs={"type": "date"})


class SchemeForm(forms.ModelForm):
    class Meta:
        model = Scheme
        fields = ["name", "expiry_months", "hold_days", "approval_threshold", "is_active"]


class RuleForm(forms.Form):
    trigger = forms.ChoiceField(label=_("获得方式"), choices=[(t.value, t.label) for t in RULE_TRIGGERS])
    category_code = forms.CharField(label=_("随手拍类别代码"), max_length=40, required=False,
                                    validators=[reject_control_chars], help_text=_("仅用于随手拍；留空表示所有类别。"))
    points = forms.IntegerField(label=_("积分"), min_value=0, max_value=POINTS_MAX,
                                help_text=_("志愿时长按每小时计。"))
    cap_per_activity = forms.IntegerField(label=_("每次活动上限"), min_value=1, max_value=POINTS_MAX, required=False,
                                          help_text=_("仅用于志愿时长：同一活动最多获得的积分。"))
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class AwardForm(forms.Form):
    person = forms.CharField(label=_("发给（用户名或手机号）"), max_length=150, validators=[reject_control_chars])
    points = forms.IntegerField(label=_("积分"), min_value=1, max_value=POINTS_MAX)
    reason = forms.CharField(label=_("发放理由"), max_length=200, validators=[reject_control_chars])
    source_key = forms.CharField(widget=forms.HiddenInput, max_length=100,
                                 validators=[RegexValidator(r"^[\x21-\x7e]+$")])


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲正原因"), max_length=150, validators=[reject_control_chars],
                             help_text=_("例如：随手拍经复核不属实。"))


class ConfirmForm(forms.Form):
    code = forms.CharField(label=_("兑换码"), max_length=20,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


class AccountSettingsForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = ["display_name", "leaderboard_opt_out"]


class RewardForm(forms.ModelForm):
    class Meta:
        model = Reward
        fields = ["title", "description", "points", "stock", "organisation", "valid_from", "valid_until",
                  "per_person_limit", "is_active"]
        widgets = {"valid_from": _DATE, "valid_until": _DATE}

    def __init__(self, *args: Any, scheme: Scheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organisation"]
        field.queryset = partner_units_for(scheme.region).order_by("name")
        field.empty_label = _("社区提供")
