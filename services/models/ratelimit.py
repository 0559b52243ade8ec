"""Rate-limit counters that an attacker can neither extend nor flush: rows in PostgreSQL.

See ``services.actions.ratelimit`` for the window rule.
"""

from django.db import models


class RateLimitHit(models.Model):
    """One allowed attempt of ``scope`` by ``key`` (a digest of the identifier) at ``at``."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="ratelimit_window")]

    def __str__(self):
        return f"{self.scope}:{self.key[:8]} at {self.at:%H:%M:%S}"
