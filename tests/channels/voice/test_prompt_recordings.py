"""Recorded IVR prompts: played where an editor uploaded one for the caller's language, spoken
otherwise; uploads checked by content; the coverage report; the demo's placeholder."""

import io
import wave

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from channels.voice.models import PromptRecording
from portal.demo.prompts import load_placeholder_prompts, placeholder_wav
from services.models import Council
from tests.channels.voice.conftest import ENTRY, MKC_LINE, NCC_LINE, spoken

pytestmark = pytest.mark.django_db

MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10 + b"\xff\xfb\x90\x64" + b"\x00" * 400


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    # MEDIA_ROOT only: replacing STORAGES would rebuild every storage and leave the other
    # models' fields holding the old instances for the rest of the run.
    settings.MEDIA_ROOT = tmp_path


def record(prompt: str, language: str, *, council=None, content: bytes | None = None):
    recording = PromptRecording(prompt=prompt, language=language, council=council)
    recording.audio.save(f"{prompt}.wav", ContentFile(content or placeholder_wav()), save=False)
    recording.full_clean()
    recording.save()
    return recording


def plays(root) -> list[str]:
    return [play.text for play in root.iter("Play")]


def test_an_urdu_walk_plays_urdu_recordings_and_falls_back_to_english_elsewhere(caller):
    option = record("language_option", "ur")
    menu = record("main_menu", "ur")
    call = caller()
    root = call.step(ENTRY, CallStatus="ringing")
    # The language menu: "For Urdu, press 5" is the Urdu recording; the others are spoken.
    assert any(f"/channels/voice/prompts/{option.pk}/" in url for url in plays(root))
    assert "For Urdu" not in spoken(root)
    assert "Polski" in spoken(root)
    root = call.next(Digits="5")
    urls = plays(root)
    assert len(urls) == 1 and f"/channels/voice/prompts/{menu.pk}/" in urls[0]
    assert urls[0].startswith("https://") or urls[0].startswith("http")
    # No Urdu recording of the interpreter offer: spoken in English, as before.
    assert "interpreter" in spoken(root)
    assert all(say.get("language") == "en-GB" for say in root.iter("Say"))
    assert "To hear how your request is going" not in spoken(root)


def test_without_recordings_urdu_callers_hear_english_with_the_interpreter_offer(caller):
    call = caller()
    root = call.to_menu("5")
    assert plays(root) == []
    assert "interpreter" in spoken(root)
    assert "To hear how your request is going, press 1" in spoken(root)


def test_a_recording_in_another_language_is_not_played_to_an_english_caller(caller):
    record("main_menu", "ur")
    root = caller().to_menu("1")
    assert plays(root) == []
    assert "To hear how your request is going, press 1" in spoken(root)


def test_the_audio_is_served_for_twilio_to_fetch(client, caller):
    recording = record("main_menu", "ur")
    response = client.get(f"/channels/voice/prompts/{recording.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert "public" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    with wave.open(io.BytesIO(body)) as audio:
        assert audio.getframerate() == 8000
    assert client.get("/channels/voice/prompts/999999/").status_code == 404
    assert client.post(f"/channels/voice/prompts/{recording.pk}/").status_code == 405


def test_a_council_greeting_plays_only_on_that_councils_line(caller, catalogue):
    mkc = Council.objects.get(code="MKC")
    greeting = record("greeting_council", "en", council=mkc)
    root = caller(to=MKC_LINE).step(ENTRY, CallStatus="ringing")
    assert any(f"/prompts/{greeting.pk}/" in url for url in plays(root))
    root = caller(to=NCC_LINE).step(ENTRY, CallStatus="ringing")
    assert not any(f"/prompts/{greeting.pk}/" in url for url in plays(root))
    assert "Thank you for calling" in spoken(root)


def test_a_replaced_recording_gets_a_new_url(caller):
    recording = record("main_menu", "ur")
    first = plays(caller().to_menu("5"))[0]
    recording.audio.save("again.wav", ContentFile(placeholder_wav(seconds=0.5)), save=False)
    recording.full_clean()
    recording.save()
    assert plays(caller().to_menu("5"))[0] != first or "v=" in first


@pytest.mark.parametrize(
    "content,name",
    [
        (b"%PDF-1.7\n" + b"x" * 100, "menu.mp3"),
        (b"MZ" + b"\x00" * 200, "menu.wav"),
        (b"<script>alert(1)</script>", "menu.mp3"),
        (b"", "menu.wav"),
    ],
)
def test_uploads_are_checked_by_content(content, name):
    recording = PromptRecording(prompt="main_menu", language="ur")
    recording.audio = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError) as error:
        recording.full_clean()
    assert "audio" in error.value.message_dict


def test_mp3_and_wav_are_accepted_and_typed_by_content():
    recording = PromptRecording(prompt="main_menu", language="ur")
    recording.audio = SimpleUploadedFile("named-wrong.wav", MP3)
    recording.full_clean()
    assert recording.content_type == "audio/mpeg"
    recording = PromptRecording(prompt="reference", language="ur")
    recording.audio = SimpleUploadedFile("x.mp3", placeholder_wav())
    recording.full_clean()
    assert recording.content_type == "audio/wav"


def test_a_council_is_refused_on_a_prompt_that_is_the_same_everywhere(catalogue):
    recording = PromptRecording(
        prompt="main_menu", language="ur", council=Council.objects.get(code="MKC")
    )
    recording.audio = SimpleUploadedFile("x.wav", placeholder_wav())
    with pytest.raises(ValidationError) as error:
        recording.full_clean()
    assert "council" in error.value.message_dict


def test_one_recording_per_prompt_and_language(catalogue):
    record("main_menu", "ur")
    with pytest.raises(ValidationError):
        record("main_menu", "ur")


def test_the_coverage_report_shows_what_lacks_a_recording(admin_client):
    load_placeholder_prompts()
    response = admin_client.get("/admin/reports/telephone-prompt-coverage/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-language="ur" data-prompt="interpreter"' in html
    cell = html.split('data-language="ur" data-prompt="interpreter"', 1)[1].split("</td>", 1)[0]
    assert "Spoken in English" in cell
    cell = html.split('data-language="ur" data-prompt="main_menu"', 1)[1].split("</td>", 1)[0]
    assert "Recorded" in cell and "Placeholder" in cell
    cell = html.split('data-language="pl" data-prompt="main_menu"', 1)[1].split("</td>", 1)[0]
    assert "Text-to-speech" in cell


def test_editors_upload_through_the_admin(admin_client):
    response = admin_client.post(
        "/admin/prompt_recordings/new/",
        {
            "prompt": "interpreter",
            "language": "ur",
            "council": "",
            "transcript": "…",
            "audio": SimpleUploadedFile("offer.wav", placeholder_wav()),
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert PromptRecording.objects.get(prompt="interpreter", language="ur").content_type == (
        "audio/wav"
    )
    refused = admin_client.post(
        "/admin/prompt_recordings/new/",
        {
            "prompt": "reference",
            "language": "ur",
            "audio": SimpleUploadedFile("evil.mp3", b"MZ" + b"\x00" * 100),
        },
    )
    assert refused.status_code == 200
    assert not PromptRecording.objects.filter(prompt="reference").exists()


@override_settings(DEBUG=False)
def test_the_demo_placeholder_is_labelled_and_idempotent():
    assert load_placeholder_prompts() == 2
    assert load_placeholder_prompts() == 0
    assert all(
        r.placeholder and "PLACEHOLDER" in r.transcript for r in PromptRecording.objects.all()
    )
