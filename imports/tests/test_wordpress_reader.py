from datetime import UTC, datetime

import pytest

from imports.items import SourcePost, SourceSkip
from imports.wordpress import WordPressExport


def read(path):
    export = WordPressExport(path)
    scan = export.scan()
    return scan, {item.title: item for item in export.posts()}


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_it_reads_every_wxr_version(wxr_file, version):
    scan, items = read(wxr_file(version=version))
    assert scan.version == version
    assert items["Grüße aus Zürich — 日本語も"].status == "published"
    assert items["Grüße aus Zürich — 日本語も"].excerpt == "A *short* trip."


def test_it_keeps_authors_and_image_attachments(wxr_file):
    scan, _ = read(wxr_file())
    assert [(a.username, a.email, a.display_name) for a in scan.authors] == [
        ("mara", "mara@example.com", "Mara Müller"),
        ("asha", "asha@example.com", "Asha"),
    ]
    image = scan.images["10"]
    assert (image.path, image.alt_text) == ("2023/05/lake.jpg", "The lake at dawn")
    assert image.old_urls == [
        "https://old.example.com/2023/05/01/grusse-aus-zurich/lake/",
        "/?attachment_id=10",
    ]


def test_it_maps_statuses_and_dates_to_ours(wxr_file):
    _, items = read(wxr_file())
    post = items["Grüße aus Zürich — 日本語も"]
    assert post.published_at == datetime(2023, 5, 1, 8, 30, tzinfo=UTC)  # post_date_gmt, not local time
    assert (items["Unfinished thoughts"].status, items["Unfinished thoughts"].published_at) == ("draft", None)
    assert items["Coming soon"].status == "published"
    assert items["Coming soon"].published_at == datetime(2099, 1, 1, 9, 0, tzinfo=UTC)
    assert items["Waiting for review"].status == "review"
    protected = items["Members only"]
    assert protected.status == "draft"
    assert protected.notes == ["was password-protected in WordPress: brought in as a draft"]


def test_it_reads_pages_authors_tags_cover_and_comments(wxr_file):
    _, items = read(wxr_file())
    post = items["Grüße aus Zürich — 日本語も"]
    assert (post.author_id, post.slug, post.cover_image_id, post.comment_count) == (
        "mara",
        "grusse-aus-zurich",
        "10",
        2,
    )
    assert post.tags == ["Travel", "Python"]  # categories and tags; "Uncategorized" is WordPress's default
    assert post.old_urls == ["https://old.example.com/2023/05/01/grusse-aus-zurich/", "/?p=11"]
    page = items["About me"]
    assert page.is_page and not post.is_page
    assert page.old_urls == ["https://old.example.com/about/", "/?p=17", "/?page_id=17"]
    assert items["Classic post"].author_id == "asha"


def test_it_skips_what_is_not_a_post_or_a_page_and_says_why(wxr_file):
    _, items = read(wxr_file())
    assert items["Home"] == SourceSkip("18", "Home", "a WordPress nav_menu_item, not a post or a page")
    assert items["Old rubbish"].reason == "it was in the trash"
    assert "Lake photo" not in items  # an attachment is an image, not a post
    assert all(isinstance(i, SourcePost) for t, i in items.items() if t not in ("Home", "Old rubbish"))


def test_it_turns_block_editor_html_into_markdown(wxr_file):
    _, items = read(wxr_file())
    body = items["Grüße aus Zürich — 日本語も"].body
    assert "wp:" not in body and "<!--" not in body
    assert body.startswith("Grüße aus **Zürich**! Here is the lake:")
    assert "![The lake at dawn](https://old.example.com/wp-content/uploads/2023/05/lake-1024x768.jpg)" in body
    assert "*Dawn on the lake*" in body
    assert '```python\ndef greet(name):\n    return f"Grüezi {name}" if name < "z" else None\n```' in body
    assert "| Day | Km |\n| --- | --- |\n| Monday | 12 |" in body


def test_it_turns_shortcodes_into_their_meaning_and_reports_unknown_ones(wxr_file):
    _, items = read(wxr_file())
    classic = items["Classic post"]
    assert classic.body.startswith(
        "A classic-editor post: paragraphs come from blank lines.  \nA second line of the same paragraph.\n\n"
    )
    assert (
        "![Small lake](https://old.example.com/wp-content/uploads/2023/05/lake-300x225.jpg)\n\n"
        "*The lake, smaller*" in classic.body
    )
    assert '```javascript\nif (a < b) { console.log("<ok>"); }\n```' in classic.body
    assert "<https://www.youtube.com/watch?v=abc123>" in classic.body
    assert classic.body.endswith(
        "![The lake at dawn](https://old.example.com/wp-content/uploads/2023/05/lake.jpg)"
    )
    assert classic.notes == []
    block = items["Grüße aus Zürich — 日本語も"]
    assert '[contact-form-7 id="42" title="Contact"]' in block.body
    assert block.notes == ["kept unknown shortcodes as text: [contact-form-7]"]


def test_it_lists_the_images_a_body_shows(wxr_file):
    _, items = read(wxr_file())
    assert items["Classic post"].image_urls == [
        "https://old.example.com/wp-content/uploads/2023/05/lake-300x225.jpg",
        "https://old.example.com/wp-content/uploads/2023/05/lake.jpg",
    ]
    assert WordPressExport("x").image_path(items["Classic post"].image_urls[0]) == "2023/05/lake-300x225.jpg"
