"""The channel simulator: staff try the real webhooks without a provider (dev and demo only)."""
