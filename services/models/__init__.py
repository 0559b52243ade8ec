"""Models of the catalogue and the case queue.

Dependencies run downwards: ``councils`` (councils, offices, teams, staff) ← ``catalogue``
(services) ← ``residents`` ← ``cases`` (cases, timeline, messages, attachments) ← ``audit``.
Import models from ``services.models``; the submodules are an implementation detail.
"""

from services.models.audit import AuditEntry, CaseView
from services.models.cases import (
    Attachment,
    Case,
    Channel,
    Direction,
    EventKind,
    Message,
    MessageStatus,
    Priority,
    Status,
    TimelineEvent,
)
from services.models.catalogue import MessageTemplate, ReferralBody, Service, ServiceGroup
from services.models.councils import (
    Closure,
    ContactPoint,
    Council,
    Office,
    OpeningHours,
    Role,
    StaffProfile,
    Team,
)
from services.models.partners import Feed, Partner, PartnerCall
from services.models.ratelimit import RateLimitHit
from services.models.residents import PhoneProof, Resident
from services.models.signposts import Signpost

__all__ = [
    "Attachment",
    "AuditEntry",
    "Case",
    "CaseView",
    "Channel",
    "Closure",
    "ContactPoint",
    "Council",
    "Direction",
    "EventKind",
    "Feed",
    "Message",
    "MessageStatus",
    "MessageTemplate",
    "Office",
    "OpeningHours",
    "Partner",
    "PartnerCall",
    "PhoneProof",
    "Priority",
    "RateLimitHit",
    "ReferralBody",
    "Resident",
    "Role",
    "Service",
    "ServiceGroup",
    "Signpost",
    "StaffProfile",
    "Status",
    "Team",
    "TimelineEvent",
]
