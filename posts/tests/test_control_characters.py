"""Issue 13, finding 2: control characters are refused in every text field, and feeds never fail on one.

A C0 control character (U+0000 to U+001F) in a title, a name or a tag is refused; text of
several lines (a body, an excerpt, a bio) keeps tabs and line breaks and refuses the rest.
The editor page, the API, the admin and the profile form all say which field holds one.
"""

from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from blogsite import text
from posts.models import Post, Tag

from .api_helpers import assert_problem, send

pytestmark = pytest.mark.django_db

CONTROLS = ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x1f"]

# Single bytes, and characters whose UTF-8 is near what HTML forbids (C1, noncharacters).
NEAR_FORBIDDEN = "·é\x85\x9f\xa0\ufdcf\ufdd0\ufdef\ufdf0\ufffd\ufffe\uffff\U0001fffe\U0010ffff\U0001f600"
PAGE_PIECES = [bytes([n]) for n in range(256)] + [c.encode() for c in NEAR_FORBIDDEN]


def editor_form(client, **fields):
    data = {"title": "A title", "body": "Words.", "excerpt": "", "tags": "", "action": "save"} | fields
    return client.post("/dashboard/posts/new/", data)


@pytest.mark.parametrize("control", CONTROLS)
def test_it_refuses_control_characters_in_every_field_of_the_editor(client, author, control):
    client.force_login(author)
    for field in ("title", "body", "excerpt", "tags"):
        response = editor_form(client, **{field: f"Cai{control}Jones"})
        assert response.status_code == 200, field
        assert list(response.context["form"].errors) == [field]
    assert not Post.objects.exists()
    assert not Tag.objects.exists()


def test_it_keeps_tabs_and_line_breaks_in_a_body_and_an_excerpt(client, author):
    client.force_login(author)
    response = editor_form(client, body="Line one\r\n\tindented\nline three", excerpt="One\r\ntwo")
    assert response.status_code == 302
    post = Post.objects.get()
    assert "\tindented" in post.body and post.excerpt == "One\r\ntwo"


def test_it_refuses_a_line_break_in_a_title(client, author):
    client.force_login(author)
    assert "control characters" in editor_form(client, title="Two\nlines").content.decode()


@pytest.mark.parametrize("control", CONTROLS)
def test_the_api_refuses_control_characters_in_every_text_field(client, author, control):
    fields = {"title": "A title", "body": "Words."}
    for name, value in [
        ("title", f"Cai{control}Jones"),
        ("body", f"Cai{control}Jones"),
        ("excerpt", f"Cai{control}Jones"),
        ("tags", [f"Cai{control}Jones"]),
    ]:
        response = send(client, "post", "/api/posts", fields | {name: value}, user=author)
        assert list(assert_problem(response, 400)["errors"]) == [name]
    response = send(client, "patch", "/api/profile", {"display_name": f"Cai{control}Jones"}, user=author)
    assert list(assert_problem(response, 400)["errors"]) == ["display_name"]
    assert not Post.objects.exists()


def test_the_api_documents_the_characters_it_accepts(client):
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    properties = schemas["PostIn"]["properties"]
    assert properties["title"]["pattern"] == r"^[^\x00-\x1f]*$"
    assert properties["body"]["pattern"] == r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
    assert properties["title"]["maxLength"] == 200


def test_the_profile_form_refuses_a_display_name_with_a_control_character(client, contributor):
    client.force_login(contributor)
    data = {"display_name": "Cai\x0bJones", "bio": "", "email": contributor.email}
    response = client.post("/accounts/profile/", data)
    assert response.status_code == 200
    assert "control characters" in response.content.decode()
    contributor.refresh_from_db()
    assert contributor.display_name == "Cora Contributor"


def test_the_admin_refuses_control_characters_in_a_tag_and_a_title(client, editor, author, make_post):
    client.force_login(editor)
    response = client.post("/admin/posts/tag/add/", {"name": "Bad\x01tag", "slug": "bad-tag"})
    assert response.status_code == 200
    assert "control characters" in response.content.decode()
    post = make_post(author, "Clean title")
    data = {
        "title": "Dirty\x07title",
        "author": author.pk,
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
        "body": post.body,
        "excerpt": "",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/posts/post/{post.pk}/change/", data)
    assert response.status_code == 200
    assert "control characters" in response.content.decode()
    post.refresh_from_db()
    assert post.title == "Clean title"


@pytest.mark.parametrize("path", ["/feed/", "/feed/atom/", "/authors/asha/feed/", "/tags/old/feed/atom/"])
def test_feeds_never_fail_on_control_characters_stored_before_the_rule(client, author, make_post, path):
    post = make_post(author, "Clean", body="Clean body", tags=["old"])
    # Rows written before the rule, as an old version or a direct SQL change left them.
    Post.objects.filter(pk=post.pk).update(title="Title\x01one", body_html="<p>Body\x0bhere\x02</p>")
    User.objects.filter(pk=author.pk).update(display_name="Cai\x0bJones")
    Tag.objects.filter(name="old").update(name="o\x1bld")
    response = client.get(path)
    assert response.status_code == 200
    text = ElementTree.tostring(ElementTree.fromstring(response.content), encoding="unicode")
    assert "Titleone" in text
    assert not any(control in response.content.decode() for control in CONTROLS)


@pytest.mark.parametrize("path", ["/", "/posts/clean/", "/authors/asha/", "/tags/old/"])
def test_pages_never_carry_control_characters_stored_before_the_rule(client, author, make_post, path):
    post = make_post(author, "Clean", body="Clean body", tags=["old"])
    Post.objects.filter(pk=post.pk).update(title="Title\x01one", body_html="<p>Body\x0bhere\x7f\u0085</p>")
    User.objects.filter(pk=author.pk).update(display_name="Cai\x0bJones")
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Titleone" in page
    assert not any(control in page for control in [*CONTROLS, "\x7f", "\u0085"])


def test_a_control_character_in_an_address_stays_out_of_the_not_found_page(client):
    response = client.get("/tags/a%01b/")
    assert response.status_code == 404
    assert 'href="http://testserver/tags/a%01b/"' in response.content.decode()


def test_a_refused_title_and_tags_come_back_in_one_line(client, author):
    client.force_login(author)
    response = editor_form(client, title="Two\nlines\x01", tags="one\n, two")
    assert list(response.context["form"].errors) == ["title"]
    assert 'value="Two lines "' in response.content.decode()
    assert 'value="one , two"' in response.content.decode()


@given(st.lists(st.sampled_from(PAGE_PIECES), max_size=12))
def test_the_quick_look_at_a_page_agrees_with_the_rule_it_spares(pieces):
    page = b"".join(pieces)
    assert text._may_hold_what_html_forbids(page) == (text._NOT_HTML.search(page) is not None)
