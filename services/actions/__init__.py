"""Actions: the only way the state of cases and residents changes.

Every entry point — the web forms, SMS, email, telephone, the counter and the staff desk —
calls these functions, so each channel shares one implementation. Each action checks
permission, changes state, appends to the timeline and queues notifications in one
transaction. Views stay thin.
"""

from services.actions.cases import (
    add_note,
    assign,
    change_status,
    claim_next,
    merge_cases,
    open_case,
    record_view,
    refer,
    reply,
    transfer,
)
from services.actions.intake import (
    InboundAttachment,
    InboundMessage,
    IntakeResult,
    ResidentDetails,
    intake,
)
from services.actions.messages import queue_message, queue_text, store_message
from services.actions.residents import identify_resident, merge_residents, normalise_phone

__all__ = [
    "InboundAttachment",
    "InboundMessage",
    "IntakeResult",
    "ResidentDetails",
    "add_note",
    "assign",
    "change_status",
    "claim_next",
    "identify_resident",
    "intake",
    "merge_cases",
    "merge_residents",
    "normalise_phone",
    "open_case",
    "queue_message",
    "queue_text",
    "record_view",
    "refer",
    "reply",
    "store_message",
    "transfer",
]
