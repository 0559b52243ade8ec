"""Twilio SMS webhooks. Thin: parse, hand to ``inbound.receive`` / ``status.apply_status``."""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from twilio.twiml.messaging_response import MessagingResponse

from channels.sms import inbound, status
from channels.twilio import TwilioWebhookView, twiml


class InboundSmsView(TwilioWebhookView):
    """``POST /channels/sms/twilio/``: a text arrived; answer with TwiML."""

    def handle(self, request: HttpRequest) -> HttpResponse:
        try:
            text = inbound.InboundText.from_post(request.POST)
        except inbound.MalformedPayload as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain")
        outcome = inbound.receive(text, raw=request.body.decode("utf-8", "replace"))
        response = MessagingResponse()
        if outcome.reply:
            response.message(outcome.reply)
        return twiml(response)


class SmsStatusView(TwilioWebhookView):
    """``POST /channels/sms/twilio/status/``: Twilio tells us what became of a text we sent."""

    def handle(self, request: HttpRequest) -> HttpResponse:
        data = request.POST
        status.apply_status(
            message_sid=(data.get("MessageSid") or data.get("SmsSid") or "").strip()[:64],
            status=data.get("MessageStatus") or data.get("SmsStatus") or "",
            error_code=(data.get("ErrorCode") or "").strip()[:10],
            message_id=request.GET.get("message", "")[:20],
        )
        return HttpResponse(status=204)
