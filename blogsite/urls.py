from django.contrib import admin
from django.urls import include, path

admin.site.site_header = admin.site.site_title = "Blogsite administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("posts.urls")),
]
