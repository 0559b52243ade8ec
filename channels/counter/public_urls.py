"""Pages in the one-stop shop: /counter/<office>/display/ (public) and the kiosk."""

from django.urls import path

from channels.counter import public

app_name = "counter_public"

urlpatterns = [
    path("<slug:office>/display/", public.display, name="display"),
    path("<slug:office>/display.json", public.display_json, name="display_json"),
    path("<slug:office>/kiosk/", public.kiosk, name="kiosk"),
    path("<slug:office>/kiosk/<int:pk>/", public.kiosk_ticket, name="kiosk_ticket"),
]
