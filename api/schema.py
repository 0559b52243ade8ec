"""How drf-spectacular describes the partner key (imported in ``ApiConfig.ready``)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.PartnerKeyAuthentication"
    name = "partnerKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The partner's API key: `Authorization: Bearer pa_…`.",
        }


def only_case_api(endpoints):
    """``PREPROCESSING_HOOKS``: the schema describes ``/api/v1/`` only (not Wagtail's own
    admin API, which also runs on DRF)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
