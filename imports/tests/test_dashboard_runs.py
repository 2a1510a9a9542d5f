"""Admins import and export from the dashboard; the background worker does the work."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.models import Run
from imports.tests import samples
from posts.models import Post


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def admin(admin_user, client):
    client.force_login(admin_user)
    return client


def upload(client, text, kind="wordpress", dry_run=False):
    data = {"kind": kind, "file": SimpleUploadedFile("site.xml", text.encode())}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/dashboard/import/", data, follow=True)


@pytest.mark.django_db
def test_an_admin_imports_a_wordpress_file_and_reads_the_report(admin):
    response = upload(admin, samples.wordpress_blog())
    run = Run.objects.get()
    assert (run.state, run.done, run.total) == ("done", 9, 9)
    page = response.content.decode()
    assert (
        "WordPress import of site" in page
        and "9 created, 0 updated, 0 unchanged, 3 skipped, 0 failed" in page
    )
    assert Post.objects.filter(title="Classic post").exists()


@pytest.mark.django_db
def test_a_dry_run_from_the_dashboard_writes_nothing(admin):
    response = upload(admin, samples.wordpress_blog(), dry_run=True)
    assert "(dry run: nothing was written)" in response.content.decode()
    assert Post.objects.count() == 0


@pytest.mark.django_db
def test_a_damaged_file_fails_with_its_reason(admin):
    response = upload(admin, samples.wordpress_blog()[:4000])
    assert Run.objects.get().state == "failed"
    assert "truncated" in response.content.decode() and "Nothing was imported." in response.content.decode()


@pytest.mark.django_db
def test_a_wrong_form_says_what_is_missing(admin):
    response = admin.post("/dashboard/import/", {"kind": "wordpress"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Run.objects.exists()


@pytest.mark.django_db
def test_a_run_not_yet_done_shows_its_progress_and_refreshes(admin, admin_user):
    run = Run.objects.create(kind=Run.Kind.WORDPRESS, state=Run.State.RUNNING, done=30, total=120)
    page = admin.get(f"/dashboard/runs/{run.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "30 of 120 items" in page and 'value="25"' in page


@pytest.mark.django_db
def test_an_admin_exports_the_blog_and_downloads_it(admin, make_post, author):
    make_post(author, "Grüße")
    response = admin.post("/dashboard/export/", follow=True)
    run = Run.objects.get(kind=Run.Kind.EXPORT)
    assert run.state == "done"
    assert f"/dashboard/export/{run.pk}/download/" in response.content.decode()
    download = admin.get(f"/dashboard/export/{run.pk}/download/")
    assert download["Content-Disposition"].startswith("attachment")
    document = json.loads(b"".join(download.streaming_content))
    assert [p["title"] for p in document["posts"]] == ["Grüße"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/dashboard/import/", "/dashboard/export/"])
def test_only_admins_find_these_pages(client, editor, url):
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(editor)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
