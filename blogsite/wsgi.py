"""WSGI entry point: gunicorn serves ``blogsite.wsgi:application``.

Cached pages are answered in front of Django's handler (``blogsite/pagefront.py``), which
looks each address's view up once (``blogsite/handler.py``).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")

django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application() does

from blogsite.handler import WSGIHandler  # noqa: E402 - Django's handler reads the settings

django_application = WSGIHandler()

from blogsite.pagefront import PageCacheFront  # noqa: E402 - its modules read the settings Django set up

application = PageCacheFront(django_application)
