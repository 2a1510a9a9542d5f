"""Blogsite settings: one module, every difference between machines an environment variable.

The variables are listed in README.md and `.env.example`. Without any of them set, the
site runs on SQLite with an in-process cache, so a newcomer needs nothing else.
"""

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from blogsite.links import cached_reverse

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY: it is required when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
SITE_NAME = env.str("SITE_NAME", default="Blogsite")
SITE_URL = env.str("SITE_URL", default="").rstrip("/")

TIME_ZONE = env.str("TIME_ZONE", default="UTC")
LANGUAGE_CODE = "en"
USE_I18N = True
USE_TZ = True

# The benchmark mounts its floor view with its own URLconf; the site always uses ours.
ROOT_URLCONF = env.str("ROOT_URLCONF", default="blogsite.urls")
WSGI_APPLICATION = "blogsite.wsgi.application"
# A writer's public page is the posts app's author page: the User model (accounts, a floor
# below posts) names no page of posts itself.
ABSOLUTE_URL_OVERRIDES = {"accounts.user": lambda user: cached_reverse("posts:author", user.username)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# APPS
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # full-text search (posts/search.py); harmless on SQLite
    "django.contrib.sitemaps",  # /sitemap.xml (posts/sitemaps.py)
    "corsheaders",
    "ninja",  # the JSON API; listed so its docs page uses the bundled Swagger UI files
    "csp",
    "django_tasks",
    "django_tasks_db",
    "blogsite",  # only for its system checks (blogsite/checks.py)
    "accounts",
    "media",
    "posts",
    "imports",
]

MIDDLEWARE = [
    # Outermost: every request, cache hits and probes included, gets an id and one log line.
    "blogsite.logs.RequestLogMiddleware",
    # Probes answer before host checks and HTTPS redirects, as load balancers expect.
    "blogsite.health.HealthCheckMiddleware",
    # Before the page cache: cached API reads get the CORS headers of each caller's origin.
    "corsheaders.middleware.CorsMiddleware",
    # Cache hits are served here, before any session, auth, CSRF or template work.
    "blogsite.pagecache.PageCacheMiddleware",
    "blogsite.text.drop_control_characters_from_pages_middleware",
    "django.middleware.security.SecurityMiddleware",
    "blogsite.content_security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "blogsite.api.problem_details_middleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "blogsite.text.refuse_control_characters_middleware",
    # Links made while a view runs read its URLconf and script prefix once (blogsite/links.py).
    "blogsite.links.RequestLinksMiddleware",
    # Innermost: an imported blog's old addresses are looked up only where the site answers 404.
    "imports.middleware.OldLinkFallbackMiddleware",
]

# DATABASES
# ------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, reading timestamps with psycopg's compiled loader (docs/decisions/0096).
    DATABASES["default"]["ENGINE"] = "blogsite.database"
    # Persistent connections, checked before reuse: with gunicorn's sync workers each
    # process holds one connection, so a pool adds nothing but another moving part.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DATABASE_CONNECT_TIMEOUT", default=3
    )
    # A blog's data sits in memory: with PostgreSQL's default (4, for spinning disks) the
    # planner reads every post's search vector rather than use the search index (bench/run).
    _page_cost = f"-c random_page_cost={env.float('DATABASE_RANDOM_PAGE_COST', default=1.1)}"
    _options = DATABASES["default"]["OPTIONS"]
    _options["options"] = f"{_options.get('options', '')} {_page_cost}".strip()
    # Statements a worker runs again and again prepared once and planned no more: planning is
    # most of PostgreSQL's time on an uncached page (docs/decisions/0091). Off behind a pooler
    # that cannot keep a session's prepared statements (PgBouncer's transaction mode before 1.21).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        from blogsite.database import PreparingCursor

        _options["server_side_binding"] = True
        _options["cursor_factory"] = PreparingCursor
        _options["prepare_threshold"] = 5  # psycopg's own: a statement is prepared on its sixth run

