"""Accountability: who looked at what, and staff actions that are not on a case timeline."""

from django.conf import settings
from django.db import models


class CaseView(models.Model):
    """A member of staff opened a case. Written on every view of a case page."""

    case = models.ForeignKey("services.Case", on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["case", "viewed_at"], name="caseview_case")]

    def __str__(self):
        return f"{self.user} viewed case {self.case_id} at {self.viewed_at:%Y-%m-%d %H:%M}"


class AuditEntry(models.Model):
    """A staff action on something other than a case: merging residents, viewing a resident."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type} {self.object_id}"
