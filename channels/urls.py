"""Channel webhooks: /channels/sms/…, /channels/voice/…, /channels/email/…"""

urlpatterns: list = []
