"""Settings of the bare floor: no database, no apps, only ``CommonMiddleware``."""

import os

SECRET_KEY = os.environ.get("SECRET_KEY", "bench-floor-has-no-secrets")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.floor.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES: dict = {}
USE_TZ = True
