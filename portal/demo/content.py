"""Page text for the demo site, written as a council would publish it."""

HOME = {
    "title": "Milton Keynes and Northamptonshire councils",
    "intro": "Report a problem, apply for a service or ask a question — online, by phone, by text, "
    "by email or at a one-stop shop. One team answers for both councils.",
}

TOP_TASKS = [
    ("mk-missed-bin", "Milton Keynes bins, recycling and food waste"),
    ("mk-council-tax", "Pay, ask about your bill or get a discount"),
    ("ncc-pothole", "Roads and pavements in Northamptonshire"),
    ("mk-pothole", "Roads, pavements and redways in Milton Keynes"),
    ("blue-badge", "Parking for disabled people, for both councils"),
    ("general-enquiry", "Ask us anything"),
]

COUNCILS = {
    "MKC": {
        "slug": "milton-keynes-council",
        "intro": "Milton Keynes Council is a unitary authority: it runs all local council services "
        "in Milton Keynes, from bins and roads to social care and schools.",
        "body": [
            (
                "paragraph",
                "<p>Milton Keynes Council serves around 290,000 residents across the city "
                "and its towns and villages, including Bletchley, Wolverton, Stony Stratford, Newport "
                "Pagnell and Olney.</p>",
            ),
            (
                "contact",
                {
                    "title": "Contact Milton Keynes Council",
                    "phone": "01632 960001",
                    "email": "contact@mk.example.org",
                    "hours": "Monday to Friday, 8am to 6pm; Saturday 9am to 1pm",
                },
            ),
        ],
    },
    "NCC": {
        "slug": "northamptonshire-county-council",
        "intro": "Northamptonshire County Council runs county services such as roads, street lighting, "
        "social care, school admissions and libraries. District and borough councils collect bins "
        "and council tax and decide most planning applications.",
        "body": [
            (
                "paragraph",
                "<p>Northamptonshire has two tiers of local government. If you are not sure "
                "which council to contact, ask us anyway: we will pass your request to the right one "
                "and tell you who has it.</p>",
            ),
            (
                "contact",
                {
                    "title": "Contact Northamptonshire County Council",
                    "phone": "01632 960002",
                    "email": "contact@northants.example.org",
                    "hours": "Monday to Friday, 8am to 6pm; Saturday 9am to 1pm",
                },
            ),
        ],
    },
}

OFFICES_INTRO = (
    "Visit a one-stop shop for help face to face, or call the joint contact centre. You do not "
    "need an appointment; staff can help you apply online and print or text you a receipt."
)


def office_intro(office):
    if office.kind == "contact_centre":
        return "Call us about any service of either council. Tell us if you need an interpreter."
    return f"Get help with council services in person in {office.address.splitlines()[-1]}."


def service_body(service):
    blocks = []
    if service.is_referral:
        blocks.append(
            (
                "paragraph",
                "<p>Your district or borough council is responsible for this "
                "service. Find your council from the list on this page, or contact us and we "
                "will pass your request on.</p>",
            )
        )
        return blocks
    blocks.append(("heading", {"text": "What you need", "size": "h2"}))
    blocks.append(
        (
            "paragraph",
            "<ul><li>your address or the location of the problem</li>"
            "<li>a description of what you need</li>"
            "<li>photos or documents, if you have them</li></ul>",
        )
    )
    blocks.append(
        (
            "paragraph",
            "<p>You will get a reference number straight away. We will tell "
            "you about progress by email or text message, in your language.</p>",
        )
    )
    if service.restricted:
        blocks.append(
            (
                "inset_text",
                {
                    "text": "<p>What you tell us is seen only by the social care "
                    "team. If someone is in danger now, call 999.</p>"
                },
            )
        )
    blocks.append(
        (
            "details",
            {
                "summary": "Other ways to get in touch",
                "text": "<p>Call 01632 960001, text 07400 000001, email "
                "contact@mk.example.org, or visit a one-stop shop.</p>",
            },
        )
    )
    return blocks


ACCESSIBILITY_BODY = [
    (
        "paragraph",
        "<p>This website is run jointly by Milton Keynes Council and Northamptonshire "
        "County Council. We want as many people as possible to be able to use it. You should be "
        "able to:</p><ul><li>change colours, contrast levels and fonts using browser or device "
        "settings</li><li>zoom in up to 400% without the text spilling off the screen</li>"
        "<li>navigate most of the website using a keyboard or speech recognition software</li>"
        "<li>listen to most of the website using a screen reader</li><li>use it in English, "
        "Polish, Romanian, Portuguese or Urdu</li></ul>",
    ),
    ("heading", {"text": "How we tested this website", "size": "h2"}),
    (
        "paragraph",
        "<p>Every page type residents and staff use is checked automatically on every "
        "change with axe-core against WCAG 2.2 level AA, in a real Chromium browser, in English and "
        "in Urdu (right to left). We also test completing an application with the keyboard only and "
        "check pages at 320 pixels wide for horizontal scrolling.</p>",
    ),
    ("heading", {"text": "Compliance status", "size": "h2"}),
    (
        "paragraph",
        "<p>We aim to meet the Web Content Accessibility Guidelines version 2.2 AA "
        "standard. Automated tests find a subset of problems; manual testing with assistive "
        "technology users is planned.</p>",
    ),
    ("heading", {"text": "Reporting accessibility problems", "size": "h2"}),
    (
        "paragraph",
        "<p>If you find a problem, or need information in a different format such as "
        "large print, easy read, audio or braille, tell us through a general enquiry or call "
        "01632 960001. We reply within 5 working days.</p>",
    ),
    (
        "paragraph",
        "<p>If you are not happy with how we respond, contact the Equality Advisory and "
        "Support Service (EASS).</p>",
    ),
]

COOKIES_BODY = [
    (
        "paragraph",
        "<p>We put small files called cookies on your device only to make this site "
        "work. We do not use analytics or advertising cookies.</p>",
    ),
    ("heading", {"text": "Essential cookies", "size": "h2"}),
    (
        "paragraph",
        "<ul><li><strong>sessionid</strong>: keeps you signed in, and keeps a form you "
        "are filling in (expires when you close your browser or after 2 weeks)</li>"
        "<li><strong>csrftoken</strong>: protects forms from misuse (1 year)</li>"
        "<li><strong>portal_language</strong>: remembers the language you chose (1 year)</li></ul>",
    ),
]

STANDARD_PAGES = {
    "accessibility-statement": {
        "title": "Accessibility statement",
        "intro": "How accessible this website is, how we tested it and how to report a problem.",
        "body": ACCESSIBILITY_BODY,
    },
    "cookies": {
        "title": "Cookies",
        "intro": "The cookies this website uses and why.",
        "body": COOKIES_BODY,
    },
}
