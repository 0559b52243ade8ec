"""Open performance: summary tables computed from the case queue, the public "How we are doing"
pages and open data, the supervisors' dashboards and the voluntary equality questionnaire.

``reports`` reads ``services`` and never changes a case; ``services`` never imports ``reports``.
"""
