from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import api as accounts_api
from blogsite import views
from blogsite.api import api
from media import api as media_api
from posts import api as posts_api

admin.site.site_header = admin.site.site_title = "Blogsite administration"
# Each router brings its own authentication (accounts.api.ANYONE unless an endpoint says otherwise).
api.add_router("", posts_api.router)
api.add_router("", accounts_api.router)
api.add_router("", posts_api.people)
api.add_router("", media_api.router)

# /healthz and /readyz are answered by blogsite.health.HealthCheckMiddleware, before host checks.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path(settings.API_PREFIX.removeprefix("/"), api.urls),
    path("robots.txt", views.robots_txt, name="robots"),
    path("opensearch.xml", views.opensearch, name="opensearch"),
    path("", include("media.urls")),
    path("", include("imports.urls")),
    path("", include("posts.urls")),
]

handler500 = "blogsite.views.server_error"
