from django.urls import path

from . import views

app_name = "media"

urlpatterns = [
    path("media/<path:name>", views.media_file, name="file"),
    path("dashboard/media/", views.library, name="library"),
    path("dashboard/media/<int:image_id>/edit/", views.image_edit, name="image_edit"),
    path("dashboard/media/<int:image_id>/delete/", views.image_delete, name="image_delete"),
]
