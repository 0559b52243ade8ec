"""Summary tables the pages read, and the equality questionnaire's answers.

``MonthlyFigure`` holds one row per month × delivering council × responsible council × service ×
channel: counts only, never a case id, so the public pages and downloads are built from rows
that hold no personal data at all. ``EqualityResponse`` has no foreign key to a resident or a
case on purpose: answers cannot be joined back to a person.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from services.models import Channel, Council, Office, Service


class MonthlyFigure(models.Model):
    """What happened in one month for one council, service and channel (see docs/performance.md).

    ``contacts``, ``complaints`` and ``online`` count cases received in ``month`` (merged
    duplicates excluded); the ``resolved*`` columns count cases resolved in ``month``, whenever
    they were received. The days each resolution took are in ``MonthlyResolution``, so medians
    can be computed exactly for any combination of rows without going back to the cases.
    """

    month = models.DateField(help_text=_("First day of the month (UK time)."))
    council = models.ForeignKey(
        Council,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Delivering council at the end; empty: passed to another organisation."),
    )
    responsible_council = models.ForeignKey(
        Council, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    contacts = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolved_with_target = models.PositiveIntegerField(default=0)
    resolved_within_target = models.PositiveIntegerField(default=0)
    first_contact_resolved = models.PositiveIntegerField(default=0)
    referred = models.PositiveIntegerField(
        default=0,
        help_text=_(
            "Residents sent to another organisation in the month: cases received and passed "
            "on, and residents told who to contact before any case was opened (Signpost)."
        ),
    )

    class Meta:
        indexes = [models.Index(fields=["month", "council"], name="reports_month_council")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.council_id} {self.service_id} {self.channel}"


class MonthlyResolution(models.Model):
    """How many cases resolved in a month took ``days`` whole days: a histogram, one row per bar.

    Kept as rows rather than a JSON column so that the database can add histograms up for any
    filter (``GROUP BY days``) and the page computes an exact median from a few hundred rows.
    """

    month = models.DateField()
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    responsible_council = models.ForeignKey(
        Council, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    days = models.PositiveIntegerField()
    cases = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["month", "council"], name="reports_resolution_month")]

    def __str__(self):
        return (
            f"{self.month:%Y-%m} {self.service_id} {self.channel}: {self.cases} in {self.days} days"
        )


class CounterTime(models.Model):
    """Counter tickets by whole minutes waited (``wait``: issued → first called) or served
    (``handling``: service started → finished), per month, council and office: histograms
    for medians, as for ``MonthlyResolution``."""

    class Kind(models.TextChoices):
        WAIT = "wait", _("Waiting")
        HANDLING = "handling", _("Being served")

    month = models.DateField()
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    minutes = models.PositiveIntegerField()
    tickets = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["month", "kind"], name="reports_counter_month")]

    def __str__(self):
        return (
            f"{self.month:%Y-%m} {self.office_id} {self.kind}: {self.tickets} × {self.minutes} min"
        )


class ReportRun(models.Model):
    """One rebuild or refresh of the summary tables: when the published figures were made."""

    class Kind(models.TextChoices):
        REBUILD = "rebuild", _("Rebuild")
        REFRESH = "refresh", _("Refresh")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    cases_read = models.PositiveIntegerField(default=0)
    months = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"


PREFER_NOT = ("prefer_not", _("Prefer not to say"))


class EqualityResponse(models.Model):
    """Voluntary answers about protected characteristics, kept apart from case data.

    Only the service and the month are kept with the answers — no resident, case, reference,
    IP address or timestamp finer than the month — so a response cannot be traced back.
    Every question may be left unanswered (blank) or answered "prefer not to say".
    """

    class AgeBand(models.TextChoices):
        UNDER_18 = "under_18", _("Under 18")
        A18_24 = "18_24", _("18 to 24")
        A25_34 = "25_34", _("25 to 34")
        A35_49 = "35_49", _("35 to 49")
        A50_64 = "50_64", _("50 to 64")
        A65_74 = "65_74", _("65 to 74")
        A75 = "75_plus", _("75 or over")
        PREFER_NOT_TO_SAY = PREFER_NOT

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        PREFER_NOT_TO_SAY = PREFER_NOT

    class YesNo(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        PREFER_NOT_TO_SAY = PREFER_NOT

    class Ethnicity(models.TextChoices):
        ASIAN = "asian", _("Asian or Asian British")
        BLACK = "black", _("Black, Black British, Caribbean or African")
        MIXED = "mixed", _("Mixed or multiple ethnic groups")
        WHITE = "white", _("White")
        OTHER = "other", _("Another ethnic group")
        PREFER_NOT_TO_SAY = PREFER_NOT

    class Religion(models.TextChoices):
        NONE = "none", _("No religion")
        BUDDHIST = "buddhist", _("Buddhist")
        CHRISTIAN = "christian", _("Christian")
        HINDU = "hindu", _("Hindu")
        JEWISH = "jewish", _("Jewish")
        MUSLIM = "muslim", _("Muslim")
        SIKH = "sikh", _("Sikh")
        OTHER = "other", _("Another religion or belief")
        PREFER_NOT_TO_SAY = PREFER_NOT

    class SexualOrientation(models.TextChoices):
        STRAIGHT = "straight", _("Straight or heterosexual")
        GAY_LESBIAN = "gay_lesbian", _("Gay or lesbian")
        BISEXUAL = "bisexual", _("Bisexual")
        OTHER = "other", _("Another sexual orientation")
        PREFER_NOT_TO_SAY = PREFER_NOT

    class Satisfaction(models.TextChoices):
        VERY_SATISFIED = "very_satisfied", _("Very satisfied")
        SATISFIED = "satisfied", pgettext_lazy("survey answer", "Satisfied")
        NEUTRAL = "neutral", _("Neither satisfied nor dissatisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")
        VERY_DISSATISFIED = "very_dissatisfied", _("Very dissatisfied")

    month = models.DateField()
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    satisfaction = models.CharField(max_length=20, choices=Satisfaction.choices, blank=True)
    age_band = models.CharField(max_length=12, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=12, choices=Sex.choices, blank=True)
    gender_identity_same = models.CharField(
        max_length=12,
        choices=YesNo.choices,
        blank=True,
        help_text=_("Is the gender you identify with the same as your sex registered at birth?"),
    )
    disability = models.CharField(max_length=12, choices=YesNo.choices, blank=True)
    ethnicity = models.CharField(max_length=12, choices=Ethnicity.choices, blank=True)
    religion = models.CharField(max_length=12, choices=Religion.choices, blank=True)
    sexual_orientation = models.CharField(
        max_length=12, choices=SexualOrientation.choices, blank=True
    )

    def __str__(self):
        return f"Equality response {self.pk} ({self.month:%Y-%m})"


class TelephoneFigure(models.Model):
    """The contact-centre lines in one month, per council line (``council``: the line dialled;
    empty when the number dialled was not a council's line). Counts only, no call or caller.

    A call counts in the month it started (UK time), and only incoming calls on the
    contact-centre lines (not calls logged by hand from a desk phone). See
    ``reports.telephone`` for what each column counts.
    """

    month = models.DateField(help_text=_("First day of the month (UK time)."))
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    received = models.PositiveIntegerField(default=0)
    offered = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answered_within_60 = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    voicemail = models.PositiveIntegerField(default=0)
    out_of_hours = models.PositiveIntegerField(default=0)
    waits = models.PositiveIntegerField(
        default=0, help_text=_("Answered and abandoned calls whose wait is known.")
    )
    wait_seconds = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "council"], name="reports_telephone_month")
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.council_id}: {self.offered} offered"
