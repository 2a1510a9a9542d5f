from imports.wordpress import WordPressExport

from ._import import ImportCommand


class Command(ImportCommand):
    help = "Import a WordPress export (Tools → Export, WXR 1.0 to 1.2): posts, pages, authors, tags."
    reader_class = WordPressExport
    file_help = "the WXR file WordPress's Tools → Export wrote"
