import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch


def render(source, **context):
    return Template(source).render(Context(context))


def test_link_gives_what_url_gives_without_loading_anything():
    source = "{% link 'posts:tag' slug %} {% link 'posts:home' %}"
    assert render(source, slug="python") == render(source.replace("link", "url"), slug="python")
    assert render(source, slug="python") == "/tags/python/ /"


def test_link_takes_numbers_as_url_does():
    assert render("{% link 'posts:post_edit' 7 %}") == render("{% url 'posts:post_edit' 7 %}")


def test_link_can_be_kept_in_a_variable():
    assert render("{% link 'posts:tag' 'a-b' as where %}<{{ where }}>") == "</tags/a-b/>"


def test_an_unknown_link_fails_as_url_does():
    with pytest.raises(NoReverseMatch):
        render("{% link 'posts:nowhere' %}")
