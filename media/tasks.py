"""Background tasks of the media library, run by ``manage.py db_worker``.

Renditions are made here, not in the upload request: a writer's upload answers as soon as the
cleaned original is stored. A failed attempt is retried later (1, 4, 9 minutes apart); after the
last one the image is marked failed, with the reason, for editors to see in the library and the
admin, and the task result keeps the traceback.
"""

import logging
from datetime import timedelta

from django.apps import apps
from django.utils import timezone
from django_tasks import task

MAX_ATTEMPTS = 4

logger = logging.getLogger(__name__)


def retry_delay(attempt: int) -> timedelta:
    """Wait longer after each failure: 1, 4, 9 minutes."""
    return timedelta(minutes=attempt**2)


@task()
def make_renditions(*, image_id: int, attempt: int = 1):
    """Make one image's renditions; on failure queue a later attempt, up to ``MAX_ATTEMPTS``."""
    # Looked up by name: the model module queues this task, so it cannot be imported here.
    image = apps.get_model("media", "Image").objects.filter(pk=image_id).first()
    if image is None:
        return {"image": image_id, "done": False, "reason": "deleted"}
    image.attempts = attempt
    image.save(update_fields=["attempts"])
    try:
        image.make_renditions()
    except Exception as error:
        if attempt >= MAX_ATTEMPTS:
            image.status, image.error = image.Status.FAILED, f"{type(error).__name__}: {error}"[:1000]
            image.save(update_fields=["status", "error"])
            raise  # the task is kept as failed, with its traceback, for an operator to see
        logger.warning(
            "Renditions of image %s failed (attempt %d); retrying later", image_id, attempt, exc_info=True
        )
        retry = make_renditions
        if retry.get_backend().supports_defer:
            retry = retry.using(run_after=timezone.now() + retry_delay(attempt))
        retry.enqueue(image_id=image_id, attempt=attempt + 1)
        return {"image": image_id, "done": False, "attempt": attempt}
    return {"image": image_id, "done": True, "attempt": attempt}
