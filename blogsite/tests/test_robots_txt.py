"""/robots.txt keeps crawlers off private and endless pages and points them at the sitemap."""


def test_robots_txt_names_the_sitemap(client, settings):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    settings.SITE_URL = "https://blog.example.org"
    assert "Sitemap: https://blog.example.org/sitemap.xml" in client.get("/robots.txt").content.decode()
