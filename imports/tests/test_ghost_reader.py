from datetime import UTC, datetime

import pytest

from imports.ghost import GhostExport

BODY = """Grüße aus **Zürich** [via Ghost](https://ghost.org)

## A heading

![The lake](/content/images/2023/05/lake.jpg)

*Dawn*

```python
print('hi')
```

- one
- two

A *markdown* card with a [link](https://example.org)."""


def read(path):
    export = GhostExport(path)
    scan = export.scan()
    return scan, {item.title: item for item in export.posts()}


@pytest.mark.parametrize(
    ("version", "bodies"),
    [
        ("2.31.0", "html"),
        ("3.42.0", "mobiledoc"),
        ("4.48.0", "mobiledoc"),
        ("5.75.0", "html"),
        ("5.75.0", "lexical"),
    ],
)
def test_it_reads_bodies_from_html_mobiledoc_or_lexical(ghost_file, version, bodies):
    scan, items = read(ghost_file(version=version, bodies=bodies))
    assert scan.version == version
    assert items["Grüße aus Zürich — 日本語も"].body == BODY
    assert items["About me"].is_page
    assert not items["Coming soon"].is_page


def test_it_reads_users_tags_and_their_joins(ghost_file):
    scan, items = read(ghost_file())
    assert [(a.source_id, a.username, a.email, a.display_name) for a in scan.authors] == [
        ("1", "mara", "mara@example.com", "Mara Müller"),
        ("5951f5fca366002ebd5dbef7", "ghost", "ghost-author@example.com", "Ghost"),
    ]
    post = items["Grüße aus Zürich — 日本語も"]
    assert post.tags == ["Travel", "Python"]  # in the export's sort order; "#internal" is Ghost's own
    assert post.author_id == "1"
    assert post.excerpt == "A short trip."
    assert post.cover_image_id == "/content/images/2023/05/lake.jpg"
    assert post.old_urls == ["/grusse-aus-zurich/"]


def test_it_maps_statuses_and_dates_to_ours(ghost_file):
    _, items = read(ghost_file())
    assert items["Grüße aus Zürich — 日本語も"].published_at == datetime(2023, 5, 1, 8, 30, tzinfo=UTC)
    assert (items["Unfinished thoughts"].status, items["Unfinished thoughts"].published_at) == ("draft", None)
    assert items["Coming soon"].status == "published"
    assert items["Coming soon"].published_at == datetime(2099, 1, 1, 9, 0, tzinfo=UTC)
    assert items["Members only"].status == "draft"
    assert items["Members only"].notes == ["was for paid members only in Ghost: brought in as a draft"]
    assert items["Newsletter issue"].status == "draft"


def test_it_reads_exports_without_the_db_wrapper_and_with_millisecond_dates(ghost_file):
    data = {
        "meta": {"exported_on": 1426263451924, "version": "003"},
        "data": {
            "posts": [
                {
                    "id": 1,
                    "title": "Old",
                    "slug": "old",
                    "html": "<p>Hi</p>",
                    "page": 0,
                    "status": "published",
                    "author_id": 1,
                    "published_at": 1426078349156,
                }
            ],
            "users": [{"id": 1, "name": "Cozy", "slug": "cozy", "email": "cozy@example.com"}],
        },
    }
    _, items = read(ghost_file(data))
    assert items["Old"].published_at == datetime(2015, 3, 11, 12, 52, 29, 156000, tzinfo=UTC)
    assert (items["Old"].author_id, items["Old"].body) == ("1", "Hi")


def test_it_finds_image_files_under_content_images(ghost_file):
    export = GhostExport(ghost_file())
    assert export.image_path("/content/images/2023/05/lake.jpg") == "2023/05/lake.jpg"
    assert (
        export.image_path("https://blog.example.com/content/images/size/w600/2023/05/lake.jpg")
        == "2023/05/lake.jpg"
    )
    assert export.image_path("https://elsewhere.example.org/lake.jpg") == ""
