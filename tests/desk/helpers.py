"""``make_case`` that also takes the due time, for queue-ordering tests."""

from services.models import Case
from tests.factories import make_case as _make_case

_UNSET = object()


def make_case(service=None, resident=None, *, due_at=_UNSET, **fields) -> Case:
    case = _make_case(service, resident, **fields)
    if due_at is not _UNSET:
        Case.objects.filter(pk=case.pk).update(due_at=due_at)
        case.due_at = due_at
    return case
