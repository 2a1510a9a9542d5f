"""Rows of written-out SQL read as the ORM reads them, and parameters sent as it sends them.

Where the ORM's cost to build a query or its instances was more than the query itself, apps
read rows from written-out SQL (docs/decisions/0082, 0085); these keep the values the same on
PostgreSQL and SQLite.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

# Fields whose columns every database we run on gives as the ORM reads them: text and integers.
_READ_AS_GIVEN = (models.CharField, models.TextField, models.IntegerField)


def from_column(field, value):
    """A column of a written-out query as the ORM reads it: SQLite gives such columns as stored
    (a time as text in UTC, a flag as 0 or 1)."""
    if (
        value is None
        or isinstance(field, _READ_AS_GIVEN)
        or isinstance(value, bool)
        or getattr(value, "tzinfo", None)
    ):
        return value  # nothing to do: text, integers, and PostgreSQL's own types
    value = field.to_python(value)
    if settings.USE_TZ and isinstance(value, datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def from_columns(model, fields, columns, db):
    """An instance of ``model`` from its ``fields``' columns (in the model's order), each read
    as the ORM reads it; the other fields deferred, as ``raw()`` leaves them."""
    values = [from_column(field, value) for field, value in zip(fields, columns, strict=True)]
    return model.from_db(db, [field.attname for field in fields], values)


_TIME = models.DateTimeField()  # how a time is sent to the database


def sql_params(params, connection):
    """A written-out query's parameters as the ORM sends them: times in the database's own form
    (SQLite compares them as text, and Python's own form of a time carries its offset)."""

    def sent(value):
        return _TIME.get_db_prep_value(value, connection) if isinstance(value, datetime) else value

    if isinstance(params, dict):
        return {name: sent(value) for name, value in params.items()}
    return [sent(value) for value in params]


# JSON built by written-out SQL, as text on either database (a json value would be parsed by
# psycopg, and SQLite's functions give text already). A list aggregate keeps no order: sort
# what it gives.
_JSON_LIST = {"postgresql": "json_agg({value})::text", "sqlite": "json_group_array({value})"}
_JSON_ARRAY = {"postgresql": "json_build_array({values})", "sqlite": "json_array({values})"}


def json_list_sql(value: str, vendor: str) -> str:
    """An aggregate of the SQL ``value`` of each row as a JSON list, on ``vendor``'s database."""
    return _JSON_LIST[vendor].replace("{value}", value)


def json_array_sql(values, vendor: str) -> str:
    """The SQL ``values`` of one row as a JSON array, on ``vendor``'s database."""
    return _JSON_ARRAY[vendor].replace("{values}", ", ".join(values))
