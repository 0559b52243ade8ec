"""Telephone calls as the contact centre sees them, and the call-back list.

A ``Call`` is keyed by Twilio's CallSid (calls logged by hand from a desk phone have none).
Each IVR webhook answers once per (call, step): the TwiML we gave is stored as a ``CallStep``
in the same transaction as whatever the step changed, so Twilio's retry of a step — or a
replay by anyone holding a signed request — gets exactly the same TwiML and changes nothing.

The call's contact with the resident is a ``services.Message`` (channel "voice", provider id
the CallSid) once it concerns a case: a voicemail goes through intake, an answered call is
logged by the agent at wrap-up (``channels.voice.actions``).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channels.voice.prompts import PROMPTS, forget_recordings
from services.models import Case, Council, Message, Resident, ServiceGroup


class CallStatus(models.TextChoices):
    """Twilio's call statuses (as in status callbacks), plus nothing of our own."""

    QUEUED = "queued", pgettext_lazy("telephone call status", "Queued")
    RINGING = "ringing", _("Ringing")
    IN_PROGRESS = "in-progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    BUSY = "busy", _("Busy")
    FAILED = "failed", pgettext_lazy("telephone call status", "Failed")
    NO_ANSWER = "no-answer", _("No answer")
    CANCELED = "canceled", _("Cancelled")


FINAL_STATUSES = (
    CallStatus.COMPLETED,
    CallStatus.BUSY,
    CallStatus.FAILED,
    CallStatus.NO_ANSWER,
    CallStatus.CANCELED,
)
LIVE_STATUSES = (CallStatus.QUEUED, CallStatus.RINGING, CallStatus.IN_PROGRESS)


class Stage(models.TextChoices):
    """Where the caller is in our flow (what the calls panel shows)."""

    IVR = "ivr", _("In the menu")
    WAITING = "waiting", _("Waiting for an adviser")
    WITH_AGENT = "with_agent", _("With an adviser")
    RECORDING = "recording", _("Leaving a message")
    ENDED = "ended", _("Ended")


class Outcome(models.TextChoices):
    """How a call ended: set by the IVR, then by the agent at wrap-up."""

    NONE = "", _("Not yet known")
    STATUS_GIVEN = "status_given", _("Case status given")
    STATUS_REFUSED = "status_refused", _("Status not given (not the caller's case)")
    BAD_REFERENCE = "bad_reference", _("Reference not recognised")
    VOICEMAIL = "voicemail", _("Message left for a call back")
    CLOSED = "closed", _("Closed message given")
    ABANDONED = "abandoned", _("Caller hung up")
    ANSWERED = "answered", _("Answered by an adviser")
    # Wrap-up codes chosen by the agent.
    RESOLVED = "resolved", _("Resolved on the call")
    INFORMATION = "information", _("Information given")
    CASE_OPENED = "case_opened", _("New case opened")
    CASE_UPDATED = "case_updated", _("Case updated")
    CALLBACK = "callback", _("Call back promised")
    REFERRED = "referred", _("Referred to another organisation")
    WRONG_NUMBER = "wrong_number", _("Wrong number or nuisance call")


# The codes an agent may pick at wrap-up, in the order offered.
WRAP_UP_OUTCOMES = (
    Outcome.CASE_UPDATED,
    Outcome.CASE_OPENED,
    Outcome.RESOLVED,
    Outcome.INFORMATION,
    Outcome.CALLBACK,
    Outcome.REFERRED,
    Outcome.WRONG_NUMBER,
)


