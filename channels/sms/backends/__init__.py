"""Outbound SMS backends. ``twilio`` here; ``console`` and ``locmem`` are in services.outbound."""
