"""Renditions are made by the background worker; a failure is retried, then shown to editors."""

import pytest
from django.core.files.storage import default_storage

from media.models import Image
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
