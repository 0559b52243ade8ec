"""The apply-online page's questions, offered to ``services.questions`` for other channels.

Open311's ``services/<code>`` describes a service's questions to FixMyStreet and other partner
systems; they are the questions editors put on the service's live apply-online page (English
tree), so a question added in Wagtail appears there without a release. Registered at start-up
by ``portal.apply.apps``. File questions are left out: a partner sends pictures as
``media_url`` instead.
"""

from wagtail.contrib.forms.forms import FormBuilder
from wagtail.models import Locale

from services import questions
from services.models import Service

KINDS = {
    "singleline": questions.TEXT,
    "multiline": questions.LONG_TEXT,
    "number": questions.NUMBER,
    "date": questions.DATE,
    "radio": questions.CHOICE,
    "dropdown": questions.CHOICE,
    "yesno": questions.CHOICE,
    "email": questions.EMAIL,
    "phone": questions.PHONE,
    "postcode": questions.POSTCODE,
    "address": questions.ADDRESS,
}


def page_for(service: Service):
    """The live apply-online page (English tree) that files into ``service``, if any."""
    from portal.apply.models import ApplyPage

    try:
        locale = Locale.get_default()
    except Locale.DoesNotExist:  # no site set up (a bare catalogue): no pages, no questions
        return None
    pages = ApplyPage.objects.live().filter(locale=locale).specific()
    direct = pages.filter(service=service).first()
    if direct is not None:
        return direct
    for page in pages.filter(service__isnull=True):
        found = page.get_service()
        if found is not None and found.pk == service.pk:
            return page
    return None


def apply_page_questions(service: Service) -> list[questions.Question]:
    page = page_for(service)
    if page is None:
        return []
    builder = FormBuilder([])
    found = []
    for order, field in enumerate(page.get_form_fields(), start=1):
        kind = KINDS.get(field.field_type)
        if kind is None:
            continue
        if field.field_type == "yesno":
            choices = (("yes", "Yes"), ("no", "No"))
        elif kind == questions.CHOICE:
            choices = tuple(builder.get_formatted_field_choices(field))
        else:
            choices = ()
        found.append(
            questions.Question(
                code=field.clean_name,
                label=field.label,
                kind=kind,
                required=field.required,
                order=order,
                help_text=field.help_text or "",
                choices=choices,
            )
        )
    return found
