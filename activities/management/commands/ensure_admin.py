import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

USERNAME = "admin"


class Command(BaseCommand):
    help = "Make sure a local admin login exists; --reset gives it a new random password."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Set a new random password and print it.")
        parser.add_argument(
            "--site", default="http://127.0.0.1:8000", help="Where the site is served, for the admin link it prints."
        )

    def handle(self, *args, reset, site, **options):
        admin_url = f"{site.rstrip('/')}/admin/"
        User = get_user_model()
        user = User.objects.filter(username=USERNAME).first()
        if user is not None and not reset:
            self.stdout.write(
                f"Admin login: user '{USERNAME}' at {admin_url} (forgot the password? run `make admin-password`)."
            )
            return
        password = secrets.token_urlsafe(12)
        if user is None:
            User.objects.create_superuser(USERNAME, email="", password=password)
        else:
            user.set_password(password)
            user.is_active = user.is_staff = user.is_superuser = True
            user.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin login: user '{USERNAME}', password '{password}' at {admin_url} "
                "(run `make admin-password` for a new one)."
            )
        )
