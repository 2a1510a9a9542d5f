from django.urls import path

from . import views

app_name = "posts"

urlpatterns = [
    path("", views.home, name="home"),
    path("posts/<slug:slug>/", views.post_detail, name="detail"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("authors/<str:username>/", views.author_detail, name="author"),
    # Dashboard
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/review/", views.review_queue, name="review_queue"),
    path("dashboard/posts/new/", views.post_new, name="post_new"),
    path("dashboard/posts/autosave/", views.post_autosave, name="post_autosave_new"),
    path("dashboard/posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("dashboard/posts/<int:post_id>/autosave/", views.post_autosave, name="post_autosave"),
    path("dashboard/posts/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("dashboard/posts/<int:post_id>/revisions/", views.revision_diff, name="revision_diff"),
    path(
        "dashboard/posts/<int:post_id>/revisions/<int:number>/restore/",
        views.revision_restore,
        name="revision_restore",
    ),
]
