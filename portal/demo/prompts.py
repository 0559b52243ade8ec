"""A clearly labelled placeholder recording for the demo, so the recorded-prompt path
(``channels.voice.prompts``) is heard: Urdu callers get a tone where the Urdu recordings of the
language menu entry and the main menu would be. Replace them with real recordings in the admin
("Telephone prompts"); the coverage report marks them "Placeholder".
"""

import io
import math
import struct
import wave

from django.core.files.base import ContentFile

from channels.voice.models import PromptRecording

PLACEHOLDER_PROMPTS = ("language_option", "main_menu")
TRANSCRIPT = "PLACEHOLDER: two tones standing in for the Urdu recording of this prompt (demo only)."


def placeholder_wav(seconds: float = 1.2, rate: int = 8000) -> bytes:
    """Two short 440 Hz tones as 8 kHz, 16-bit mono WAV (what telephone audio is)."""
    frames = bytearray()
    for n in range(int(seconds * rate)):
        t = n / rate
        on = (t % 0.6) < 0.35
        frames += struct.pack("<h", int(9000 * math.sin(2 * math.pi * 440 * t)) if on else 0)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def load_placeholder_prompts(language: str = "ur") -> int:
    """Create the placeholder recordings that are missing; returns how many were made."""
    made = 0
    for key in PLACEHOLDER_PROMPTS:
        if PromptRecording.objects.filter(prompt=key, language=language).exists():
            continue
        recording = PromptRecording(
            prompt=key, language=language, transcript=TRANSCRIPT, placeholder=True
        )
        recording.audio.save(
            f"placeholder-{key}-{language}.wav", ContentFile(placeholder_wav()), save=False
        )
        recording.full_clean()
        recording.save()
        made += 1
    return made
