"""UK calendar months, as every summary table counts them."""

import datetime

from django.utils import timezone


def month_of(moment: datetime.datetime) -> datetime.date:
    """The first day of the UK month ``moment`` falls in."""
    local = timezone.localtime(moment)
    return datetime.date(local.year, local.month, 1)


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of ``month`` and of the month after, in UK time."""
    tz = timezone.get_default_timezone()
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return (
        datetime.datetime.combine(month, datetime.time(), tzinfo=tz),
        datetime.datetime.combine(following, datetime.time(), tzinfo=tz),
    )


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)
