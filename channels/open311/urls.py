"""/open311/v2/…: GeoReport v2 with mySociety's servicerequestupdates; ``.xml`` or ``.json``
(no suffix: XML, as the specification's examples)."""

from django.urls import path, register_converter

from channels.open311 import views


class FormatConverter:
    regex = r"\.(?:xml|json)"

    def to_python(self, value):
        return value[1:]

    def to_url(self, value):
        return f".{value}"


register_converter(FormatConverter, "open311format")

app_name = "open311"


def both(route: str, view, name: str) -> list:
    return [
        path(f"{route}<open311format:fmt>", view, name=name),
        path(route, view, name=f"{name}-xml"),
    ]


urlpatterns: list = [
    *both("services", views.ServiceList.as_view(), "services"),
    *both("services/<str:code>", views.ServiceDefinition.as_view(), "service"),
    *both("requests", views.Requests.as_view(), "requests"),
    *both("requests/<str:service_request_id>", views.RequestDetail.as_view(), "request"),
    *both("servicerequestupdates", views.ServiceRequestUpdates.as_view(), "updates"),
]
