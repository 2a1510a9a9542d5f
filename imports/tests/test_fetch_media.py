"""--fetch-media downloads an old blog's images from their URLs, here from a real server on 127.0.0.1."""

import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from imports import media_files
from imports.tests import samples
from media.models import Image
from media.tests.images import jpeg, png
from posts.models import Post

# The port the test server listens on (0: any free one); a shared machine gives each worker its own.
PORT = int(os.environ.get("BLOGSITE_TEST_HTTP_PORT", "0"))


class OldBlog(BaseHTTPRequestHandler):
    """The old blog's web server: real images, a missing one, a page passed off as an image, a slow one."""

    files = {
        "/wp-content/uploads/2023/05/lake.jpg": ("image/jpeg", jpeg(120, 90)),
        "/wp-content/uploads/2023/05/boat.png": ("image/png", png(80, 60)),
        "/wp-content/uploads/2023/05/notes.jpg": ("image/jpeg", b"<html>not a picture</html>"),
        "/wp-content/uploads/2023/05/huge.jpg": ("image/jpeg", jpeg(400, 300) + b"\0" * 300_000),
    }
    requested: list[str] = []

    def do_GET(self):
        self.requested.append(self.path)
        if self.path.endswith("/slow.jpg"):
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.end_headers()
            try:
                for byte in jpeg():  # a byte now and then: each read is quick, the whole never ends
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.05)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the importer gave up, as it should
            return
        if self.path not in self.files:
            self.send_error(404)
            return
        content_type, body = self.files[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def old_blog():
    """The old blog's server, on 127.0.0.1 in a thread: its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", PORT), OldBlog)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    OldBlog.requested = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def only_this_machine(monkeypatch):
    """Every connection the import opens, refused unless it is to 127.0.0.1; the others are listed."""
    elsewhere = []
    connect = socket.socket.connect

    def guarded(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] != "127.0.0.1":
            elsewhere.append(address)
            raise ConnectionRefusedError(f"the test allows no connection to {address[0]}")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return elsewhere


def attachment(base, n, name, alt=""):
    url = f"{base}/wp-content/uploads/2023/05/{name}"
    return samples.item(
        title=name,
        link=f"2023/05/01/{name}/",
        id=str(n),
        slug=name.replace(".", "-"),
        status="inherit",
        type="attachment",
        content="",
        extra=f"\n    <wp:attachment_url><![CDATA[{url}]]></wp:attachment_url>"
        + samples.postmeta("_wp_attached_file", f"2023/05/{name}")
        + samples.postmeta("_wp_attachment_image_alt", alt),
    )


def a_blog(base):
    """Attachments and a post whose body shows them, every URL on the old blog's server."""
    uploads = f"{base}/wp-content/uploads/2023/05"
    body = (
        f'<p>The lake: <img src="{uploads}/lake.jpg" alt="The lake at dawn"></p>\n'
        f'<p>A boat: <img src="{uploads}/boat.png" alt="A red boat"></p>\n'
        f'<p>Gone: <img src="{uploads}/gone.jpg" alt="Gone"></p>\n'
    )
    return samples.wxr(
        [
            attachment(base, 10, "lake.jpg", alt="The lake at dawn"),
            attachment(base, 11, "gone.jpg"),
            attachment(base, 12, "notes.jpg"),
            samples.item(
                title="By the lake",
                id="20",
                slug="by-the-lake",
                content=body,
                extra=samples.postmeta("_thumbnail_id", "10"),
            ),
        ]
    )


def run(path, *args):
    out = StringIO()
    try:
        call_command("import_wordpress", str(path), "--fetch-media", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


@pytest.mark.django_db
def test_images_are_fetched_into_the_library_and_bodies_point_at_them(old_blog, only_this_machine, wxr_file):
    out, error = run(wxr_file(a_blog(old_blog)))
    assert error is None, out
    lake = Image.objects.get(original_name="lake.jpg")
    boat = Image.objects.get(original_name="boat.png")
    assert (lake.width, lake.alt, lake.owner.username) == (120, "The lake at dawn", "mara")
    assert (boat.width, boat.alt) == (80, "A red boat")
    post = Post.objects.get(slug="by-the-lake")
    assert post.cover == lake
    assert f"![The lake at dawn]({lake.get_absolute_url()})" in post.body
    assert f"![A red boat]({boat.get_absolute_url()})" in post.body
    assert f"![Gone]({old_blog}/wp-content/uploads/2023/05/gone.jpg)" in post.body  # kept where it was
    assert "  created   image  “lake.jpg”" in out
    assert "image gone.jpg stays at its old address: it could not be read (HTTP Error 404: Not Found)" in out
    assert "image notes.jpg stays at its old address:" in out  # the library's own check refused it
    assert Image.objects.count() == 2
    # lake.jpg is the attachment and the body's image: fetched once.
    assert OldBlog.requested.count("/wp-content/uploads/2023/05/lake.jpg") == 1
    assert only_this_machine == []


@pytest.mark.django_db
def test_running_again_fetches_nothing_twice(old_blog, only_this_machine, wxr_file):
    path = wxr_file(a_blog(old_blog))
    run(path)
    fetched = len([p for p in OldBlog.requested if not p.endswith(("gone.jpg", "notes.jpg"))])
    run(path)
    assert Image.objects.count() == 2
    assert len([p for p in OldBlog.requested if not p.endswith(("gone.jpg", "notes.jpg"))]) == fetched


@pytest.mark.django_db
def test_an_image_larger_than_the_library_takes_is_not_fetched_whole(old_blog, wxr_file, settings):
    settings.BLOG_MEDIA_MAX_BYTES = 200_000
    out, error = run(wxr_file(samples.wxr([attachment(old_blog, 10, "huge.jpg")])))
    assert error is None, out
    assert "image huge.jpg stays at its old address: it is larger than 0.190735 MiB" in out
    assert not Image.objects.exists()


@pytest.mark.django_db
def test_a_server_that_trickles_an_image_is_given_up_on(old_blog, wxr_file, monkeypatch):
    monkeypatch.setattr(media_files, "FETCH_TIMEOUT", 0.5)
    started = time.monotonic()
    out, error = run(wxr_file(samples.wxr([attachment(old_blog, 10, "slow.jpg")])))
    assert error is None, out
    assert "image slow.jpg stays at its old address: it could not be read" in out
    assert "took longer than 0.5 seconds" in out
    assert time.monotonic() - started < 10
    assert not Image.objects.exists()


@pytest.mark.django_db
def test_only_http_addresses_are_fetched(wxr_file, only_this_machine, tmp_path):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(jpeg())
    text = samples.wxr([attachment("file://" + str(tmp_path), 10, "secret.jpg")]).replace(
        f"file://{tmp_path}/wp-content/uploads/2023/05/secret.jpg", f"file://{secret}"
    )
    out, error = run(wxr_file(text))
    assert error is None, out
    assert not Image.objects.exists()
    assert "image secret.jpg stays at its old address" in out
