from django.apps import AppConfig


class BlogsiteConfig(AppConfig):
    """The project package as an app, only so that its system checks are registered."""

    name = "blogsite"
    verbose_name = "Blogsite"

    def ready(self):
        from . import checks  # noqa: F401  (registers the checks, as Django requires at app loading)
