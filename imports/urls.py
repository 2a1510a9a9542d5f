from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("dashboard/import/", views.import_page, name="import"),
    path("dashboard/export/", views.export_page, name="export"),
    path("dashboard/runs/<int:run_id>/", views.run_detail, name="run"),
    path("dashboard/export/<int:run_id>/download/", views.export_download, name="download"),
]
