from django.core.management.base import BaseCommand

from languages.catalogues import compile_all


class Command(BaseCommand):
    help = "Compile the site's translation catalogues (locale/*/LC_MESSAGES/django.po) with Babel."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Compile even when up to date.")

    def handle(self, *args, force=False, **options):
        compiled = compile_all(force=force)
        self.stdout.write(f"{len(compiled)} catalogue(s) compiled.")
