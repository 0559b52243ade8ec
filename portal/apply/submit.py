"""Turn a finished application into a web case, through ``services.actions.intake`` only.

The idempotency key made when the application started is the intake ``provider_id``: a
double click, a second tab or back-and-resubmit hands intake the same key, and the unique
``(channel, provider_id)`` index makes that one case.
"""

from django.db import transaction

from portal.accounts import resident_for_user
from portal.apply import fields as apply_fields
from portal.apply import flow
from portal.apply.forms import preferences
from services.actions import (
    InboundAttachment,
    InboundMessage,
    IntakeResult,
    ResidentDetails,
    intake,
)
from services.models import Channel, Message


def provider_id(state: dict) -> str:
    return f"apply:{state['key']}"


def existing_result(state: dict) -> Message | None:
    return (
        Message.objects.select_related("case")
        .filter(channel=Channel.WEB, provider_id=provider_id(state))
        .first()
    )


def build_inbound(page, state: dict, user=None) -> InboundMessage:
    contact = state.get("contact") or {}
    types = flow.field_types(page)
    answers = {}
    lines = []
    for field in page.get_form_fields():
        value = apply_fields.display(
            types[field.clean_name], state["answers"].get(field.clean_name)
        )
        answers[field.label] = value
        lines.append(f"{field.label}: {value}")
    attachments = [
        InboundAttachment(
            filename=pending.filename, content_type=pending.content_type, content=pending.read()
        )
        for pending in flow.pending_files(state).values()
    ]
    postcode = flow.postcode(page, state)
    address = flow.first_answer_of_type(page, state, "address")
    return InboundMessage(
        channel=Channel.WEB,
        provider_id=provider_id(state),
        service=page.get_service(),
        council=flow.chosen_council(state),
        resident=resident_for_user(user),
        resident_details=ResidentDetails(
            name=contact.get("name", ""),
            email=(contact.get("email") or "").lower(),
            phone=contact.get("phone", ""),
            address=address,
            postcode=postcode,
            language=contact.get("language", ""),
            **preferences(contact),
        ),
        body="\n".join(lines),
        answers=answers,
        attachments=attachments,
        summary=page.title,
        postcode=postcode,
        location=address or postcode,
        language=contact.get("language") or "en",
        thread_to_open_case=False,
        actor_label="Resident (web form)",
    )


def submit(page, state: dict, user=None) -> IntakeResult | None:
    """File the application. Returns None if the pending files have gone (started elsewhere)."""
    message = existing_result(state)
    if message is not None:
        return IntakeResult(message=message, case=message.case, resident=None, duplicate=True)
    try:
        inbound = build_inbound(page, state, user)
    except FileNotFoundError:
        # A parallel submission of this same application already filed it and tidied up.
        message = existing_result(state)
        if message is None:
            raise
        return IntakeResult(message=message, case=message.case, resident=None, duplicate=True)
    result = intake(inbound)
    if not result.duplicate:
        files = list(flow.pending_files(state).values())
        transaction.on_commit(lambda: [f.delete() for f in files])
    return result
