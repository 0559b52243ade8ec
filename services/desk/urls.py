"""The staff desk at /desk/: the shared queue, case pages, actions, residents, supervisors.

``/desk/search/`` belongs to the search app; the desk only links to it.
"""

from django.urls import path

from services.desk import views

app_name = "desk"

urlpatterns = [
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
