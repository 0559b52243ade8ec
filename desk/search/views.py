"""The desk's one search box and its suggestions: staff only, permission-filtered.

Thin views: the backend applies the user's permissions inside the query; a view never
filters a list of results afterwards. The page works without JavaScript (a GET form); the
JSON suggestions are an extra for a search box that wants them. Both are behind the desk's
one gate (``desk.gate.staff_required``).
"""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from desk.gate import staff_required
from desk.nav import nav
from search.backends import get_backend
from search.query import MAX_QUERY_LENGTH


@never_cache
@require_GET
@staff_required
def desk_search(request):
    text = (request.GET.get("q") or "")[: MAX_QUERY_LENGTH * 2]
    results = get_backend().search(request.user, text) if text.strip() else None
    return render(
        request,
        "desk/search/desk_search.html",
        nav(request, "search") | {"query": text.strip()[:MAX_QUERY_LENGTH], "results": results},
    )


@never_cache
@require_GET
@staff_required
def suggest(request):
    text = (request.GET.get("q") or "")[: MAX_QUERY_LENGTH * 2]
    suggestions = get_backend().suggest(request.user, text) if len(text.strip()) >= 2 else []
    return JsonResponse({"suggestions": [s.as_dict() for s in suggestions]})
