"""Every staff screen under /desk/ (mounted by ``portal.urls``).

The rooms keep the URL namespaces the templates and tests reverse — ``search``, ``calls``,
``counter``, ``dashboards``, ``simulator`` — and the queue, case, resident and supervisor pages
are ``desk``. This module has no ``app_name`` of its own, so those namespaces stay top-level
(``desk:case``, not ``desk:desk:case``). Every view behind these patterns is wrapped by
``desk.gate.staff_required`` (``tests/desk/test_gate.py`` walks them all).
"""

from django.urls import include, path

from desk import views

desk_patterns = [
    path("", views.queue, name="queue"),
    path("next/", views.next_case, name="next_case"),
    path("supervisor/", views.supervisor, name="supervisor"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/note/", views.case_note, name="case_note"),
    path("cases/<str:reference>/assign/", views.case_assign, name="case_assign"),
    path("cases/<str:reference>/transfer/", views.case_transfer, name="case_transfer"),
    path("cases/<str:reference>/status/", views.case_status, name="case_status"),
    path("cases/<str:reference>/reply/", views.case_reply, name="case_reply"),
    path("cases/<str:reference>/merge/", views.case_merge, name="case_merge"),
    path("cases/<str:reference>/refer/", views.case_refer, name="case_refer"),
    path(
        "cases/<str:reference>/files/<int:pk>/",
        views.attachment,
        name="attachment",
    ),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("residents/<int:pk>/merge/", views.resident_merge, name="resident_merge"),
]

urlpatterns = [
    path("search/", include("desk.search.urls")),
    path("calls/", include("desk.calls.urls")),
    path("counter/", include("desk.counter.urls")),
    path("dashboards/", include("desk.dashboards.urls")),
    path("simulator/", include("desk.simulator.urls")),
    path("sms-inbox/", include("desk.sms_inbox.urls")),
    path("", include((desk_patterns, "desk"))),
]
