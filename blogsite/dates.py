"""Which dates a writer or a client may give: one bound for forms, the admin, the API and services.

A date far in the future (year 9999 with a negative offset is year 10000 in UTC) can be
stored by PostgreSQL but not read back by Python, and then every page showing it fails.
So a given date must fall in the years ``EARLIEST_YEAR`` to ``LATEST_YEAR``, checked before
anything is written.
"""

from django.core.exceptions import ValidationError

EARLIEST_YEAR = 1970
LATEST_YEAR = 2200
DATE_MESSAGE = f"Choose a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}."


def validate_date_in_range(value) -> None:
    """The date (and the same moment in UTC) lies between EARLIEST_YEAR and LATEST_YEAR."""
    if value is None:
        return
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(DATE_MESSAGE, code="date_out_of_range")
    if value.utcoffset() is not None:
        moment = value - value.utcoffset()  # the year in UTC, without leaving the datetime range
        if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            raise ValidationError(DATE_MESSAGE, code="date_out_of_range")
