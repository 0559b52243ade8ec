"""Search backends, chosen by ``settings.PORTAL_SEARCH_BACKEND``; ask ``get_backend()``."""

from search.backends.base import get_backend

__all__ = ["get_backend"]
