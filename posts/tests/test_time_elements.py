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


@pytest.mark.parametrize("typed", ["25/12/2031 10:00", "2031-13-40T25:61", "tomorrow"])
def test_it_shows_a_mistyped_publish_time_in_a_text_input_not_an_invalid_datetime_one(client, author, typed):
    client.force_login(author)
    response = client.post(
        "/dashboard/posts/new/", {"title": "Later", "body": "x", "published_at": typed, "action": "schedule"}
    )
    page = response.content.decode()
    assert "Enter a valid date/time." in page
    assert f'<input type="text" name="published_at" value="{typed}"' in page
    assert 'type="datetime-local"' not in page


def test_it_redisplays_a_publish_time_it_understood(client, author):
    client.force_login(author)
    response = client.post(
        "/dashboard/posts/new/",
        {"title": "Later", "body": "x", "published_at": "2000-01-02T03:04", "action": "schedule"},
    )
    assert (
        '<input type="datetime-local" name="published_at" value="2000-01-02T03:04"'
        in response.content.decode()
    )
