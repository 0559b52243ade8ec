"""Twilio SMS webhooks: accept first, file after.

After the signature check (``channels.twilio``) each view reads only what identifies the
request, writes it into the durable inbox in one statement — or, with the database out of
reach, to the disk spool — and answers at once (``channels.sms.inbox``). Nothing else happens in
the request: the text is filed, and the resident answered by an outbound text, by the filing
worker (``manage.py file_texts``, ``channels.sms.filing``), a moment later.

The inbound answer is an empty ``<Response/>``: the reply used to be TwiML and is now a text
from the outbox (consent, retries and delivery callbacks apply to it like any other).
"""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from channels.sms import inbox
from channels.twilio import TWIML_CONTENT_TYPE, Line, Phone, Sid, TwilioWebhookView

EMPTY_RESPONSE = '<?xml version="1.0" encoding="UTF-8"?><Response />'


class InboundSmsView(TwilioWebhookView):
    """``POST /channels/sms/twilio/``: a text arrived; keep it, answer ``<Response/>``.

    Only what identifies the text is read here (cleaned by the entrance); the signed body is
    kept as it came and read in full — by the same cleaning code — when it is filed.
    """

    post_fields = {"MessageSid": Sid(), "SmsMessageSid": Sid(), "From": Phone()}

    def handle(self, request: HttpRequest) -> HttpResponse:
        try:
            accepted = inbox.text_request(
                sid=self.fields["MessageSid"] or self.fields["SmsMessageSid"],
                sender=self.fields["From"],
                raw=request.body,
            )
        except inbox.Refused as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain")
        inbox.accept(accepted)
        return HttpResponse(EMPTY_RESPONSE, content_type=TWIML_CONTENT_TYPE)


class SmsStatusView(TwilioWebhookView):
    """``POST /channels/sms/twilio/status/``: what became of a text we sent; keep it, 204."""

    post_fields = {
        "MessageSid": Sid(),
        "SmsSid": Sid(),
        "MessageStatus": Line(20, lower=True),
        "SmsStatus": Line(20, lower=True),
    }
    query_fields = {"message": Line(20)}

    def handle(self, request: HttpRequest) -> HttpResponse:
        inbox.accept(
            inbox.status_request(
                sid=self.fields["MessageSid"] or self.fields["SmsSid"],
                status=self.fields["MessageStatus"] or self.fields["SmsStatus"],
                message=self.query["message"],
                raw=request.body,
                query=request.META.get("QUERY_STRING", ""),
            )
        )
        return HttpResponse(status=204)
