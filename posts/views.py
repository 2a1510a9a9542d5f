"""The reading pages: the home page, a post, a tag's and an author's posts, search, the tag index."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers

from accounts import permissions
from accounts.models import author_key
from blogsite import pagecache
from blogsite.pagecache import cache_public
from blogsite.paging import canonical_number

from . import pagekeys, search
from .cards import PublicCards, PublicListPaginator, ResultsPaginator, SearchResults, public_post
from .models import Post, Tag


def _page_of(request, **of):
    """One page of the cards of a public list (the site's, or ``tag=``/``author=`` an id's), its
    count with it; a bad or out-of-range ``?page=`` gives the nearest."""
    paginator = PublicListPaginator(PublicCards(**of), settings.BLOG_POSTS_PER_PAGE)
    return paginator.get_page(request.GET.get("page"))


def _list_page(request, template: str, context: dict, keys) -> HttpResponse:
    """A list's page, told to caches by what it shows (``keys``). Asked for by a ``?page=`` that
    names no page of it (past its end, not a number), the nearest page is shown but no cache
    keeps it: one entry a page, however many numbers visitors try."""
    response = render(request, template, context)
    pagecache.add_keys(response, *keys)
    asked = request.GET.get("page")
    if asked is not None and canonical_number(asked) != str(context["page"].number):
        add_never_cache_headers(response)
    return response


@cache_public(query=["page"])
def home(request):
    page = _page_of(request)
    return _list_page(request, "posts/home.html", {"page": page}, [pagekeys.POSTS, *pagekeys.for_cards(page)])


@cache_public
def post_detail(request, slug):
    if request.user.is_authenticated:  # writers and editors also see their drafts and scheduled posts
        posts = Post.objects.posts().visible_to(request.user).select_related("author", "cover")
        post = get_object_or_404(posts.prefetch_related("cover__renditions"), slug=slug)
    elif (post := public_post(slug)) is None:
        raise Http404("No public post has this address.")
    context = {"post": post, "can_edit": permissions.can_edit(request.user, post)}
    linked = ()
    if post.is_public:
        tags, neighbours, ranked = post.page_links()
        related = post.related_public(tags, exclude=neighbours, ranked=ranked)  # linked above related
        context |= {"previous_post": neighbours[0], "next_post": neighbours[1], "related_posts": related}
        linked = (*neighbours, *related)
    else:
        tags = post.tags_by_name()
    context["tags"] = tags
    response = render(request, "posts/post_detail.html", context)
    pagecache.add_keys(response, *pagekeys.for_post_page(post, tags, linked))
    return response


@cache_public(query=["page"])
def tag_detail(request, slug):
    tag = Tag.at_slug(slug)
    page = _page_of(request, tag=tag.pk) if tag else None
    if page is None or not page.paginator.count:
        raise Http404("No public post has this tag.")  # a tag only drafts use stays unknown
    keys = pagekeys.tag_key(tag.pk), pagekeys.tag_posts_key(tag.pk), *pagekeys.for_cards(page)
    return _list_page(request, "posts/tag_detail.html", {"tag": tag, "page": page}, keys)


@cache_public(query=["page"])
def author_detail(request, username):
    author = get_object_or_404(get_user_model(), username=username, is_active=True)
    page = _page_of(request, author=author.pk)
    if not page.paginator.count:
        raise Http404("This author has not published anything yet.")
    keys = author_key(author.pk), pagekeys.author_posts_key(author.pk), *pagekeys.for_cards(page)
    return _list_page(request, "posts/author_detail.html", {"author": author, "page": page}, keys)


def search_results(request):
    """Public posts matching ``?q=``, best match first, a page at a time."""
    typed = request.GET.get("q", "")
    results = SearchResults(typed)
    page = ResultsPaginator(results, settings.BLOG_POSTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"query": results.text, "page": page, "shortened": len(typed.strip()) > search.MAX_QUERY_LENGTH}
    return render(request, "posts/search.html", context)


@cache_public
def tag_index(request):
    """Every tag in use, with how many public posts it has."""
    tags = Tag.in_use().order_by("name")
    response = render(request, "posts/tag_index.html", {"tags": tags})
    pagecache.add_keys(response, pagekeys.TAGS, *(pagekeys.tag_key(tag.pk) for tag in tags))
    return response


@cache_public
def page_detail(request, slug):
    """A page (About, Contact) at its top-level address."""
    page = get_object_or_404(Post.objects.pages().visible_to(request.user), slug=slug)
    context = {"post": page, "can_edit": permissions.can_edit(request.user, page)}
    response = render(request, "posts/page_detail.html", context)
    pagecache.add_keys(response, pagekeys.post_key(page.pk))  # its own saves retire it
    return response
