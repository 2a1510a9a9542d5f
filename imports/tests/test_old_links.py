from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imports.models import OldLink
from posts.models import Post


@pytest.fixture
def imported(wxr_file):
    call_command("import_wordpress", str(wxr_file()), stdout=StringIO())
    return Post.objects.get(slug="grusse-aus-zurich")


@pytest.mark.django_db
@pytest.mark.parametrize("old", ["/2023/05/01/grusse-aus-zurich/", "/2023/05/01/grusse-aus-zurich", "/?p=11"])
def test_a_wordpress_address_answers_301_to_the_post(client, imported, old):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == "/posts/grusse-aus-zurich/"


@pytest.mark.django_db
def test_a_ghost_address_answers_301_to_the_post(client, ghost_file):
    call_command("import_ghost", str(ghost_file()), stdout=StringIO())
    response = client.get("/grusse-aus-zurich/")
    assert (response.status_code, response["Location"]) == (301, "/posts/grusse-aus-zurich/")


@pytest.mark.django_db
def test_an_old_address_of_a_post_visitors_may_not_read_stays_a_404(client, imported):
    assert client.get("/2023/04/01/members-only/").status_code == 404  # a draft now
    assert OldLink.objects.filter(old_path="/2023/04/01/members-only/").exists()
    assert client.get("/?p=15").status_code == 200  # the home page, as for any unknown ?p=


@pytest.mark.django_db
def test_old_links_are_looked_up_only_where_the_site_has_nothing(client, imported):
    OldLink.objects.create(old_path="/posts/grusse-aus-zurich/", new_path="/elsewhere/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/posts/grusse-aus-zurich/").status_code == 200
    assert not [q for q in queries.captured_queries if "imports_oldlink" in q["sql"]]
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/no/such/page/").status_code == 404
    assert len([q for q in queries.captured_queries if "imports_oldlink" in q["sql"]]) == 1


@pytest.mark.django_db
def test_admins_list_and_edit_old_links(admin_client, imported):
    response = admin_client.get("/admin/imports/oldlink/")
    assert response.status_code == 200
    assert "/2023/05/01/grusse-aus-zurich/" in response.content.decode()
    link = OldLink.objects.get(old_path="/?p=11")
    response = admin_client.get(f"/admin/imports/oldlink/{link.pk}/change/")
    assert response.status_code == 200
