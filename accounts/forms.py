from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UserCreationForm
from django.urls import reverse

from blogsite.mail import send_email
from blogsite.text import LineInput

from . import backends
from .models import Role, User


class RateLimitedAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing to check passwords once a username or address failed too often.

    The message is the same whether or not the username exists, so the form does not tell
    which accounts there are.
    """

    error_messages = AuthenticationForm.error_messages | {
        "rate_limited": "Too many failed sign-in attempts. Try again in %(minutes)s minutes.",
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if wait := backends.login_blocked_for(self.request, username):
            self.rate_limited = True
            raise forms.ValidationError(
                self.error_messages["rate_limited"],
                code="rate_limited",
                params={"minutes": max(1, round(wait / 60))},
            )
        try:
            return super().clean()
        except forms.ValidationError:
            backends.note_failed_login(self.request, username)
            raise


class EmailThroughOurSenderPasswordResetForm(PasswordResetForm):
    """Password reset e-mails are our ``emails/password_reset`` message, queued like every other e-mail."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        path = reverse("accounts:password_reset_confirm", args=[context["uid"], context["token"]])
        link = f"{context['protocol']}://{context['domain']}{path}"
        send_email(to=[to_email], name="password_reset", context={"user": context["user"], "link": link})


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
    """What a writer says about themselves on their author page."""

    class Meta:
        model = User
        fields = ["display_name", "bio", "email"]
        help_texts = {
            "display_name": "The name readers see. Leave empty to show your username.",
            "bio": "A few lines for your author page.",
            "email": "For password resets and review notices; never shown to readers.",
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 5}), "display_name": LineInput}

    def clean_email(self):
        """One account per address, so a password reset always reaches the right person."""
        email = self.cleaned_data["email"]
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another account already uses this e-mail address.")
        return email
