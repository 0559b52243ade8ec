"""URL contracts (see docs/architecture.md): the site, /track/, /my/, /accounts/, /desk/,
/admin/ (Wagtail) and the channel webhooks under /channels/."""

from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import Sitemap
from wagtail.documents import urls as wagtaildocs_urls

from portal import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": Sitemap}}, name="sitemap"),
    path("language/<str:code>/", views.switch_language, name="switch_language"),
    path("search/", views.search, name="search"),
    path("accounts/", include("allauth.urls")),
    path("", include("portal.resident.urls")),  # /track/ and /my/
    path("desk/", include("desk.urls")),  # every staff screen: queue, calls, counter, …
    path("counter/", include("channels.counter.public_urls")),
    path("channels/", include("channels.urls")),
    # GeoReport v2 for FixMyStreet and other partner systems (channels/open311).
    path("open311/v2/", include("channels.open311.urls")),
    path("api/", include("api.urls")),  # the case API, its schema and docs (docs/api.md)
    path("documents/", include(wagtaildocs_urls)),
]

if settings.PORTAL_STAFF_MFA_REQUIRED:
    # Editors sign in through allauth, so the second factor applies to the CMS too.
    urlpatterns.append(
        path(
            "admin/login/",
            RedirectView.as_view(url="/accounts/login/?next=/admin/", query_string=False),
        )
    )

urlpatterns += [
    path("admin/", include(wagtailadmin_urls)),
    path("how-we-are-doing/", include("reports.urls")),
    path("", include(wagtail_urls)),
]

# The 500 page names the councils' real numbers, in the resident's language (portal.views).
handler500 = "portal.views.server_error"
