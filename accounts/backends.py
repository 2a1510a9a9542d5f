from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with the username or the e-mail address (the API's login and the sign-in page alike)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        users = get_user_model().objects
        if username and "@" in username and not users.filter(username=username).exists():
            matches = list(users.filter(email__iexact=username)[:2])
            if len(matches) == 1:  # an address shared by two accounts names neither
                username = matches[0].username
        return super().authenticate(request, username=username, password=password, **kwargs)
