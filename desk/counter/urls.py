"""Counter screens for staff: /desk/counter/… (namespace ``counter``)."""

from django.urls import path

from desk.counter import views

app_name = "counter"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:office>/", views.office_view, name="office"),
    path("<slug:office>/issue/", views.issue, name="issue"),
    path("<slug:office>/desk/", views.sign_on, name="sign_on"),
    path("<slug:office>/desk/leave/", views.sign_off, name="sign_off"),
    path("<slug:office>/next/", views.call_next, name="call_next"),
    path("<slug:office>/figures/", views.figures, name="figures"),
    path("<slug:office>/tickets/<int:pk>/", views.serve, name="serve"),
    path("<slug:office>/tickets/<int:pk>/issued/", views.ticket_issued, name="ticket_issued"),
    path(
        "<slug:office>/tickets/<int:pk>/do/<slug:step>/",
        views.ticket_action,
        name="ticket_action",
    ),
    path("<slug:office>/tickets/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<slug:office>/tickets/<int:pk>/find/", views.find_resident, name="find_resident"),
    path("<slug:office>/tickets/<int:pk>/link/", views.link_resident, name="link_resident"),
    path("<slug:office>/tickets/<int:pk>/note/", views.add_note, name="note"),
    path("<slug:office>/tickets/<int:pk>/document/", views.attach_document, name="document"),
    path(
        "<slug:office>/tickets/<int:pk>/apply/<int:page_id>/",
        views.assisted,
        name="assisted",
    ),
    path(
        "<slug:office>/tickets/<int:pk>/case/<int:service_id>/",
        views.simple_case,
        name="simple_case",
    ),
    path("<slug:office>/tickets/<int:pk>/receipt/", views.receipt, name="receipt"),
]
