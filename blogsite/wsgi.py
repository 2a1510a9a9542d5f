"""WSGI entry point: gunicorn serves ``blogsite.wsgi:application``.

Cached pages are answered in front of Django's handler (``blogsite/pagefront.py``).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")

django_application = get_wsgi_application()

from blogsite.pagefront import PageCacheFront  # noqa: E402 - its modules read the settings Django set up

application = PageCacheFront(django_application)
