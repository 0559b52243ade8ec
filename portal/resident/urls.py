"""/track/ (anyone with a reference and its contact detail) and /my/ (signed-in residents).

Mounted at the site root, before Wagtail's catch-all, by ``portal.urls``.
"""

from django.urls import path

from portal.resident import views

app_name = "resident"

urlpatterns = [
    path("track/", views.track, name="track"),
    path("track/<str:reference>/", views.case_detail, name="case"),
    path(
        "track/<str:reference>/files/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("my/cases/", views.my_cases, name="my_cases"),
    path("my/details/", views.my_preferences, name="my_preferences"),
    path("my/phone/confirm/", views.confirm_phone, name="confirm_phone"),
    path("my/phone/send/", views.send_phone_code, name="send_phone_code"),
    path("my/data/", views.my_data, name="my_data"),
]
