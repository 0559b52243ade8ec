"""A partner resending one report many times at once still makes one case (PostgreSQL)."""

import json
import threading

import pytest
from django.db import connections
from django.test import Client

from services.models import Case, Channel, Message


@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_resends_make_one_case(postgres_only, fms, fms_report):
    data = fms_report() | {"api_key": fms.api_key, "jurisdiction_id": "MKC"}
    barrier = threading.Barrier(8)
    answers, errors = [], []

    def resend():
        try:
            client = Client()
            barrier.wait(timeout=10)
            response = client.post("/open311/v2/requests.json", data)
            answers.append((response.status_code, json.loads(response.content)))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=resend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(status for status, _ in answers) == [200] * 7 + [201]
    references = {body[0]["service_request_id"] for _, body in answers}
    assert len(references) == 1
    assert Case.objects.count() == 1
    assert Message.objects.filter(channel=Channel.OPEN311).count() == 1
