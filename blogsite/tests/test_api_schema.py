"""The API's Schema validates a dict as pydantic does, and anything else as ninja does; its
answers are written as JSON by pydantic's serializer."""

import json
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from django.utils.translation import gettext_lazy
from pydantic import ValidationError

from blogsite.api import Page, Schema, absolute_uri, api


class Item(Schema):
    id: int
    name: str
    tags: list[str] = []


def test_a_dict_is_validated_field_by_field():
    page = Page[Item].model_validate(
        {"count": 1, "next": None, "previous": None, "results": [{"id": "7", "name": "x"}]}
    )
    assert page.results == [Item(id=7, name="x", tags=[])]
    with pytest.raises(ValidationError) as refused:
        Page[Item].model_validate({"count": 1, "next": None, "previous": None, "results": [{"id": "seven"}]})
    assert {error["loc"] for error in refused.value.errors()} == {
        ("results", 0, "id"),
        ("results", 0, "name"),
    }


def test_an_object_is_read_by_its_attributes_and_methods_as_ninja_reads_it():
    item = SimpleNamespace(id=3, name="from attributes", tags=lambda: ["called"])
    assert Item.model_validate(item) == Item(id=3, name="from attributes", tags=["called"])
    with pytest.raises(ValidationError):
        Item.model_validate(SimpleNamespace(id=3))


@pytest.mark.parametrize(
    "location",
    [
        "/posts/a-post/",
        "/authors/jos%C3%A9/",
        "/media/images/0123abcd.jpg",
        "https://cdn.example.com/images/0123abcd.jpg",
        "//cdn.example.com/images/0123abcd.jpg",
        "/a/../b/",
        "relative/",
    ],
)
@pytest.mark.parametrize("secure", [False, True])
def test_an_answers_absolute_address_is_the_one_django_builds(rf, settings, location, secure):
    settings.ALLOWED_HOSTS = ["blog.example.com"]
    request = rf.get("/api/posts", secure=secure, HTTP_HOST="blog.example.com")
    for _ in range(2):  # the second time from what the first remembered
        assert absolute_uri(request, location) == request.build_absolute_uri(location)


def test_answers_keep_times_to_the_microsecond_with_their_offset_and_text_as_it_is():
    answer = {
        "at": datetime(2026, 11, 27, 9, 30, 5, 123456, tzinfo=UTC),
        "whole_second": datetime(2026, 11, 27, 9, 30, 5, tzinfo=UTC),
        "elsewhere": datetime(2026, 11, 27, 9, 30, 5, tzinfo=timezone(timedelta(hours=2))),
        "title": "Café </script> \u2028 ✓",
        "label": gettext_lazy("Published"),
        "item": Item(id=1, name="x"),
    }
    written = api.renderer.render(None, answer, response_status=200)
    assert json.loads(written) == {
        "at": "2026-11-27T09:30:05.123456Z",
        "whole_second": "2026-11-27T09:30:05Z",
        "elsewhere": "2026-11-27T09:30:05+02:00",
        "title": "Café </script> \u2028 ✓",
        "label": "Published",
        "item": {"id": 1, "name": "x", "tags": []},
    }
