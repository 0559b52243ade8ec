"""The hand-checked data set of ``tests/reports`` (its figures are worked out in that
conftest's docstring), for the supervisors' dashboards too."""

from tests.reports.conftest import dataset  # noqa: F401 (a fixture)
