"""Open data: the published tables as CSV and JSON (schema and licence in docs/performance.md).

Both formats are written from the same ``published.Row`` objects as the pages, suppression
included, so a download can never disagree with the page it came from.
"""

import csv
import io
import json

from django.utils import timezone

from reports.published import COLUMNS, Filter, Row, last_updated, threshold

LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
SCHEMA_VERSION = "1.0"
# ONS conventions for values not given: confidential (suppressed) and not applicable.
CSV_SUPPRESSED = "[c]"
CSV_NOT_APPLICABLE = "[x]"


def describe(flt: Filter, by: str) -> dict:
    months = flt.months
    return {
        "council": flt.council.code if flt.council else "all",
        "service": flt.service.slug if flt.service else "all",
        "channel": flt.channel or "all",
        "breakdown": by,
        "period_from": months[0].strftime("%Y-%m"),
        "period_to": months[-1].strftime("%Y-%m"),
    }


def to_csv(flt: Filter, by: str, rows: list[Row], columns=None) -> str:
    columns = COLUMNS if columns is None else columns
    head = describe(flt, by)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["council", "service", "channel", "period_from", "period_to", "breakdown", "key", "label"]
        + [key for key, _label, _kind in columns]
    )
    for row in rows:
        values = []
        for key, _label, _kind in columns:
            cell = row.cells[key]
            if cell.suppressed:
                values.append(CSV_SUPPRESSED)
            elif not cell.available:
                values.append(CSV_NOT_APPLICABLE)
            else:
                values.append(cell.value)
        writer.writerow(
            [
                head["council"],
                head["service"],
                head["channel"],
                head["period_from"],
                head["period_to"],
                by,
                row.key,
                row.label,
            ]
            + values
        )
    return out.getvalue()


def to_json(flt: Filter, by: str, rows: list[Row], columns=None) -> str:
    columns = COLUMNS if columns is None else columns
    updated = last_updated()
    document = {
        "schema_version": SCHEMA_VERSION,
        "licence": {"name": LICENCE, "url": LICENCE_URL},
        "publisher": "Milton Keynes Council and Northamptonshire County Council",
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "figures_updated_at": updated.isoformat(timespec="seconds") if updated else None,
        "suppression_threshold": threshold(),
        "filter": describe(flt, by),
        "columns": [
            {"key": key, "label": str(label), "kind": kind} for key, label, kind in columns
        ],
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "total": row.total,
                "figures": {key: row.cells[key].value for key, _l, _k in columns},
                "suppressed": [key for key, _l, _k in columns if row.cells[key].suppressed],
            }
            for row in rows
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1)
