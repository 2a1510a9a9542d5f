"""The admin, as editors and admins use it."""


def test_an_admin_search_box_shows_a_searched_line_break_as_a_space(client, admin_user):
    client.force_login(admin_user)
    for url in ["/admin/accounts/user/", "/admin/posts/post/", "/admin/imports/oldlink/"]:
        page = client.get(url, {"q": "a\nb"}).content.decode()
        assert 'value="a b"' in page, url
