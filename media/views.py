from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from .models import STORED_NAME
from .processing import FORMATS

CONTENT_TYPES = {extension: content_type for content_type, extension in FORMATS.values()}
A_YEAR = 60 * 60 * 24 * 365


@require_safe
def media_file(request, name):
    """A stored image or rendition, from whichever storage holds it; its name never changes, nor its bytes.

    Only names we gave (a content hash and our own extension) are served, each with the type of
    what we encoded, so no other file in the storage can be reached through this address.
    """
    if not STORED_NAME.match(name) or not default_storage.exists(name):
        raise Http404("No such image.")
    response = FileResponse(
        default_storage.open(name, "rb"), content_type=CONTENT_TYPES[name.rsplit(".", 1)[1]]
    )
    response["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
