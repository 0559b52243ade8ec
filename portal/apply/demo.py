"""Demo apply-online pages under a few demo service pages (idempotent: safe to run twice)."""

from portal.apply.models import ApplyFormField, ApplyPage
from portal.pages.models import ServicePage

# service slug -> (page slug, title, intro, what happens next, questions)
# A question: (label, field type, required, choices, help text, page break)
DEMO_FORMS = {
    "mk-missed-bin": (
        "report",
        "Report a missed bin collection online",
        "<p>Tell us about a bin, sack or caddy that was not collected on your collection day.</p>",
        "<p>The waste team will arrange a return visit, usually within 2 working days.</p>",
        [
            ("Postcode of the property", "postcode", True, "", "For example, MK9 3EJ", False),
            ("Address of the property", "address", True, "", "", False),
            (
                "Which collection was missed?",
                "radio",
                True,
                "Black sacks\nRecycling\nFood waste caddy\nGarden waste",
                "",
                True,
            ),
            (
                "When should it have been collected?",
                "date",
                True,
                "",
                "For example, 27 3 2026",
                True,
            ),
            ("Anything else we should know?", "multiline", False, "", "Optional", True),
        ],
    ),
    "mk-pothole": (
        "report",
        "Report a pothole online",
        "<p>Report a pothole or damaged road, pavement or redway in Milton Keynes.</p>",
        "<p>A highways inspector will assess it. Dangerous defects are made safe within 24 hours.</p>",
        [
            ("Postcode nearest the pothole", "postcode", True, "", "For example, MK9 3EJ", False),
            ("Where exactly is it?", "multiline", True, "", "Street name and a landmark", False),
            ("Is it causing a danger to people or vehicles?", "yesno", True, "", "", True),
            ("How deep is it, in centimetres?", "number", False, "", "An estimate is fine", True),
            (
                "A photo of the pothole",
                "file",
                False,
                "",
                "Optional. A JPG, PNG, HEIC or PDF, up to 10 MB.",
                True,
            ),
        ],
    ),
    "ncc-pothole": (
        "report",
        "Report a pothole online",
        "<p>Report a pothole or damaged road or pavement in Northamptonshire.</p>",
        "<p>A highways inspector will assess it. Dangerous defects are made safe within 24 hours.</p>",
        [
            ("Postcode nearest the pothole", "postcode", True, "", "For example, NN1 1DE", False),
            ("Where exactly is it?", "multiline", True, "", "Street name and a landmark", False),
            ("Is it causing a danger to people or vehicles?", "yesno", True, "", "", True),
            ("How deep is it, in centimetres?", "number", False, "", "An estimate is fine", True),
            (
                "A photo of the pothole",
                "file",
                False,
                "",
                "Optional. A JPG, PNG, HEIC or PDF, up to 10 MB.",
                True,
            ),
        ],
    ),
    "blue-badge": (
        "apply",
        "Apply for a Blue Badge online",
        "<p>Apply for a Blue Badge for yourself or someone you care for.</p>",
        "<p>The Blue Badge team will check your application and may ask for more evidence.</p>",
        [
            ("Full name of the person the badge is for", "singleline", True, "", "", False),
            ("Their date of birth", "date", True, "", "For example, 31 3 1950", False),
            ("Their postcode", "postcode", True, "", "", True),
            (
                "Do they get the higher rate mobility component of PIP?",
                "yesno",
                True,
                "",
                "",
                True,
            ),
            (
                "Proof of identity or benefit",
                "file",
                True,
                "",
                "A photo or scan: JPG, PNG, HEIC or PDF, up to 10 MB.",
                True,
            ),
        ],
    ),
}


def ensure_apply_pages(stdout=None) -> int:
    """Add the demo apply-online pages that are missing. Returns how many were created."""
    created = 0
    for service_slug, (slug, title, intro, next_steps, questions) in DEMO_FORMS.items():
        parent = ServicePage.objects.filter(service__slug=service_slug).first()
        if parent is None or ApplyPage.objects.child_of(parent).filter(slug=slug).exists():
            continue
        page = ApplyPage(title=title, slug=slug, intro=intro, what_happens_next=next_steps)
        for order, (label, kind, required, choices, help_text, page_break) in enumerate(questions):
            page.form_fields.add(
                ApplyFormField(
                    sort_order=order,
                    label=label,
                    field_type=kind,
                    required=required,
                    choices=choices,
                    help_text=help_text,
                    page_break=page_break,
                )
            )
        parent.add_child(instance=page)
        page.save_revision().publish()
        created += 1
        if stdout is not None:
            stdout.write(f"Apply-online page: {page.url_path}")
    return created
