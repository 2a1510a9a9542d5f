from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from media.models import Image

from . import images

pytestmark = pytest.mark.django_db


def prune(*args):
    out = StringIO()
    call_command("prune_media", *args, stdout=out)
    return out.getvalue()


def test_it_lists_images_unused_for_the_given_days_and_deletes_them_only_when_told(author, make_post):
    old = Image.objects.create_from_upload(
        images.upload(images.jpeg(700, 500), name="old.jpg"), author, alt="Old"
    )
    Image.objects.create_from_upload(images.upload(images.jpeg(30, 20), name="new.jpg"), author, alt="New")
    used = Image.objects.create_from_upload(images.upload(images.png(), name="used.png"), author, alt="Used")
    post = make_post(author, body=f"![Used]({used.get_absolute_url()})")
    Image.objects.filter(pk__in=[old.pk, used.pk]).update(created_at=timezone.now() - timedelta(days=40))
    Image.objects.filter(pk=used.pk).update(last_used_at=timezone.now() - timedelta(days=40))
    assert post.image_uses.get().image == used

    listed = prune("--days", "30")
    assert "old.jpg" in listed and "new.jpg" not in listed and "used.png" not in listed
    assert "Would delete" in listed
    assert Image.objects.count() == 3

    report = prune("--days", "30", "--delete")
    assert "Deleted: 1 image(s)" in report
    assert list(Image.objects.order_by("pk").values_list("original_name", flat=True)) == [
        "new.jpg",
        "used.png",
    ]
    assert not default_storage.exists(old.file.name)


def test_it_counts_idle_days_from_when_a_post_stopped_using_the_image(author, make_post):
    image = Image.objects.create_from_upload(images.upload(images.jpeg()), author, alt="Once used")
    Image.objects.filter(pk=image.pk).update(created_at=timezone.now() - timedelta(days=90))
    post = make_post(author, body=f"![x]({image.get_absolute_url()})")
    post.body = "No picture any more."
    post.save()

    assert "--delete): 0 image(s)" in prune("--days", "30")
    assert "--delete): 1 image(s)" in prune("--days", "0")


def test_it_refuses_negative_days():
    with pytest.raises(CommandError):
        prune("--days", "-1")


def test_it_counts_idle_days_from_when_the_post_using_the_image_was_deleted(author, make_post):
    image = Image.objects.create_from_upload(images.upload(images.jpeg()), author, alt="Orphaned")
    post = make_post(author, body=f"![x]({image.get_absolute_url()})")
    Image.objects.filter(pk=image.pk).update(
        created_at=timezone.now() - timedelta(days=90), last_used_at=timezone.now() - timedelta(days=90)
    )
    post.delete()

    assert "--delete): 0 image(s)" in prune("--days", "30")
