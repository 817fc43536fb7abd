"""Validators every layer shares."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# A mainland China mobile number: 11 digits starting 13–19.
phone_validator = RegexValidator(r"^1[3-9]\d{9}$", _("请输入 11 位中国大陆手机号。"))
