import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts.models import Role, User


class Command(BaseCommand):
    help = "Create a user with a role; asks for the password, or reads DJANGO_USER_PASSWORD with --noinput."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--display-name", default="")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="Read the password from DJANGO_USER_PASSWORD instead of asking for it.",
        )  # fmt: skip

    def handle(self, *args, username, email, role, display_name, interactive, **options):
        user = User(username=username, email=email, role=role, display_name=display_name)
        self._check_fields(user)
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        password = self._ask_password() if interactive else os.environ.get("DJANGO_USER_PASSWORD")
        if not password:
            raise CommandError("No password: set DJANGO_USER_PASSWORD when using --noinput.")
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from error
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(f"Created {role} {username!r}."))

    def _check_fields(self, user):
        """The model's own rules (length, allowed characters), plus an e-mail address that must be there."""
        try:
            validate_email(user.email)
            user.clean_fields(exclude=["password"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

    def _ask_password(self):
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