# CACHES
# ------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "blogsite.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="blogsite"),
            # A Redis that stops answering costs a request at most this long, never a hung worker.
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_TIMEOUT", default=1.0),
                "socket_timeout": env.float("REDIS_TIMEOUT", default=1.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The benchmark measures pages with no cache at all (bench/run); never useful in production.
if env.bool("CACHE_DISABLED", default=False):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# Sessions are read from the cache and written through to the database, so a cache flush
# never signs anyone out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Anonymous pages and public API reads (blogsite/pagecache.py): the longest a page is kept, in seconds.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# Shared caches in front (Varnish, a CDN) may serve a page this long past its time while they
# fetch a fresh one, or while the site cannot answer (Cache-Control, RFC 5861).
PAGE_CACHE_STALE_WHILE_REVALIDATE = env.int("PAGE_CACHE_STALE_WHILE_REVALIDATE", default=30)
PAGE_CACHE_STALE_IF_ERROR = env.int("PAGE_CACHE_STALE_IF_ERROR", default=60 * 60 * 24)
# Where to purge changed pages by surrogate key (blogsite/purgers.py, deploy/varnish/blogsite.vcl),
# e.g. "http://127.0.0.1:6081"; several, comma-separated. Unset: no shared cache to purge.
SHARED_CACHE_PURGE_URLS = env.list("SHARED_CACHE_PURGE_URLS", default=[])
if bad_urls := [url for url in SHARED_CACHE_PURGE_URLS if not url.startswith(("http://", "https://"))]:
    raise ImproperlyConfigured(
        f"SHARED_CACHE_PURGE_URLS takes http:// or https:// URLs, not {bad_urls[0]!r}."
    )
# A class with one method, purge(keys) (blogsite/purgers.py): Varnish by default, a CDN's API otherwise.
SHARED_CACHE_PURGER = env.str("SHARED_CACHE_PURGER", default="blogsite.purgers.VarnishPurger")

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.UsernameOrEmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "posts:dashboard"  # writers sign in to write
LOGOUT_REDIRECT_URL = "/"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# TEMPLATES
# ------------------------------------------------------------------------------
TEMPLATES = [
    # The site's pages, e-mails and error pages: Jinja2, compiled to Python (blogsite/jinja2.py,
    # docs/decisions/0063), autoescaped as Django's are.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "blogsite.jinja2.environment",
            "context_processors": [
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "blogsite.context_processors.site",
                "blogsite.context_processors.links",
                "posts.navigation.context",
            ],
        },
    },
    # Django's template language, for the admin's own templates.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
# A refused value comes back into its one-line <input> without line breaks (blogsite/text.py).
FORM_RENDERER = "blogsite.text.OneLineInputsRenderer"

# STATIC FILES
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# MEDIA (uploaded images: media/models.py, docs/decisions/0040-media-library.md)
# ------------------------------------------------------------------------------
# Served by the site itself at /media/ (media/views.py) from whichever storage holds them.
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "uploads")
# Object storage (any S3-compatible service, through django-storages) when a bucket is named;
# the site and every worker must then share it. Without one, files under MEDIA_ROOT.
MEDIA_S3_BUCKET = env.str("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env.str("MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("MEDIA_S3_REGION", default="") or None,
            # Unset: boto3 finds credentials itself (instance role, ~/.aws, AWS_* variables).
            "access_key": env.str("MEDIA_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("MEDIA_S3_PREFIX", default=""),
            "file_overwrite": False,
            "default_acl": None,  # private objects: readers get them through /media/
            "querystring_auth": False,
        },
    }
# Largest upload (413 above it), largest image in pixels (400: decompression bombs, and the
# worker's memory), and each writer's total storage (413 past it).
BLOG_MEDIA_MAX_BYTES = env.int("BLOG_MEDIA_MAX_BYTES", default=10 * 1024 * 1024)
# 30 megapixels keeps the worker under 400 MB on the worst case, an RGBA PNG (bench/images.py).
BLOG_MEDIA_MAX_PIXELS = env.int("BLOG_MEDIA_MAX_PIXELS", default=30_000_000)
BLOG_MEDIA_QUOTA_MB = env.int("BLOG_MEDIA_QUOTA_MB", default=500)
# The images an admin uploads with a dashboard import, as one zip: the largest archive, and the
# most it may unpack to.
BLOG_IMPORT_MEDIA_MAX_BYTES = env.int("BLOG_IMPORT_MEDIA_MAX_BYTES", default=2 * 1024 * 1024 * 1024)
# Every upload goes to a temporary file as it arrives, never whole into memory.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
# Before `collectstatic` has run (development, tests), fall back to unhashed names.
WHITENOISE_MANIFEST_STRICT = False

