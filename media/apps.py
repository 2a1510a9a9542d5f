from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    verbose_name = "Media library"

    def ready(self):
        from blogsite.jinja2 import add_globals

        from . import markup

        add_globals(picture=markup.picture, thumbnail=markup.thumbnail)
