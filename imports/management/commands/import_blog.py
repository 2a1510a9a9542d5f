from imports.blogsite_reader import BlogsiteExport
from imports.services import import_export_file

from ._import import ImportCommand


class Command(ImportCommand):
    help = "Import a Blogsite export (export_blog): users, tags, posts and their revisions."
    reader_class = BlogsiteExport
    file_help = "the JSON file export_blog wrote"
    import_function = staticmethod(import_export_file)
    takes_media = False
