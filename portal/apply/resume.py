"""Links to come back to a saved application: signed, expiring, sent by a background task.

The link carries the saved application's random key, signed with ``django.core.signing`` and a
salt of its own, and is refused after ``PORTAL_RESUME_MAX_AGE`` seconds (7 days by default).
The email is sent by a task (``manage.py db_worker``), never inside the resident's request.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

SALT = "portal.apply.resume"
DEFAULT_MAX_AGE = 7 * 24 * 60 * 60


def max_age() -> int:
    return int(getattr(settings, "PORTAL_RESUME_MAX_AGE", DEFAULT_MAX_AGE))


def make_token(key) -> str:
    return signing.dumps({"k": str(key)}, salt=SALT, compress=True)


def read_token(token: str) -> str | None:
    """The saved application's key, or None for a forged, altered or expired link."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    return data.get("k") if isinstance(data, dict) else None


def resume_url(saved) -> str:
    page = saved.page.specific
    path = page.url + page.reverse_subpage("resume")
    return f"{settings.PUBLIC_BASE_URL}{path}?{urlencode({'token': make_token(saved.key)})}"


@task()
def send_resume_link(email: str, url: str, title: str, language: str = "en") -> bool:
    """Email the link back. Everything it needs is passed in, so this module (which the views
    import) never imports the page models."""
    if not email:
        return False
    with translation.override(language):
        context = {"url": url, "title": title, "days": max_age() // 86400}
        subject = render_to_string("apply/email/resume_subject.txt", context).strip()
        body = render_to_string("apply/email/resume_body.txt", context)
    send_mail(subject, body, None, [email])
    return True
