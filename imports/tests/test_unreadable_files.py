"""A file that is unsafe, damaged or not an export is refused as a whole, with a message that says why."""

import json
import re

import pytest

from imports.ghost import GhostExport
from imports.items import ImportFileError
from imports.tests import samples
from imports.wordpress import WordPressExport

XML_BOMB = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>&lol4;</title></channel></rss>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<wp:wxr_version>1.2</wp:wxr_version><item><title>&secret;</title></item></channel></rss>"""

RSS_FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>A feed</title>
<item><title>Not an export</title></item></channel></rss>"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (XML_BOMB, "declares XML entities"),
        (EXTERNAL_ENTITY, "declares XML entities"),
        (samples.wordpress_blog()[:3000], "truncated"),
        ("this is not xml at all", "not well-formed XML (line 1, column 0)"),
        ("<html><body>Hi</body></html>", "not a WordPress export"),
        (RSS_FEED, "not a WordPress export"),
        ("", "The file is empty"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_safe_whole_wordpress_export(wxr_file, text, message):
    with pytest.raises(ImportFileError, match=re.escape(message)):
        WordPressExport(wxr_file(text)).scan()


def test_it_refuses_an_unknown_wxr_version(wxr_file):
    with pytest.raises(ImportFileError, match=r"WXR version 2\.0 is not one"):
        WordPressExport(wxr_file(version="2.0")).scan()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (json.dumps(samples.ghost_blog())[:2000], "truncated"),
        ("<?xml version='1.0'?><rss/>", "not JSON"),
        ('{"posts": [{"title": "x"}]}', "not a Ghost export"),
        ("[1, 2, 3]", "not a Ghost export"),
        ("", "The file is empty"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_whole_ghost_export(tmp_path, text, message):
    path = tmp_path / "ghost.json"
    path.write_text(text)
    with pytest.raises(ImportFileError, match=message):
        GhostExport(path).scan()


def test_it_says_when_the_file_is_missing(tmp_path):
    with pytest.raises(ImportFileError, match="cannot be read"):
        WordPressExport(tmp_path / "nope.xml").scan()
    with pytest.raises(ImportFileError, match="cannot be read"):
        GhostExport(tmp_path / "nope.json").scan()
