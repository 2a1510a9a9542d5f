from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from blogsite.ratelimit import PASSWORD_RESETS, client_ip

from . import backends
from .forms import (
    PasswordResetRequestForm,
    ProfileForm,
    RateLimitedAuthenticationForm,
    RateLimitedPasswordChangeForm,
    SignupForm,
)


class LoginView(auth_views.LoginView):
    """Django's sign-in (it rotates the session key and only follows ``?next=`` within the site),
    answering 429 when the sign-in limit refused the attempt (accounts/backends.py)."""

    form_class = RateLimitedAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"BLOG_OPEN_SIGNUP": settings.BLOG_OPEN_SIGNUP}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "rate_limited", False):
            response.status_code = 429
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; guesses at the old password count against the sign-in limit (429 past it)."""

    form_class = RateLimitedPasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"request": self.request}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.rate_limited:
            response.status_code = 429
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, up to ``BLOG_PASSWORD_RESETS`` per address in the window (then a
    429 with the form); the per-account limit is in the form, and says nothing."""

    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        if wait := PASSWORD_RESETS.hit(f"ip:{client_ip(self.request)}"):
            minutes = max(1, round(wait / 60))
            form.add_error(
                None, f"Too many reset requests from your network. Try again in {minutes} minutes."
            )
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(wait)
            return response
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A reset link signs its holder in to a new password: each check of one counts against
    the sign-in limit of its account and address, before the token is checked."""

    success_url = reverse_lazy("accounts:password_reset_complete")

    def dispatch(self, *args, **kwargs):
        account = self.get_user(kwargs["uidb64"])
        try:
            attempt = backends.count_attempt(self.request, account=account, identifier=kwargs["uidb64"])
        except backends.SignInBlocked as blocked:
            response = render(self.request, "429.html", {"retry_after": blocked.retry_after}, status=429)
            response["Retry-After"] = str(blocked.retry_after)
            return response
        response = super().dispatch(*args, **kwargs)
        # A good link either shows the form (validlink) or, the first time, redirects to it.
        if self.validlink or response.status_code == 302:
            attempt.succeeded()
        return response


def signup(request):
    """Open sign-up, when the site allows it: the new account is a contributor, signed in at once."""
    if not settings.BLOG_OPEN_SIGNUP:
        raise Http404("Sign-up is closed on this site.")
    if request.user.is_authenticated:
        return redirect("posts:dashboard")
    form = SignupForm(request.POST or None)
    if form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome! Your account is ready: write your first draft.")
        return redirect("posts:dashboard")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user, request=request)
    if form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})
