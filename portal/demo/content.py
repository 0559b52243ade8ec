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


# Follows the structure of the GOV.UK model accessibility statement. Say only what was tested;
# update "Preparation of this accessibility statement" whenever the testing changes.
ACCESSIBILITY_BODY = [
    (
        "paragraph",
        "<p>This accessibility statement applies to the Milton Keynes and Northamptonshire "
        "councils website: the service pages, applying and reporting online, tracking a request, "
        "your account, the \u201cHow we are doing\u201d pages, and the screens at our one-stop "
        "shops. It also covers the staff desk our contact centre and one-stop-shop staff use.</p>"
        "<p>This website is run jointly by Milton Keynes Council and Northamptonshire County "
        "Council. We want as many people as possible to be able to use it. For example, that "
        "means you should be able to:</p><ul><li>change colours, contrast levels and fonts using "
        "browser or device settings</li><li>zoom in up to 400% without the text spilling off the "
        "screen</li><li>navigate the website using just a keyboard</li><li>navigate most of the "
        "website using speech recognition software</li><li>listen to most of the website using a "
        "screen reader</li><li>use it in English, Polish, Romanian, Portuguese or Urdu, with Urdu "
        "laid out right to left</li></ul><p>We have also made the text as simple as possible to "
        "understand.</p>",
    ),
    ("heading", {"text": "How accessible this website is", "size": "h2"}),
    (
        "paragraph",
        "<p>We know some parts of this website are not fully accessible:</p><ul>"
        "<li>many pages are not yet translated: in Polish, Romanian, Portuguese and Urdu they are "
        "shown in English, with a notice saying so</li>"
        "<li>documents that editors upload, such as PDF forms, may not be accessible</li>"
        "<li>the charts on the \u201cHow we are doing\u201d pages are images with a text "
        "description; the same figures are in the tables under them</li>"
        "<li>wide tables, such as the figures tables and the staff queue, scroll sideways inside "
        "their own box on small screens</li>"
        "<li>the waiting-area screen at one-stop shops updates itself every few seconds</li>"
        "</ul>",
    ),
    ("heading", {"text": "Feedback and contact information", "size": "h2"}),
    (
        "paragraph",
        "<p>If you need information on this website in a different format like accessible "
        "PDF, large print, easy read, audio recording or braille, tell us through a general "
        "enquiry, call 01632 960001 or visit a one-stop shop. We\u2019ll consider your request "
        "and get back to you in 5 working days.</p>",
    ),
    ("heading", {"text": "Reporting accessibility problems with this website", "size": "h2"}),
    (
        "paragraph",
        "<p>We\u2019re always looking to improve the accessibility of this website. If you find "
        "any problems not listed on this page or think we\u2019re not meeting accessibility "
        "requirements, tell us through a general enquiry or call 01632 960001.</p>",
    ),
    ("heading", {"text": "Enforcement procedure", "size": "h2"}),
    (
        "paragraph",
        "<p>The Equality and Human Rights Commission (EHRC) is responsible for enforcing the "
        "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
        "Regulations 2018 (the \u2018accessibility regulations\u2019). If you\u2019re not happy "
        "with how we respond to your complaint, contact the Equality Advisory and Support "
        "Service (EASS).</p>",
    ),
    ("heading", {"text": "Contacting us by phone or visiting us in person", "size": "h2"}),
    (
        "paragraph",
        "<p>Our one-stop shops have hearing loops, and our contact centre accepts text relay "
        "and BSL video relay calls. Find your nearest one-stop shop and how to get there on "
        "the offices page.</p>",
    ),
    (
        "heading",
        {"text": "Technical information about this website\u2019s accessibility", "size": "h2"},
    ),
    (
        "paragraph",
        "<p>Milton Keynes Council and Northamptonshire County Council are committed to making "
        "this website accessible, in accordance with the Public Sector Bodies (Websites and "
        "Mobile Applications) (No. 2) Accessibility Regulations 2018.</p>",
    ),
    ("heading", {"text": "Compliance status", "size": "h2"}),
    (
        "paragraph",
        "<p>This website is partially compliant with the Web Content Accessibility Guidelines "
        "version 2.2 AA standard, due to the non-compliances listed below. Our automated tests "
        "find no failures, but automated testing finds only some kinds of problem, and the "
        "website has not yet been tested by disabled people or audited by hand.</p>",
    ),
    ("heading", {"text": "Non-accessible content", "size": "h2"}),
    (
        "paragraph",
        "<p>The content listed below is non-accessible for the following reasons.</p>"
        "<p>Pages not yet translated are shown in English to people who chose another "
        "language. This fails WCAG 2.2 success criterion 3.1.2 (language of parts) only where "
        "an editor has not marked the language; the pages themselves are marked as English. "
        "We add translations as they are ready.</p>"
        "<p>Some PDF and Word documents uploaded by editors may not meet accessibility "
        "standards (WCAG 2.2 success criterion 4.1.2, name, role value). We are checking "
        "documents as we publish them.</p>",
    ),
    ("heading", {"text": "What we\u2019re doing to improve accessibility", "size": "h2"}),
    (
        "paragraph",
        "<p>We are planning testing with screen reader users (JAWS, NVDA, VoiceOver and "
        "TalkBack) and with disabled residents and staff, and a manual audit against WCAG 2.2 "
        "AA. We will update this statement with what they find.</p>",
    ),
    ("heading", {"text": "Preparation of this accessibility statement", "size": "h2"}),
    (
        "paragraph",
        "<p>This statement was prepared on 22 November 2026. It was last reviewed on "
        "22 November 2026.</p>"
        "<p>The website is tested automatically, on every change, in a real Chromium "
        "browser:</p><ul>"
        "<li>axe-core 4.14 runs the WCAG 2.0, 2.1 and 2.2 level A and AA rules and its best "
        "practice rules on every type of page residents and staff use: home, council, topic, "
        "service, office and standard pages, site search, every step of an online application "
        "including error messages and check your answers, tracking a request, signing in and "
        "up, your requests and details, the \u201cHow we are doing\u201d pages, the "
        "one-stop-shop ticket machine and waiting-area screen, the page not found page, and "
        "every staff desk page (queue, case, resident, search, calls, counter, dashboards), "
        "each in English and in Urdu</li>"
        "<li>every one of those pages is checked for sideways scrolling at 320 pixels wide "
        "and at 640 pixels wide (the same as a 1280 pixel screen zoomed to 200%)</li>"
        "<li>a resident completes an online application, and a member of staff adds a note "
        "to a case, using only the keyboard; every place the focus stops must be visible and "
        "clearly highlighted, and the skip link must be the first thing the Tab key reaches</li>"
        "<li>in Urdu, the layout is measured to check that text starts at the right, that "
        "arrows and form controls are mirrored, and that telephone numbers, email addresses, "
        "postcodes and reference numbers stay left to right</li>"
        "<li>animations are switched off when a device asks for reduced motion, and case "
        "statuses and target times on the staff desk are written in words, not shown by "
        "colour alone</li></ul>"
        "<p>What has not been tested yet: the website has not been tested with screen readers "
        "or other assistive technology by hand, nor by disabled people; the Wagtail editing "
        "interface used by our editors has not been tested by us; browsers other than Chromium "
        "have not been tested automatically.</p>",
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
