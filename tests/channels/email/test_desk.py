"""What an agent sees of an email conversation on the desk's case page."""

from services.models import Direction, Message, Role
from tests.channels.email.conftest import corpus, pipe
from tests.factories import make_staff


def test_the_desk_shows_the_email_trimmed_with_its_documents(mailboxes, client):
    assert pipe(corpus("nested_multipart.eml"))[0] == 0
    assert (
        pipe(
            corpus("outlook_reply.eml").replace(
                b"jan.kowalski@outlook.example.com", b"sam.patel@example.com"
            )
        )[0]
        == 0
    )
    message = Message.objects.filter(direction=Direction.IN).first()
    case = message.case
    agent = make_staff(mailboxes["MKC"], role=Role.AGENT)
    client.force_login(agent)

    page = client.get(f"/desk/cases/{case.reference}/").content.decode()

    assert "Planning objection with documents" in page
    assert "Please find my objection attached" in page
    assert "objection.pdf" in page  # the document, downloadable
    assert "invoice.exe" in page  # the refusal, noted for the agent
    assert "The green bin was still not collected" in page  # the reply, threaded
    assert "QUOTED-HISTORY-MARKER" not in page  # quoted history trimmed
    assert "<img src=" not in page  # the sender's HTML is never rendered
