from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ClaimInvitation(models.Model):
    """Staff invite a unit to claim a need the matcher suggested for it."""

    need = models.ForeignKey("lists.Need", on_delete=models.CASCADE, related_name="claim_invitations",
                             verbose_name=_("需求"))
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="claim_invitations",
                                     verbose_name=_("受邀单位"))
    resource = models.ForeignKey("lists.Resource", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("建议资源"))
    score = models.FloatField(_("匹配度"), default=0)
    reasons = models.JSONField(_("匹配理由"), default=list, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("邀请人"))
    claim = models.ForeignKey("lists.Claim", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("认领"))
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("认领邀请")
        verbose_name_plural = _("认领邀请")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["need", "organisation"], name="claim_invitation_unique")]

    def __str__(self) -> str:
        return f"{self.organisation} ← {self.need}"

    def get_absolute_url(self) -> str:
        return reverse("matching:invitation", args=[self.pk])