class Call(models.Model):
    class Source(models.TextChoices):
        TWILIO = "twilio", _("Contact-centre line")
        DESK = "desk", _("Desk phone (logged by hand)")

    call_sid = models.CharField(max_length=64, unique=True, null=True, blank=True)
    account_sid = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.TWILIO)
    direction = models.CharField(
        max_length=3,
        choices=[("in", _("Incoming")), ("out", _("Outgoing"))],
        default="in",
    )
    from_number = models.CharField(max_length=32, blank=True)
    to_number = models.CharField(max_length=32, blank=True)
    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=20, choices=CallStatus.choices, default=CallStatus.RINGING)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.IVR)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    service_group = models.ForeignKey(
        ServiceGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reference_tries = models.PositiveSmallIntegerField(default=0)
    queue_position = models.PositiveSmallIntegerField(null=True, blank=True)
    # Routing (issue 16): which Twilio queue the caller waits in ("cc-<council>-<language>"),
    # when they were enqueued, when an agent was offered them (``agent`` then says who), and
    # the agent's own call leg (softphone or "ring my phone") that dequeued or placed this call.
    queue_name = models.CharField(max_length=64, blank=True, db_index=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    agent_call_sid = models.CharField(max_length=64, blank=True, db_index=True)
    chose_voicemail = models.BooleanField(
        default=False, help_text=_("The caller pressed a key in the queue to leave a message.")
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.OneToOneField(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="call"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recording_url = models.URLField(max_length=500, blank=True)
    recording_sid = models.CharField(max_length=64, blank=True)
    recording_duration = models.PositiveIntegerField(null=True, blank=True)
    transcript = models.TextField(blank=True)
    duration = models.PositiveIntegerField(null=True, blank=True, help_text=_("Seconds."))
    note = models.TextField(blank=True)
    started_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    logged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["status", "started_at"], name="voice_call_live"),
            models.Index(fields=["stage", "queued_at"], name="voice_call_waiting"),
        ]

    def __str__(self):
        return f"Call {self.call_sid or self.pk} from {self.from_number or '?'}"

    @property
    def language_name(self) -> str:
        return str(dict(settings.LANGUAGES).get(self.language, self.language))

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES and self.stage != Stage.ENDED


class CallStep(models.Model):
    """The TwiML given for one step of one call — what a replay of that step gets again."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(max_length=120)
    params = models.JSONField(default=dict, blank=True)
    twiml = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "key"], name="voice_unique_call_step")
        ]

    def __str__(self):
        return f"{self.call_id} {self.key}"


class Callback(models.Model):
    """Someone to ring back: a voicemail, or a call back an adviser promised."""

    class Reason(models.TextChoices):
        VOICEMAIL = "voicemail", _("Voicemail")
        REQUESTED = "requested", _("Call back requested")
        MISSED = "missed", _("Missed call")

    class State(models.TextChoices):
        OPEN = "open", _("To call")
        DONE = "done", _("Done")
        GAVE_UP = "gave_up", _("Could not reach")

    call = models.ForeignKey(
        Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="callbacks"
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    phone = models.CharField(max_length=32)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # One voicemail callback per call, whatever Twilio retries.
            models.UniqueConstraint(
                fields=["call", "reason"],
                condition=models.Q(call__isnull=False),
                name="voice_unique_callback_per_call",
            )
        ]

    def __str__(self):
        return f"Call back {self.phone} ({self.get_reason_display()})"


class CallbackAttempt(models.Model):
    class Result(models.TextChoices):
        REACHED = "reached", _("Spoke to the resident")
        NO_ANSWER = "no_answer", _("No answer")
        VOICEMAIL_LEFT = "voicemail_left", _("Left a voicemail")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    callback = models.ForeignKey(Callback, on_delete=models.CASCADE, related_name="attempts")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=20, choices=Result.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_result_display()} at {self.created_at:%Y-%m-%d %H:%M}"


def new_agent_identity() -> str:
    """A fresh Twilio Client identity: random, so it says nothing about the person."""
    return uuid.uuid4().hex


class Agent(models.Model):
    """A member of staff as the telephone sees them: their softphone identity and availability.

    ``identity`` is what Twilio knows the agent by (the access token's identity, ``client:<id>``
    in the TwiML App's requests). It is random and opaque — never the email address or the
    primary key — so a token, a Twilio log or a call record leaks nothing about who the agent
    is, and only this table maps it back to a person.

    The state changes only through ``channels.voice.agents.set_state`` (row-locked). A Wrap-up
    lasts until ``wrap_up_until``; after that the agent counts as Available without anybody
    having to press anything (``agents.effective_state``).
    """

    class State(models.TextChoices):
        AVAILABLE = "available", _("Available")
        ON_CALL = "on_call", _("On a call")
        WRAP_UP = "wrap_up", _("Wrap-up")
        AWAY = "away", _("Away")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="voice_agent"
    )
    identity = models.CharField(
        max_length=32, unique=True, default=new_agent_identity, editable=False
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.AWAY)
    state_changed_at = models.DateTimeField(default=timezone.now)
    wrap_up_until = models.DateTimeField(null=True, blank=True)
    phone = models.CharField(
        max_length=16,
        blank=True,
        validators=[
            RegexValidator(
                r"^\+[1-9]\d{6,14}$",
                _("Enter the number in international form, e.g. +447700900123."),
            )
        ],
        help_text=_("For “ring my phone”: the agent's own number, E.164."),
    )
    languages = models.JSONField(
        default=list,
        blank=True,
        help_text=_('Portal language codes the agent speaks with callers, e.g. ["pl"].'),
    )

    class Meta:
        indexes = [models.Index(fields=["state", "state_changed_at"], name="voice_agent_state")]

    def __str__(self):
        return f"Agent {self.identity[:8]}… ({self.get_state_display()})"

    def clean(self):
        known = {code for code, _name in settings.LANGUAGES}
        unknown = [code for code in self.languages or [] if code not in known]
        if not isinstance(self.languages, list) or unknown:
            raise ValidationError({"languages": _("Use the portal's language codes only.")})


class AgentStep(models.Model):
    """The TwiML given to one step of an agent's own call leg (the TwiML App's requests).

    Like ``CallStep`` for callers, keyed by the agent leg's CallSid and the step: a replay of
    "next caller" or "call this number" gets the same TwiML and offers or dials nothing new —
    also when the answer was "nobody is waiting" and a caller has arrived since.
    """

    leg_sid = models.CharField(max_length=64)
    key = models.CharField(max_length=120)
    agent = models.ForeignKey(
        Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="steps"
    )
    call = models.ForeignKey(
        Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="agent_steps"
    )
    twiml = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["leg_sid", "key"], name="voice_unique_agent_step")
        ]

    def __str__(self):
        return f"{self.leg_sid} {self.key}"


def _prompt_choices():
    return [(key, prompt.text) for key, prompt in PROMPTS.items()]


class PromptRecording(models.Model):
    """A recording of one IVR prompt in one language (optionally for one council's line),
    uploaded by an editor and played with ``<Play>`` instead of text-to-speech.

    The audio is checked by its content (``services.attachments``: MP3 or WAV, as Twilio's
    ``<Play>`` accepts, at most ``MAX_BYTES``), whatever its name says.
    """

    MAX_BYTES = 5 * 1024 * 1024

    prompt = models.CharField(max_length=40, choices=_prompt_choices)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    council = models.ForeignKey(
        Council,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only for prompts that name the council rung (the greeting)."),
    )
    audio = models.FileField(upload_to="voice/prompts/", help_text=_("MP3 or WAV, at most 5 MB."))
    content_type = models.CharField(max_length=40, editable=False)
    transcript = models.TextField(
        blank=True, help_text=_("What the recording says, word for word (for checking).")
    )
    placeholder = models.BooleanField(
        default=False,
        help_text=_("A stand-in (e.g. the demo's tone), not a real recording."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["prompt", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["prompt", "language"],
                condition=models.Q(council__isnull=True),
                name="promptrecording_one_per_language",
            ),
            models.UniqueConstraint(
                fields=["prompt", "language", "council"],
                condition=models.Q(council__isnull=False),
                name="promptrecording_one_per_council_language",
            ),
        ]

    def __str__(self):
        where = f" ({self.council.code.upper()})" if self.council_id else ""
        return f"{self.prompt} [{self.language}]{where}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_recordings()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_recordings()
        return result

    def clean(self):
        from services import attachments

        prompt = PROMPTS.get(self.prompt)
        if self.council_id and prompt is not None and not prompt.per_council:
            raise ValidationError(
                {"council": _("This prompt is the same for every council: leave this empty.")}
            )
        upload = getattr(self.audio, "file", None)
        if upload is None or not self.audio:
            return
        try:
            accepted = attachments.check_upload(
                upload, accept=attachments.PROMPT_AUDIO_TYPES, limit=self.MAX_BYTES
            )
        except attachments.Refused as refused:
            raise ValidationError(
                {"audio": _("The file must be an MP3 or WAV recording of at most 5 MB.")}
            ) from refused
        self.content_type = accepted.content_type
