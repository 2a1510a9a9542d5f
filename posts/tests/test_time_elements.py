"""Every <time datetime> is a value HTML allows (the W3C Nu checker rejected six fractional digits)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

DATETIME = re.compile(r'<time[^>]*\sdatetime="([^"]*)"')
VALID = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?(Z|[+-]\d\d:\d\d)$")


def test_it_writes_time_elements_with_at_most_three_fractional_digits(client, author, make_post):
    published = timezone.now().replace(microsecond=123456) - timedelta(days=1)
    post = make_post(author, "Timed", published_at=published, tags=["t"])
    make_post(author, "Later", published_at=published + timedelta(hours=1), tags=["t"])
    make_post(author, "Soon", published_at=timezone.now() + timedelta(days=1))  # scheduled
    client.force_login(author)
    pages = ["/", post.get_absolute_url(), "/tags/t/", "/dashboard/", post.get_edit_url()]
    values = [value for url in pages for value in DATETIME.findall(client.get(url).content.decode())]
    assert len(values) >= 5
    assert [value for value in values if not VALID.match(value)] == []
