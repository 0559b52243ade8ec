"""``/api/``: the case API (``v1/``), its OpenAPI 3 schema (``schema/``) and browsable docs
(``docs/``, Swagger UI served from our own static files: drf-spectacular-sidecar)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import views
from api.docs import Docs

app_name = "api"

urlpatterns = [
    path("v1/me/", views.Me.as_view(), name="me"),
    path("v1/cases/", views.CaseList.as_view(), name="case-list"),
    path("v1/cases/<str:reference>/", views.CaseDetail.as_view(), name="case-detail"),
    path("v1/cases/<str:reference>/timeline/", views.CaseTimeline.as_view(), name="case-timeline"),
    path("v1/cases/<str:reference>/status/", views.CaseStatus.as_view(), name="case-status"),
    path("v1/cases/<str:reference>/outcome/", views.CaseOutcome.as_view(), name="case-outcome"),
    path("v1/cases/<str:reference>/notes/", views.CaseNote.as_view(), name="case-note"),
    path("v1/cases/<str:reference>/transfer/", views.CaseTransfer.as_view(), name="case-transfer"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", Docs.as_view(), name="docs"),
]
