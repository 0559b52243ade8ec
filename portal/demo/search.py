"""Demo synonyms and promoted results for the resident site search. Safe to run twice."""

from collections.abc import Callable

from django.db import transaction
from wagtail.contrib.search_promotions.models import Query, SearchPromotion

from portal.pages.models import ServicePage
from search.models import SynonymGroup

SYNONYMS = [
    "bins, bin, waste collection, rubbish, refuse, recycling, wheelie bin",
    "council tax, ctax, rates",
    "blue badge, disabled parking, disability parking permit",
    "pothole, potholes, road defect, road repair",
    "fly-tipping, fly tipping, dumped rubbish, illegal dumping",
    "housing benefit, council tax reduction, help with rent",
]

# query → (service slug of the promoted page, description shown with it)
PROMOTIONS = {
    "bins": ("mk-missed-bin", "Report a bin we missed in Milton Keynes."),
    "blue badge": ("blue-badge", "Apply for or renew a Blue Badge, in either council."),
}


def ensure_search_demo(say: Callable[[str], None] | None = None) -> int:
    """Create missing synonym groups and promotions; leave editors' changes alone."""
    created = 0
    with transaction.atomic():
        for terms in SYNONYMS:
            first = terms.split(",")[0].strip()
            if not SynonymGroup.objects.filter(terms__istartswith=first).exists():
                SynonymGroup.objects.create(terms=terms, note="Demo synonyms")
                created += 1
        for text, (slug, description) in PROMOTIONS.items():
            page = ServicePage.objects.filter(service__slug=slug).first()
            if page is None:
                continue
            query = Query.get(text)
            _promotion, made = SearchPromotion.objects.get_or_create(
                query=query, page=page, defaults={"sort_order": 0, "description": description}
            )
            created += made
    if say:
        say(f"Search: {created} synonym groups and promotions added.")
    return created
