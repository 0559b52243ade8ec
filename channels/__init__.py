"""One adapter per channel: web, email, sms, voice, counter.

Inbound: turn a provider's payload into ``services.actions.InboundMessage`` and hand it to
``services.actions.intake``. Outbound: a backend per provider (``twilio``, ``console``,
``locmem``) registered in ``PORTAL_CHANNEL_BACKENDS``.
"""
