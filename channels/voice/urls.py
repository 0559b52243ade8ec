"""Twilio Voice webhooks under /channels/voice/twilio/ (see ``views``)."""

from django.urls import path

from channels.voice import agent, prompt_audio, views

app_name = "voice"

urlpatterns = [
    path("twilio/", views.CallEntryView.as_view(), name="entry"),
    path("twilio/language/", views.LanguageView.as_view(), name="language"),
    path("twilio/menu/", views.MenuView.as_view(), name="menu"),
    path("twilio/reference/", views.ReferenceView.as_view(), name="reference"),
    path("twilio/group/", views.GroupView.as_view(), name="group"),
    path("twilio/connect/", views.ConnectView.as_view(), name="connect"),
    path("twilio/wait/", views.WaitView.as_view(), name="wait"),
    path("twilio/wait-key/", views.WaitKeyView.as_view(), name="wait_key"),
    path("twilio/agent/", agent.AgentView.as_view(), name="agent"),
    path("twilio/agent/status/", agent.AgentStatusView.as_view(), name="agent_status"),
    path("twilio/whisper/", agent.WhisperView.as_view(), name="whisper"),
    path("twilio/queue-end/", views.QueueEndView.as_view(), name="queue_end"),
    path("twilio/recording/", views.RecordingView.as_view(), name="recording"),
    path("twilio/transcription/", views.TranscriptionView.as_view(), name="transcription"),
    path("twilio/status/", views.StatusView.as_view(), name="status"),
    path("prompts/<int:pk>/", prompt_audio.prompt_audio, name="prompt_audio"),
]
