from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from lianjian.accounts.actors import Viewer
from lianjian.accounts.permissions import get_scope
from lianjian.regions.models import Level, Region

from .kinds import SPECS
from .selectors import ledger_communities

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, spec.display_label) for kind, spec in SPECS.items()]


class LedgerForm(forms.Form):
    """Which ledger of which community (for exports)."""

    kind = forms.ChoiceField(label=_("台账类型"), choices=kind_choices)
    community: forms.ModelChoiceField = forms.ModelChoiceField(label=_("社区"), queryset=None, empty_label=None)

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["community"]).queryset = ledger_communities(user=user)


class LedgerUploadForm(LedgerForm):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件太大（上限 20 MB），请拆分后分批导入。"))
        return file


def batch_regions(*, user: Viewer) -> Any:
    """Streets and districts in the user's scope: their communities can be exported in one job."""
    return get_scope(user).filter_regions(
        Region.objects.filter(level__in=[Level.DISTRICT, Level.STREET])).order_by("code")


class LedgerBatchForm(forms.Form):
    """Which ledger of every community of a street or district (exported as a background job)."""

    kind = forms.ChoiceField(label=_("台账类型"), choices=kind_choices)
    region: forms.ModelChoiceField = forms.ModelChoiceField(label=_("街道或区"), queryset=None, empty_label=None)

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = batch_regions(user=user)
