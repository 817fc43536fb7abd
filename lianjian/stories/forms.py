from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lianjian.core.images import PhotoField

from . import linking
from .models import BODY_MAX, MAX_PHOTOS, Story, StoryStatus
from .selectors import staff_regions


class StoryForm(forms.ModelForm):
    """Staff write or change a story; the body takes light marks or pasted HTML (sanitised)."""

    body = forms.CharField(label=_("正文"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 14}),
                           help_text=_("空一行分段；“## ”开头为小标题，“### ”为三级标题，“- ”为列表，“> ”为引用；"
                                       "也可以粘贴网页内容，只保留标题、段落、列表、引用和链接。"))
    photos = PhotoField(label=_("照片"), multiple=True, max_files=MAX_PHOTOS, required=False)
    caption = forms.CharField(label=_("照片说明（选填）"), max_length=100, required=False)

    class Meta:
        model = Story
        fields = ["region", "kind", "title", "subtitle", "body", "happened_on", "place", "reporter", "photo_credit"]
        widgets = {"happened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ModelChoiceField)
        region.queryset = staff_regions(user=user)
        if self.instance.pk:
            region.disabled = True
        elif region.queryset.count() == 1:
            region.initial = region.queryset.first()


class LinkAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("关联类型"), choices=())
    object_id = forms.IntegerField(label=_("编号"), min_value=1, max_value=2**53)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(k, v.label) for k, v in linking.link_kinds().items()]


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("审核意见"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部")), *list(StoryStatus.choices)])
    q = forms.CharField(label=_("标题"), max_length=60, required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("按标题查找")}))
