"""Background tasks that keep search documents current (queue "search").

They take ids, not objects, and read the rows when they run: a task that runs late indexes
the latest state, and one for a row deleted meanwhile removes its document. Running one twice
is harmless.
"""

from django.tasks import task

from search.backends import get_backend


@task(queue_name="search")
def index_changes(case_ids: list[int], resident_ids: list[int]) -> int:
    """What one committed transaction changed: one task (one queue row) for both kinds."""
    from services.models import Case

    backend = get_backend()
    indexed = 0
    if resident_ids:
        # Indexing a resident redoes their cases' documents (they carry the resident's name).
        indexed += backend.index_residents(resident_ids)
        done = set(
            Case.objects.filter(pk__in=case_ids, resident_id__in=resident_ids).values_list(
                "pk", flat=True
            )
        )
        case_ids = [pk for pk in case_ids if pk not in done]
    return indexed + (backend.index_cases(case_ids) if case_ids else 0)


@task(queue_name="search")
def index_cases(case_ids: list[int]) -> int:
    return get_backend().index_cases(case_ids)


@task(queue_name="search")
def index_residents(resident_ids: list[int]) -> int:
    return get_backend().index_residents(resident_ids)


@task(queue_name="search")
def index_service_cases(service_id: int) -> int:
    """A service became joint or restricted, or moved team: its cases' permission fields."""
    from search.documents import batched
    from services.models import Case

    backend = get_backend()
    ids = Case.objects.filter(service_id=service_id).values_list("pk", flat=True)
    return sum(backend.index_cases(batch) for batch in batched(ids.iterator(2000), 2000))
