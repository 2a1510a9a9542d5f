from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Posts"

    def ready(self):
        from blogsite.jinja2 import add_globals

        from . import seo, signals

        signals.connect()
        add_globals(post_json_ld=seo.post_json_ld, website_json_ld=seo.website_json_ld)
