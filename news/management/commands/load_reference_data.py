from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from countries.models import Country
from news.permissions import ensure_groups
from news.reference_data import ReferenceDataError, load


class Command(BaseCommand):
    help = "Load the bundled taxonomy (countries, chairpersonships, fields of work, structures)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            default=str(settings.REFERENCE_DATA_FILE),
            help="YAML file to load (default: the copy bundled with the project).",
        )

    def handle(self, *args, file, **options):
        try:
            tally = load(file)
        except ReferenceDataError as error:
            raise CommandError(str(error)) from error
        for label, counts in tally.counts.items():
            parts = [f"{counts[o]} {o}" for o in ("created", "updated", "unchanged", "deleted")]
            self.stdout.write(f"{label}: " + ", ".join(p for p in parts if not p.startswith("0 ")))
        states = Country.objects.participating_states().count()
        asian = Country.objects.asian_partners().count()
        mediterranean = Country.objects.mediterranean_partners().count()
        self.stdout.write(
            f"{states} participating States, {asian} Asian and {mediterranean} Mediterranean "
            "Partners for Co-operation."
        )
        groups = ensure_groups()
        if groups:
            self.stdout.write(f"groups set up: {', '.join(groups)}")
        if tally.changed or groups:
            self.stdout.write(self.style.SUCCESS("Reference data loaded."))
        else:
            message = "Nothing changed: the reference data is up to date."
            self.stdout.write(self.style.SUCCESS(message))