# SECURITY
# ------------------------------------------------------------------------------
# Headers that are right on every deployment.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the editor's scripts read it for fetch() requests
# Settings that need HTTPS in front of the site: switched on together by the deployer.
SECURE_HTTPS = env.bool("SECURE_HTTPS", default=False)
if SECURE_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Probes come from inside the network, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Content-Security-Policy (django-csp): everything from our own origin, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Writers link images by URL (there is no upload), so images may come from any HTTPS
        # host unless the operator narrows it, e.g. CSP_IMAGE_SOURCES="'self',data:".
        "img-src": env.list("CSP_IMAGE_SOURCES", default=["'self'", "data:", "https:"]),
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# EMAIL
# ------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="blogsite@localhost")

# BACKGROUND TASKS
# ------------------------------------------------------------------------------
# django-tasks with its database backend: the queue lives in PostgreSQL, so no extra server
# is needed and a queued task survives restarts. `manage.py db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# LOGGING
# ------------------------------------------------------------------------------
# One JSON object per line on stdout (blogsite/logs.py), with the request id on every line.
# A web server writes its lines out together, within this many seconds (warnings at once):
# gunicorn.conf.py sets it. 0 writes each line at once, so a command's own output and its log
# lines keep their order.
LOG_BATCH_SECONDS = env.float("LOG_BATCH_SECONDS", default=0)
_BATCHED = {"class": "blogsite.logs.BatchedStreamHandler", "interval": LOG_BATCH_SECONDS}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "blogsite.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            **(_BATCHED if LOG_BATCH_SECONDS > 0 else {"class": "logging.StreamHandler"}),
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Our request log already has a line for every 4xx; keep Django's for 5xx tracebacks.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
    },
}

# BLOG
# ------------------------------------------------------------------------------
BLOG_OPEN_SIGNUP = env.bool("BLOG_OPEN_SIGNUP", default=False)
BLOG_POSTS_PER_PAGE = 10
# Posts in each feed, each with its full text: WordPress's default too. Every reader's app
# fetches the whole feed on every poll, so twenty 1,500-word posts made a 430 KB answer.
BLOG_FEED_LENGTH = env.int("BLOG_FEED_LENGTH", default=10)
if BLOG_FEED_LENGTH < 1:
    raise ImproperlyConfigured("Set BLOG_FEED_LENGTH to 1 or more: it is the number of posts in a feed.")
# Rate limits (see blogsite/ratelimit.py): sign-in attempts per account and per address.
BLOG_LOGIN_ATTEMPTS = env.int("BLOG_LOGIN_ATTEMPTS", default=5)
BLOG_LOGIN_WINDOW_SECONDS = env.int("BLOG_LOGIN_WINDOW_SECONDS", default=15 * 60)
# Password reset requests per account (silently) and per address (a 429), in each window.
BLOG_PASSWORD_RESETS = env.int("BLOG_PASSWORD_RESETS", default=5)
BLOG_PASSWORD_RESET_WINDOW_SECONDS = env.int("BLOG_PASSWORD_RESET_WINDOW_SECONDS", default=60 * 60)
BLOG_WRITES_PER_MINUTE = env.int("BLOG_WRITES_PER_MINUTE", default=60)
BLOG_ANONYMOUS_READS_PER_MINUTE = env.int("BLOG_ANONYMOUS_READS_PER_MINUTE", default=600)
# The editor page saves a draft after this many milliseconds without typing (tests shorten it).
# How many new tags a writer below editor may create in 24 hours (every tag is listed on /tags/).
BLOG_NEW_TAGS_PER_DAY = env.int("BLOG_NEW_TAGS_PER_DAY", default=10)
if BLOG_NEW_TAGS_PER_DAY < 0:
    raise ImproperlyConfigured("Set BLOG_NEW_TAGS_PER_DAY to 0 or more: 0 lets only editors create tags.")

BLOG_AUTOSAVE_IDLE_MS = env.int("BLOG_AUTOSAVE_IDLE_MS", default=3000)

# JSON API
# ------------------------------------------------------------------------------
# Where the API is mounted: every URL, rule and middleware that is about the API reads it here.
API_PREFIX = "/api/"
BLOG_API_TOKEN_SECONDS = env.int("BLOG_API_TOKEN_SECONDS", default=60 * 60)
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = rf"^{re.escape(API_PREFIX)}.*$"
CORS_ALLOW_HEADERS = ["accept", "authorization", "content-type", "if-match", "if-none-match", "x-csrftoken"]
CORS_EXPOSE_HEADERS = ["etag", "location", "retry-after"]
