"""The bare-Django floor: a project that only answers a constant 5 KB page.

Served by the same gunicorn, settings file and worker count as the site
(``bench/run`` starts it with ``DJANGO_SETTINGS_MODULE=bench.floor.settings``), it is
what Django itself costs here: every page of the site is compared with it.
"""
