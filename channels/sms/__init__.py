"""The SMS channel on Twilio: texts in (webhook → intake), updates out (TwilioBackend)."""
