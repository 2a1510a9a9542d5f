"""The JSON API for the media library: list, upload, read, describe and delete images (see API.md)."""

from datetime import datetime
from typing import Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from ninja import Field, File, Form, Query, Router, UploadedFile
from ninja.responses import Status
from pydantic import ConfigDict

from accounts import permissions
from accounts.api import SIGNED_IN, UserRef, user_ref
from blogsite.api import NO_NUL, ApiError, Page, PageParams, Schema, absolute_uri, errors, paginate, text

from . import processing
from .models import MAX_ALT_LENGTH, Image, ImageInUse

router = Router(tags=["media"], auth=SIGNED_IN)


class RenditionOut(Schema):
    url: str
    width: int
    height: int
    content_type: str


class UploaderOut(UserRef):
    """The User shape of API.md: a writer's public profile."""

    bio: str
    post_count: int


class MediaOut(Schema):
    id: int
    url: str = Field(description="The cleaned original: immutable, cached for a year.")
    alt: str
    decorative: bool
    width: int
    height: int
    content_type: str
    bytes: int
    status: Literal["processing", "ready", "failed"]
    renditions: list[RenditionOut]
    used_by: list[int] = Field(description="Ids of the posts that use the image.")
    uploaded_by: UploaderOut
    created_at: datetime


class MediaFilters(PageParams):
    q: str = Field(None, max_length=200, pattern=NO_NUL, description="File name or description.")
    unused: bool = Field(False, description="Only images no post uses.")


class MediaPatchIn(Schema):
    model_config = ConfigDict(extra="forbid")
    alt: text(MAX_ALT_LENGTH, strip=True) = None
    decorative: bool = None


def public_post_counts(users) -> dict[int, int]:
    """Each uploader's number of public posts, in one query (the posts app counts them)."""
    posts = get_user_model()._meta.get_field("posts").related_model.objects.public()
    rows = posts.filter(author__in=users).values("author").annotate(n=Count("id"))
    return {row["author"]: row["n"] for row in rows}


def media_data(request, image, post_counts, *, owner=None, used_by=None) -> dict:
    """An image as the API shows it. A list may give what it read once for all its page's images:
    the uploader (a ``User``, or anything with its public fields) and the using posts; the
    renditions are the image's, read with it (prefetched)."""
    owner = image.owner if owner is None else owner
    used_by = image.used_by_post_ids() if used_by is None else used_by
    return {
        "id": image.pk,
        "url": absolute_uri(request, image.get_absolute_url()),
        "alt": image.alt,
        "decorative": image.decorative,
        "width": image.width,
        "height": image.height,
        "content_type": image.content_type,
        "bytes": image.bytes,
        "status": image.status,
        "renditions": [
            {
                "url": absolute_uri(request, r.get_absolute_url()),
                "width": r.width,
                "height": r.height,
                "content_type": r.content_type,
            }
            for r in image.renditions.all()
        ],
        "used_by": used_by,
        "uploaded_by": user_ref(request, owner)
        | {"bio": owner.bio, "post_count": post_counts.get(owner.pk, 0)},
        "created_at": image.created_at,
    }


def _one(request, image) -> dict:
    return media_data(request, image, public_post_counts([image.owner_id]))


def _image_for(request, image_id: int) -> Image:
    """The image if the caller may see it (its uploader, editors); 404 otherwise."""
    image = Image.objects.visible_to(request.auth).for_listing().filter(pk=image_id).first()
    if image is None:
        raise ApiError(404, f"No image with id {image_id}.")
    return image


@router.get("/media", auth=SIGNED_IN, response={200: Page[MediaOut], **errors(400, 401, 429)})
def api_media_list(request, filters: Query[MediaFilters]):
    """The caller's images (every image, for editors), newest first."""
    images = Image.objects.visible_to(request.auth).for_listing()
    if filters.q:
        images = images.search(filters.q)
    if filters.unused:
        images = images.unused()
    page = paginate(request, images, filters, lambda image: image)
    counts = public_post_counts({image.owner_id for image in page["results"]})
    page["results"] = [media_data(request, image, counts) for image in page["results"]]
    return page


UPLOAD_ERRORS = (400, 401, 403, 413, 415, 429)


@router.post(
    "/media", auth=SIGNED_IN, response={201: MediaOut, **errors(*UPLOAD_ERRORS)}, url_name="media_upload"
)
def api_media_create(
    request,
    response: HttpResponse,
    file: File[UploadedFile],
    alt: Form[str] = "",
    decorative: Form[bool] = False,
):
    """Upload an image (multipart/form-data); it is cleaned at once, its renditions follow."""
    if not permissions.can_upload(request.auth):
        raise PermissionDenied("You may not upload images.")
    try:
        image = Image.objects.create_from_upload(file, request.auth, alt=alt, decorative=decorative)
    except processing.Refused as refused:
        raise ApiError(refused.status, refused.message, errors={"file": [refused.message]}) from None
    response["Location"] = f"/api/media/{image.pk}"
    return Status(201, _one(request, _image_for(request, image.pk)))


@router.get("/media/{int:image_id}", auth=SIGNED_IN, response={200: MediaOut, **errors(401, 404, 429)})
def api_media_detail(request, image_id: int):
    return _one(request, _image_for(request, image_id))


@router.patch(
    "/media/{int:image_id}",
    auth=SIGNED_IN,
    response={200: MediaOut, **errors(400, 401, 403, 404, 413, 415, 429)},
)
def api_media_update(request, image_id: int, changes: MediaPatchIn):
    """Change the description, or whether the image is decorative."""
    image = _image_for(request, image_id)
    if not permissions.can_manage_image(request.auth, image):
        raise PermissionDenied("You may not change this image.")
    image.describe(**changes.model_dump(exclude_unset=True))
    return _one(request, _image_for(request, image_id))


@router.delete(
    "/media/{int:image_id}", auth=SIGNED_IN, response={204: None, **errors(401, 403, 404, 409, 429)}
)
def api_media_delete(request, image_id: int):
    """Delete an image and its files; refused (409) while a post uses it."""
    image = _image_for(request, image_id)
    if not permissions.can_manage_image(request.auth, image):
        raise PermissionDenied("You may not delete this image.")
    try:
        image.delete()
    except ImageInUse as in_use:
        raise ApiError(409, str(in_use)) from None
    return Status(204, None)
