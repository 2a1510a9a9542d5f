import re

import pytest
from django.conf import settings

from bench import corpus
from posts.models import Post


def test_it_makes_the_same_post_on_every_run():
    assert corpus.post_spec(7) == corpus.post_spec(7)
    assert corpus.post_spec(7) != corpus.post_spec(8)


def test_it_writes_long_markdown_with_every_kind_of_block():
    bodies = [corpus.post_spec(n)["body"] for n in range(10)]
    for body in bodies:
        assert 1400 <= len(body.split()) <= 2100
        assert "\n## " in body
        assert "](" in body
    joined = "\n".join(bodies)
    for block in ("\n- ", "\n1. ", "\n```", "\n> ", "\n| "):
        assert block in joined


def test_it_keeps_titles_unique_in_index_order():
    titles = [spec["title"] for spec in corpus.post_specs(300)]
    assert len(set(titles)) == 300
    assert titles[:50] == [spec["title"] for spec in corpus.post_specs(50)]


def test_every_title_names_only_subjects_of_its_body():
    # A copy's title too: drawn from subjects of its own, it named one its body never mentions,
    # and at 100,000 posts a search for two subjects found posts no blog has.
    pool = {n: corpus.post_spec(n) for n in range(8)}
    copies = [corpus.copied_post_spec(corpus.POOL * k + n) for k in (1, 7) for n in range(8)]
    specs = [*pool.values(), *copies]
    for spec in specs:
        body = pool[spec.get("body_of", spec["index"])]["body"]
        named = set(re.findall(r"[a-z]+", spec["title"].lower())) & set(corpus.TOPICS)
        assert named, spec["title"]
        assert named <= set(re.findall(r"[a-z]+", body.lower())), spec["title"]


@pytest.mark.django_db
def test_it_loads_posts_through_the_model_and_describes_them():
    corpus.load(12, jobs=1, dashboard=False)
    assert Post.objects.public().count() == 12
    post = Post.objects.get(title=corpus.post_spec(3)["title"])
    assert "<h2>" in post.body_html
    assert '<pre class="highlight" tabindex="0">' in post.body_html
    assert post.reading_time_minutes >= 5
    assert post.tags.exists()
    info = corpus.describe()
    assert info["posts"] == 12
    assert Post.objects.get(pk=info["post_id"]).slug == info["post_slug"]
    assert len(info["search_queries"]) == 64


@pytest.mark.django_db
def test_it_refuses_to_load_into_a_database_that_has_posts():
    corpus.load(1, jobs=1, dashboard=False)
    with pytest.raises(SystemExit):
        corpus.load(1, jobs=1, dashboard=False)


@pytest.mark.django_db
def test_it_copies_bodies_past_the_pool_with_what_save_derived_from_them(monkeypatch):
    monkeypatch.setattr(corpus, "POOL", 4)
    corpus.load(10, jobs=1, dashboard=False)
    assert Post.objects.public().count() == 10
    specs = corpus.post_specs(10)
    copy = Post.objects.get(title=specs[6]["title"])
    original = Post.objects.get(title=specs[2]["title"])
    assert copy.body == original.body
    assert copy.body_html == original.body_html
    assert copy.summary == original.summary
    assert copy.slug != original.slug
    assert copy.author.username == corpus.WRITERS[specs[6]["author"]][0]
    assert sorted(t.name for t in copy.tags.all()) == sorted(corpus.TAGS[n] for n in specs[6]["tags"])


@pytest.mark.django_db
def test_it_gives_the_dashboard_writer_a_hundred_posts_none_public_and_signs_them_in(client):
    corpus.load(3, jobs=1)
    writer = corpus.DASHBOARD_WRITER[0]
    assert Post.objects.filter(author__username=writer).count() == corpus.DASHBOARD_POSTS
    assert not Post.objects.public().filter(author__username=writer).exists()
    assert corpus.describe()["posts"] == 3
    cookies = dict(cookie.split("=", 1) for cookie in corpus.sign_in(writer).split("; "))
    for name, value in cookies.items():
        client.cookies[name] = value
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert response.context["user"].username == writer
    # The browser's CSRF cookie came with it: Django renews that one rather than making another.
    assert response.cookies[settings.CSRF_COOKIE_NAME].value == cookies[settings.CSRF_COOKIE_NAME]
