"""``manage.py load_message_templates``: create the message templates residents are sent.

Reads ``services/data/message_templates/<language>.json`` for every language in
``settings.LANGUAGES`` (or one, with ``--language``) and creates the ``MessageTemplate`` rows
that are missing. Rows that exist are editors' work and are left alone unless ``--overwrite``.
Every file is checked before anything is written, so a broken file changes nothing and the
error names the file and the key. Safe to run again: a new deployment runs it once, and again
after an upgrade that ships new languages or kinds.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from services import message_templates as template_files
from services.models import MessageTemplate


class Command(BaseCommand):
    help = "Create missing message templates from the shipped files (every language)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--language", help="Only this language (a code from settings.LANGUAGES)."
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace templates editors have changed with the shipped wording.",
        )

    def handle(self, *args, language=None, overwrite=False, **options):
        configured = [code for code, _name in settings.LANGUAGES]
        if language and language not in configured:
            raise CommandError(
                f"{language!r} is not one of the portal's languages ({', '.join(configured)})"
            )
        shipped = set(template_files.shipped_languages())
        wanted = [language] if language else configured
        files = {}
        for code in wanted:
            if code not in shipped:
                if language:
                    raise CommandError(f"No file {template_files.path_for(code)}")
                self.stdout.write(f"{code}: no shipped templates yet, skipped")
                continue
            try:
                files[code] = template_files.read(code)
            except template_files.TemplateFileError as error:
                raise CommandError(str(error)) from error

        created = updated = kept = 0
        with transaction.atomic():
            for code, data in files.items():
                existing = {
                    (t.kind, t.channel): t for t in MessageTemplate.objects.filter(language=code)
                }
                for kind in template_files.KINDS:
                    for channel in template_files.CHANNELS:
                        fields = data[kind][channel]
                        subject = fields.get("subject", "")
                        body = fields["body"]
                        row = existing.get((kind, channel))
                        if row is None:
                            MessageTemplate.objects.create(
                                kind=kind,
                                channel=channel,
                                language=code,
                                subject=subject,
                                body=body,
                            )
                            created += 1
                        elif overwrite and (row.subject, row.body) != (subject, body):
                            row.subject, row.body = subject, body
                            row.save(update_fields=["subject", "body"])
                            updated += 1
                        else:
                            kept += 1
        self.stdout.write(
            f"Message templates: {created} created, {updated} overwritten, {kept} left as they "
            f"were ({', '.join(files) or 'no languages'})"
        )
