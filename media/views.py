from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from accounts import permissions
from blogsite import ratelimit
from blogsite.text import printable

from . import processing
from .forms import DescribeForm, UploadForm
from .models import STORED_NAME, Image, ImageInUse
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


# THE LIBRARY: where writers upload, describe, find and delete their images
# ------------------------------------------------------------------------------
IMAGES_PER_PAGE = 24


def _image_for_writer(request, image_id):
    """The image to work on: 404 unless the user may manage it (others' images stay unseen)."""
    image = get_object_or_404(Image.objects.visible_to(request.user).select_related("owner"), pk=image_id)
    if not permissions.can_manage_image(request.user, image):
        raise Http404("No such image.")
    return image


@login_required
def library(request):
    """The writer's images (editors see all), newest first, with a plain upload form."""
    if not permissions.can_upload(request.user):
        raise PermissionDenied("You may not upload images.")
    form, status = UploadForm(request.POST or None, request.FILES or None), 200
    if request.method == "POST":
        if wait := ratelimit.WRITES.hit(request.user.pk):
            response = render(request, "429.html", {"retry_after": wait}, status=429)
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            data = form.cleaned_data
            try:
                image = Image.objects.create_from_upload(
                    data["file"], request.user, alt=data["alt"], decorative=data["decorative"]
                )
            except processing.Refused as refused:
                form.add_error("file", refused.message)
                status = refused.status
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                messages.success(request, f"Added “{image.original_name}” to the library.")
                return redirect("media:library")
        else:
            status = 400
    query = printable(request.GET.get("q", "")).strip()[:200]
    images = Image.objects.visible_to(request.user).search(query).for_listing().prefetch_related("uses__post")
    page = Paginator(images, IMAGES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query}
    return render(request, "media/library.html", context, status=status)


@login_required
def image_edit(request, image_id):
    image = _image_for_writer(request, image_id)
    form = DescribeForm(request.POST or None, instance=image)
    if request.method == "POST" and form.is_valid():
        image.describe(alt=form.cleaned_data["alt"], decorative=form.cleaned_data["decorative"])
        messages.success(request, f"Saved the description of “{image.original_name}”.")
        return redirect("media:library")
    uses = image.uses.select_related("post")
    return render(request, "media/image_form.html", {"image": image, "form": form, "uses": uses})


@login_required
def image_delete(request, image_id):
    image = _image_for_writer(request, image_id)
    in_use = None
    if request.method == "POST":
        try:
            image.delete()
        except ImageInUse as error:
            in_use = error
        else:
            messages.success(request, f"Deleted “{image.original_name}”.")
            return redirect("media:library")
    context = {"image": image, "in_use": in_use, "uses": image.uses.select_related("post")}
    return render(request, "media/image_confirm_delete.html", context, status=409 if in_use else 200)
