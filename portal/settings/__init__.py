"""Settings for each environment: ``base`` plus ``dev``, ``test`` and ``production``."""
