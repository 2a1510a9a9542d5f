"""Renditions are made by the background worker; a failure is retried, then shown to editors."""

import pytest
from django.core.files.storage import default_storage
from django.db import models

from media.models import Image, prefetch_renditions
from media.tasks import MAX_ATTEMPTS

from . import images

pytestmark = pytest.mark.django_db
QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_it_answers_the_upload_before_the_renditions_exist_and_pages_use_the_clean_original(
    settings, author, make_post
):
    settings.TASKS = QUEUED  # no worker runs: the task waits in the database
    image = Image.objects.create_from_upload(images.upload(images.jpeg(1200, 900)), author, alt="Queued")
    assert image.status == Image.Status.PROCESSING and not image.renditions.exists()
    post = make_post(author, body=f"![Queued]({image.get_absolute_url()})")
    assert f'src="{image.get_absolute_url()}"' in post.body_html and "srcset" not in post.body_html

    settings.TASKS = IMMEDIATE
    image.queue_renditions()  # what the worker does with the queued task

    image.refresh_from_db()
    post.refresh_from_db()
    assert image.status == Image.Status.READY and image.renditions.count() == 4
    assert "srcset" in post.body_html and 'type="image/webp"' in post.body_html  # the post was rendered again


def test_it_retries_a_failed_job_and_then_marks_the_image_failed_for_editors(settings, author):
    settings.TASKS = QUEUED
    image = Image.objects.create_from_upload(images.upload(images.jpeg(1200, 900)), author, alt="Lost")
    default_storage.delete(image.file.name)  # the storage lost the file before the worker came

    settings.TASKS = IMMEDIATE
    image.queue_renditions()

    image.refresh_from_db()
    assert image.status == Image.Status.FAILED
    assert image.attempts == MAX_ATTEMPTS
    assert "FileNotFoundError" in image.error


def shown(image) -> list[tuple]:
    return [(r.pk, r.content_type, r.width, r.file.name, r.bytes) for r in image.renditions.all()]


def test_a_pages_images_get_their_renditions_in_one_query_as_the_orms_prefetch_gives_them(
    author, django_assert_num_queries
):
    wide = Image.objects.create_from_upload(images.upload(images.jpeg(2000, 1000)), author, alt="Wide")
    tall = Image.objects.create_from_upload(images.upload(images.png(900, 1600)), author, alt="Tall")
    bare = Image.objects.create_from_upload(images.upload(images.jpeg(200, 100)), author, alt="Small")
    expected = [Image.objects.get(pk=image.pk) for image in (wide, tall, bare, wide)]
    models.prefetch_related_objects(expected, "renditions")
    read = [Image.objects.get(pk=image.pk) for image in (wide, tall, bare)]
    read.append(read[0])
    with django_assert_num_queries(1):
        prefetch_renditions(read, "default")
        got = [shown(image) for image in read]
    assert got == [shown(image) for image in expected]
    assert got[0] and got[1] and got[2] == []
    with django_assert_num_queries(0):
        prefetch_renditions(read, "default")  # read already
    # A query built on them is still the image's own.
    assert set(read[0].renditions.filter(width__gt=0).values_list("image_id", flat=True)) == {wide.pk}
