"""Records the calls it would have placed in ``placed`` (tests clear it with ``reset``)."""

import secrets
import threading

from channels.voice.backends import CallBackend, PlacedCall

placed: list[PlacedCall] = []
_lock = threading.Lock()


def reset() -> None:
    with _lock:
        placed.clear()


class LocmemCallBackend(CallBackend):
    def place(self, *, to, from_, url, status_callback) -> PlacedCall:
        call = PlacedCall(to, from_, url, status_callback, "CA" + secrets.token_hex(16))
        with _lock:
            placed.append(call)
        return call
