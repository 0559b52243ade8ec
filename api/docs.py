"""The browsable docs at ``/api/docs/``: Swagger UI under the project's strict CSP.

drf-spectacular's split view serves the initialising script from a URL of its own (no inline
script); its page template's inline ``<style>`` is replaced by a stylesheet of ours, and the
Swagger UI bundle comes from drf-spectacular-sidecar's static files (no CDN). Swagger UI sets
element styles through the DOM (which CSP does not govern), so ``style-src 'self'`` holds.
"""

from drf_spectacular.views import SpectacularSwaggerSplitView


class Docs(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
    title = "Case API"
