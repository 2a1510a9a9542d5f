from django.urls import path

from . import views

app_name = "posts"

urlpatterns = [
    path("", views.home, name="home"),
    path("posts/<slug:slug>/", views.post_detail, name="detail"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("authors/<str:username>/", views.author_detail, name="author"),
]
