import pytest

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


@pytest.mark.django_db
def test_it_loads_posts_through_the_model_and_describes_them():
    corpus.load(12, jobs=1)
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
    corpus.load(1, jobs=1)
    with pytest.raises(SystemExit):
        corpus.load(1, jobs=1)
