from django.conf import settings


def site(request):
    """The blog's name, for every template's header and <title>."""
    return {"SITE_NAME": settings.SITE_NAME}
