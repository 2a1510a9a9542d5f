from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser


def test_the_api_docs_render_every_operation_from_our_own_host(page, live_server):
    hosts = []
    page.on("request", lambda request: hosts.append(urlparse(request.url).netloc))
    page.goto("/api/docs")
    page.get_by_text("/api/posts/{post_id}").first.wait_for()
    assert page.locator(".opblock").count() == 17  # every operation of the OpenAPI document
    assert set(hosts) == {urlparse(live_server.url).netloc}
