"""Search documents (the database backend's index) and editors' synonyms for site search.

A document is a flat, denormalised copy of what search needs from a case or a resident:
normalised identifiers, names with their misspelling keys, address, the words of the case, a
weighted ``tsvector``, and the fields the permission rules test (councils, teams, joint,
restricted). Searching reads one table, so the permission filter sits inside the same query as
the match, with no join. Documents are derived data: ``manage.py reindex`` rebuilds them from
``services`` at any time, and background tasks keep them current after each commit.

The PostgreSQL-only parts (the ``pg_trgm`` extension, used to rank, and the GIN indexes on the
vectors) are created by this app's migrations on PostgreSQL only, so the embedded SQLite demo
migrates too (and searches with a simple fallback).
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Document(models.Model):
    """Fields shared by case and resident documents."""

    name = models.CharField(max_length=200, blank=True)
    # Space-separated misspelling keys of the name (``search.phonetics``). They are also
    # tokens of ``search_vector`` (weight A), so one GIN index finds a word by its spelling
    # or by its keys.
    name_keys = models.TextField(blank=True)
    email = models.CharField(max_length=254, blank=True, db_index=True)
    phone = models.CharField(max_length=20, blank=True, db_index=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    district = models.CharField(max_length=4, blank=True, db_index=True)
    address = models.TextField(blank=True)
    search_vector = SearchVectorField(null=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ResidentDocument(Document):
    resident_id = models.BigIntegerField(primary_key=True)
    merged = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("resident search document")

    def __str__(self):
        return f"resident {self.resident_id}"


class CaseDocument(Document):
    """The resident's name, phone, email are copied here so a case is found by its resident."""

    case_id = models.BigIntegerField(primary_key=True)
    reference = models.CharField(max_length=12, unique=True)
    resident_id = models.BigIntegerField(db_index=True)
    # The case's own postcode may differ from the resident's (a fly-tip elsewhere).
    resident_postcode = models.CharField(max_length=10, blank=True, db_index=True)
    resident_district = models.CharField(max_length=4, blank=True, db_index=True)
    service_name = models.CharField(max_length=160, blank=True)
    summary = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(null=True)
    # What the permission rules test (see search.permissions).
    service_id = models.BigIntegerField(null=True)
    responsible_council_id = models.BigIntegerField(null=True)
    delivering_council_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    delivering_team_id = models.BigIntegerField(null=True)
    joint = models.BooleanField(default=False)
    restricted = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("case search document")
        indexes = [
            models.Index(fields=["service_id"], name="casedoc_service"),
            models.Index(fields=["created_at"], name="casedoc_created"),
        ]

    def __str__(self):
        return self.reference


class SynonymGroup(index.Indexed, models.Model):
    """Words residents use for the same thing, managed by editors.

    A site search for any one of the terms also looks for all the others: "bins" finds the
    page called "Waste collection". Multi-word terms are searched as phrases.
    """

    terms = models.TextField(
        verbose_name=_("terms"),
        help_text=_(
            "Words or phrases that mean the same thing, separated by commas. "
            "For example: bins, waste collection, rubbish, refuse"
        ),
    )
    note = models.CharField(verbose_name=_("note for editors"), max_length=200, blank=True)

    panels = [FieldPanel("terms"), FieldPanel("note")]
    search_fields = [index.SearchField("terms"), index.AutocompleteField("terms")]

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["terms"]

    def __str__(self):
        return ", ".join(self.term_list)

    @property
    def term_list(self) -> list[str]:
        return [t for t in (" ".join(p.split()).lower() for p in self.terms.split(",")) if t]
