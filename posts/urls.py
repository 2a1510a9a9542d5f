from django.contrib.sitemaps.views import sitemap
from django.urls import path

from blogsite.pagecache import cache_public

from . import dashboard, feeds, views
from .sitemaps import SITEMAP_KEYS, SITEMAPS, sitemap_index

app_name = "posts"
cached_sitemap = cache_public(sitemap, query=["p"], keys=SITEMAP_KEYS)

urlpatterns = [
    path("", views.home, name="home"),
    path("posts/<slug:slug>/", views.post_detail, name="detail"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("authors/<str:username>/", views.author_detail, name="author"),
    path("search/", views.search_results, name="search"),
    path("tags/", views.tag_index, name="tags"),
    path("feed/", cache_public(feeds.LatestPostsFeed()), name="feed"),
    path("feed/atom/", cache_public(feeds.LatestPostsAtomFeed()), name="feed_atom"),
    path("tags/<slug:slug>/feed/", cache_public(feeds.TagFeed()), name="tag_feed"),
    path("tags/<slug:slug>/feed/atom/", cache_public(feeds.TagAtomFeed()), name="tag_feed_atom"),
    path("authors/<str:username>/feed/", cache_public(feeds.AuthorFeed()), name="author_feed"),
    path("authors/<str:username>/feed/atom/", cache_public(feeds.AuthorAtomFeed()), name="author_feed_atom"),
    path(
        "sitemap.xml", cache_public(sitemap_index, keys=SITEMAP_KEYS), {"sitemaps": SITEMAPS}, name="sitemap"
    ),
    path("sitemap-<str:section>.xml", cached_sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    # Dashboard
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/review/", dashboard.review_queue, name="review_queue"),
    path("dashboard/posts/new/", dashboard.post_new, name="post_new"),
    path("dashboard/posts/autosave/", dashboard.post_autosave, name="post_autosave_new"),
    path("dashboard/posts/<int:post_id>/edit/", dashboard.post_edit, name="post_edit"),
    path("dashboard/posts/<int:post_id>/autosave/", dashboard.post_autosave, name="post_autosave"),
    path("dashboard/posts/<int:post_id>/delete/", dashboard.post_delete, name="post_delete"),
    path("dashboard/posts/<int:post_id>/revisions/", dashboard.revision_diff, name="revision_diff"),
    path(
        "dashboard/posts/<int:post_id>/revisions/<int:number>/restore/",
        dashboard.revision_restore,
        name="revision_restore",
    ),
    # Last: a page's address is any single segment the site does not answer itself (reserved_slugs()).
    path("<slug:slug>/", views.page_detail, name="page"),
]
