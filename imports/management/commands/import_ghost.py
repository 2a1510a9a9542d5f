from imports.ghost import GhostExport

from ._import import ImportCommand


class Command(ImportCommand):
    help = "Import a Ghost export (Settings → Labs → Export, Ghost 2 to 5): posts, pages, authors, tags."
    reader_class = GhostExport
    file_help = "the JSON file Ghost's export wrote"
