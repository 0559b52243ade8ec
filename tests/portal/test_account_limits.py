"""Signing in, signing up, password resets and authenticator codes: limited in PostgreSQL.

Through allauth's real views and forms (``portal.account_limits``). allauth's own limiter kept
its counts in the cache, so each test also empties the cache (the worst a flood can do) and
shows the limit still holds; allauth's answers are kept (its form error for failed sign-ins
and codes, its 429 response — our ``429.html`` — for the per-address limits).
"""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache

from services.actions import ratelimit
from services.models import RateLimitHit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts"


@pytest.fixture
def user():
    user = UserFactory(email="sign-in@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _sign_in(client, password, login="sign-in@example.com", address="192.0.2.10"):
    return client.post(
        "/accounts/login/", {"login": login, "password": password}, REMOTE_ADDR=address
    )


def test_failed_passwords_for_an_account_are_limited_whatever_the_cache(client, user, settings):
    settings.PORTAL_RATE_LIMITS = {"login_failed_account": (3, 300)}
    for n in range(3):
        response = _sign_in(client, "wrong", address=f"192.0.2.{n}")  # from three addresses
        assert response.status_code == 200 and TOO_MANY not in response.text
    cache.clear()
    # Even the right password is refused now, from yet another address, cache or no cache.
    response = _sign_in(client, "password", address="192.0.2.99")
    assert response.status_code == 200 and TOO_MANY in response.text
    assert "_auth_user_id" not in client.session
    # Another account is not held up by this one.
    other = UserFactory(email="other@example.com")
    EmailAddress.objects.create(user=other, email=other.email, verified=True, primary=True)
    assert _sign_in(client, "password", login="other@example.com").status_code == 302


def test_a_right_password_gives_back_only_its_own_attempt(client, user, settings):
    settings.PORTAL_RATE_LIMITS = {"login_failed_account": (2, 300)}
    assert TOO_MANY not in _sign_in(client, "wrong").text
    assert _sign_in(client, "password").status_code == 302  # counted, then given back
    client.logout()
    assert ratelimit.remaining("login_failed_account", "sign-in@example.com") == 1
    assert TOO_MANY not in _sign_in(client, "wrong").text
    assert TOO_MANY in _sign_in(client, "password").text


def test_failed_passwords_from_one_address_are_limited(client, user, settings):
    settings.PORTAL_RATE_LIMITS = {"login_failed_ip": (2, 60)}
    for n in range(2):
        _sign_in(client, "wrong", login=f"nobody{n}@example.com")
    cache.clear()
    assert TOO_MANY in _sign_in(client, "password").text
    assert _sign_in(client, "password", address="192.0.2.200").status_code == 302


def test_sign_in_sign_up_and_reset_forms_are_limited_per_address(client, settings):
    settings.PORTAL_RATE_LIMITS = {"signup_ip": (2, 60), "login_ip": (2, 60)}
    for path in ("/accounts/signup/", "/accounts/login/"):
        for _ in range(2):
            assert client.post(path, {"email": "x"}).status_code == 200  # form errors
        cache.clear()
        refused = client.post(path, {"email": "x"})
        assert refused.status_code == 429, path
        assert "Too many attempts" in refused.text  # 429.html, the site's layout
        assert client.get(path).status_code == 200  # reading the form is never limited


def test_reset_mails_for_one_address_are_limited(client, user, settings, mailoutbox):
    settings.PORTAL_RATE_LIMITS = {"reset_password_account": (1, 60)}
    assert client.post("/accounts/password/reset/", {"email": user.email}).status_code == 302
    cache.clear()
    again = client.post("/accounts/password/reset/", {"email": " Sign-In@Example.com "})
    assert again.status_code == 429
    assert len(mailoutbox) == 1
    assert client.post("/accounts/password/reset/", {"email": "b@example.com"}).status_code == 302


def test_wrong_authenticator_codes_are_limited_per_user(client, user, settings):
    """Setting up an authenticator app: wrong codes are counted per user, in PostgreSQL."""
    settings.PORTAL_RATE_LIMITS = {"mfa_failed_user": (2, 300)}
    # Signed in, and the password given again (allauth asks before a change of authenticator).
    assert _sign_in(client, "password").status_code == 302
    assert client.post("/accounts/reauthenticate/", {"password": "password"}).status_code == 302
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    for _ in range(2):
        response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
        assert response.status_code == 200 and "Incorrect code" in response.text
    cache.clear()
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert "Be patient, you are sending too many requests" in response.text
    assert RateLimitHit.objects.filter(scope="mfa_failed_user").count() == 2


def test_the_cms_sign_in_page_counts_failed_passwords_too(client, settings):
    """Where the CMS signs in itself (staff MFA not required: development, the demo)."""
    settings.PORTAL_RATE_LIMITS = {"login_failed_account": (2, 300)}
    editor = UserFactory(username="editor@example.org", is_staff=True, is_superuser=True)
    for _ in range(2):
        response = client.post("/admin/login/", {"username": editor.username, "password": "x"})
        assert response.status_code == 200 and TOO_MANY not in response.text
    cache.clear()
    response = client.post("/admin/login/", {"username": editor.username, "password": "password"})
    assert response.status_code == 200 and TOO_MANY in response.text
    assert "_auth_user_id" not in client.session
