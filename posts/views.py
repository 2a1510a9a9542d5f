from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import Post, Tag


def _page_of(request, posts):
    """One page of post cards; a bad or out-of-range ``?page=`` gives the nearest page."""
    paginator = Paginator(posts.for_listing().newest_first(), settings.BLOG_POSTS_PER_PAGE)
    return paginator.get_page(request.GET.get("page"))


def home(request):
    page = _page_of(request, Post.objects.public())
    return render(request, "posts/home.html", {"page": page})


def post_detail(request, slug):
    post = get_object_or_404(Post.objects.visible_to(request.user).select_related("author"), slug=slug)
    context = {"post": post, "tags": list(post.tags.all())}
    if post.is_public:
        context["previous_post"] = post.previous_public()
        context["next_post"] = post.next_public()
    return render(request, "posts/post_detail.html", context)


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = _page_of(request, Post.objects.public().filter(tags=tag))
    return render(request, "posts/tag_detail.html", {"tag": tag, "page": page})


def author_detail(request, username):
    author = get_object_or_404(get_user_model(), username=username, is_active=True)
    page = _page_of(request, Post.objects.public().filter(author=author))
    if not page.paginator.count:
        raise Http404("This author has not published anything yet.")
    return render(request, "posts/author_detail.html", {"author": author, "page": page})
