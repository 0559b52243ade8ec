"""What the phone says is built from whole sentences, never from fragments such as "them"."""

from django.utils import translation

from channels.voice.ivr import next_step
from services.models import Case, ReferralBody, Status


def test_a_referred_case_names_the_body_or_says_them_in_one_sentence():
    body = ReferralBody(name="West Northamptonshire Council")
    with translation.override("en"):
        assert next_step(Case(status=Status.REFERRED, referral_body=body)) == (
            "Another organisation deals with this; please contact West Northamptonshire Council."
        )
        assert next_step(Case(status=Status.REFERRED)) == (
            "Another organisation deals with this; please contact them."
        )
