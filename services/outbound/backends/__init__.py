"""Backends deliver one message on one channel. See ``base.OutboundBackend``."""
