from django import forms
from django.contrib.admin import forms as admin_forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    UserCreationForm,
)

from blogsite.mail import send_email
from blogsite.ratelimit import PASSWORD_RESETS

from . import backends, tasks
from .models import Role, User


class SignInLimitMessage:
    """Says so when the sign-in limit (accounts/backends.py) refused the attempt unchecked.

    The message is the same whether or not the account exists, so the form does not tell
    which accounts there are.
    """

    rate_limited = False

    def get_invalid_login_error(self):
        if wait := backends.sign_in_blocked_for(self.request):
            self.rate_limited = True
            return forms.ValidationError(
                "Too many failed sign-in attempts. Try again in %(minutes)s minutes.",
                code="rate_limited",
                params={"minutes": max(1, round(wait / 60))},
            )
        return super().get_invalid_login_error()


def current_password_error(request, user, password: str) -> str | None:
    """Why ``password`` is not ``user``'s current one, or None when it is.

    Checked as a sign-in (``authenticate``), so every guess counts against the one sign-in
    limit of the account and the address (accounts/backends.py): a borrowed session gives no
    unlimited guesses at the password.
    """
    if authenticate(request, username=user.get_username(), password=password or "") is not None:
        return None
    if wait := backends.sign_in_blocked_for(request):
        return f"Too many failed attempts. Try again in {max(1, round(wait / 60))} minutes."
    return ""


class RateLimitedAuthenticationForm(SignInLimitMessage, AuthenticationForm):
    """Django's sign-in form, within the sign-in limit."""


class AdminAuthenticationForm(SignInLimitMessage, admin_forms.AdminAuthenticationForm):
    """The admin's sign-in form, within the same limit (the limit itself is in the backend)."""


class PasswordResetRequestForm(PasswordResetForm):
    """Queues a reset e-mail for each account of the address, up to ``BLOG_PASSWORD_RESETS`` per
    account in the window; past it, nothing is sent and the answer is the same, so it never
    tells whether an account exists. The task makes the link when it runs (accounts/tasks.py)."""

    def save(self, *args, **kwargs):
        for user in self.get_users(self.cleaned_data["email"]):
            if not PASSWORD_RESETS.hit(f"user:{user.pk}"):
                tasks.send_password_reset.enqueue(user_id=user.pk)


class SignupForm(UserCreationForm):
    """Open sign-up: anyone may become a contributor, whose posts go live only through review."""

    email = forms.EmailField(help_text="For password resets; never shown to readers.")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email", "display_name"]

    def clean_email(self):
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail address already exists.")
        return email

    def save(self, commit=True):
        user = super().save(commit=False)
        user.role = Role.CONTRIBUTOR
        if commit:
            user.save()
        return user


class ProfileForm(forms.ModelForm):
    """What a writer says about themselves on their author page, and their e-mail address.

    Changing the address asks for the current password (checked within the sign-in limit: a
    borrowed session must not be enough to take the account over through a password reset),
    and tells the old address.
    """

    current_password = forms.CharField(
        label="Current password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Needed only to change your e-mail address.",
    )

    class Meta:
        model = User
        fields = ["display_name", "bio", "email"]
        help_texts = {
            "display_name": "The name readers see. Leave empty to show your username.",
            "bio": "A few lines for your author page.",
            "email": "For password resets and review notices; never shown to readers.",
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_email(self):
        """One account per address, so a password reset always reaches the right person."""
        email = self.cleaned_data["email"]
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another account already uses this e-mail address.")
        return email

    def clean(self):
        cleaned = super().clean()
        if "email" in self.changed_data:
            error = current_password_error(self.request, self.instance, cleaned.get("current_password"))
            if error is not None:
                message = error or "Enter your current password to change your e-mail address."
                self.add_error("current_password", message)
        return cleaned

    def save(self, commit=True):
        old_email = self.initial.get("email", "")
        user = super().save(commit)
        if "email" in self.changed_data and old_email:
            send_email(to=[old_email], name="email_changed", context={"user": user, "new_email": user.email})
        return user


class RateLimitedPasswordChangeForm(PasswordChangeForm):
    """Django's password change, its old password checked within the sign-in limit."""

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.rate_limited = False

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        error = current_password_error(self.request, self.user, old_password)
        if error is None:
            return old_password
        self.rate_limited = bool(error)
        raise forms.ValidationError(
            error or self.error_messages["password_incorrect"], code="password_incorrect"
        )
