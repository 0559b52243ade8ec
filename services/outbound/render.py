"""Rendering from the editors' templates lives in ``services.composition`` (the queue action
and the desk's preview both use it); these names stay importable from here."""

from services.composition import Rendered, render

__all__ = ["Rendered", "render"]
