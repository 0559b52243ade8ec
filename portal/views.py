"""Site-wide views: health check, language switch, site search, the server error page."""

import logging

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from wagtail.contrib.search_promotions.models import Query
from wagtail.models import Page

from channels.sms import filing as sms_filing
from channels.sms import inbox as sms_inbox
from portal.accounts import residents_for
from portal.languages import SESSION_KEY, remember_language
from portal.templatetags.councils import council_phones
from search import site as site_search
from services.actions.residents import set_language

logger = logging.getLogger(__name__)

SEARCH_PAGE_SIZE = 10
MAX_QUERY_LENGTH = 200


@never_cache
@require_GET
def healthz(request):
    """For load balancers and the on-call engineer: is the app up and its database reachable?

    Also how many inbound texts and status callbacks this server holds in its disk spool (the
    database was unreachable when they came; ``manage.py file_texts`` moves them into the
    inbox) and the oldest one's age — shown even, and especially, when the database is down —
    and, with the database up, the inbox's backlog (``channels.sms``, "accept first, file
    after").
    """
    spool = sms_inbox.spool_stats()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        backlog = sms_filing.backlog()
    except Exception as error:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse(
            {"status": "error", "database": str(error), "sms_spool": spool}, status=503
        )
    return JsonResponse({"status": "ok", "sms_spool": spool, "sms_inbox": backlog})


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /desk/",
        "Disallow: /admin/",
        "Disallow: /track/",
        "Disallow: /my/",
        "Disallow: /accounts/",
        f"Sitemap: {settings.PUBLIC_BASE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
def switch_language(request, code):
    """Remember the resident's language (cookie, and their account) and go back where they were.

    A link, not a form, so it works everywhere without JavaScript; changing language is safe
    to repeat and changes nothing else. A signed-in resident's records all take the language,
    so texts and emails about any of their cases are written in it.
    """
    languages = dict(settings.LANGUAGES)
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    if code in languages:
        remember_language(response, code)
        if request.user.is_authenticated:
            set_language(residents_for(request.user), code)
            request.session[SESSION_KEY] = code
    return response


@require_GET
def search(request):
    """Site search and the home page's service finder: live pages, editors' promotions first."""
    # Without control characters: PostgreSQL refuses NUL, and promotions store the query.
    query = site_search.clean(request.GET.get("q") or "")[:MAX_QUERY_LENGTH]
    postcode = site_search.clean(request.GET.get("postcode") or "")[:12]
    results = Page.objects.none()
    promotions = []
    area = None
    if query:
        promoted = Query.get(query)
        promoted.add_hit()
        promotions = list(promoted.editors_picks.select_related("page").all())
        # Synonyms and the resident's council: search.site (issue 8).
        found = site_search.search_pages(
            query, postcode=postcode, exclude_ids={p.page_id for p in promotions}
        )
        results, area = found.pages, found.area
    paginator = Paginator(results, SEARCH_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1)
    # What each result says: plain text with the resident's words marked (search.site.snippet).
    terms = site_search.highlight_terms(query) if query else []
    for pick in promotions:
        pick.snippet = site_search.snippet(pick.description, terms)
    for result in page:
        described = (
            getattr(result, "summary", "")
            or getattr(result, "intro", "")
            or result.search_description
        )
        result.snippet = site_search.snippet(described, terms)
    return render(
        request,
        "portal/search.html",
        {
            "query": query,
            "postcode": postcode,
            "area": area,
            "results": page,
            "promotions": promotions,
            "paginator": paginator,
            # Promotions are listed too, so they count: the number says what the list shows.
            "total": len(promotions) + paginator.count,
        },
    )


def server_error(request):
    """500, in the resident's language, with the councils' real numbers when they can be had.

    Whatever broke must not break this page too: it extends no base template (whose context
    processors read the database), and the numbers come from the catalogue cache or, on a
    miss, one query — which may fail as well, and then the page goes without them.
    """
    try:
        phones = council_phones()
    except Exception:  # noqa: BLE001 - the database may be the very thing that failed
        logger.warning("Server error page without the councils' numbers", exc_info=True)
        phones = []
    return HttpResponseServerError(render_to_string("500.html", {"phones": phones}))
