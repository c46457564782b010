from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from countries.models import Country
from news.permissions import ensure_groups
from news.reference_data import load
from news.reference_merge import KEPT, ReferenceDataError

OUTCOMES = ["created", "updated", "unchanged", "deleted", KEPT]


class Command(BaseCommand):
    help = (
        "Load the bundled taxonomy (countries, chairpersonships, fields of work, structures, "
        "aliases, meeting series) and the real editions of the meetings. "
        "A value changed here (in the admin, say) is kept and reported, not overwritten: the "
        "loader writes only over values it wrote itself."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            default=str(settings.REFERENCE_DATA_FILE),
            help="YAML file to load (default: the copy bundled with the project).",
        )
        parser.add_argument(
            "--overwrite-edits",
            action="store_true",
            help=(
                "Take the file's values for what a run reports as kept as edited here: edited "
                "values are replaced, records deleted here are created again, and former names "
                "the file does not list are deleted."
            ),
        )

    def handle(self, *args, file, overwrite_edits, **options):
        try:
            tally = load(file, overwrite_edits=overwrite_edits)
        except ReferenceDataError as error:
            raise CommandError(str(error)) from error
        for label, counts in tally.counts.items():
            parts = [f"{counts[outcome]} {outcome}" for outcome in OUTCOMES if counts[outcome]]
            self.stdout.write(f"{label}: " + ", ".join(parts))
        if tally.kept:
            self.stdout.write(
                self.style.WARNING(
                    "Kept as edited here; the file's values were not applied "
                    "(--overwrite-edits applies them):"
                )
            )
            for difference in tally.kept:
                self.stdout.write(f"  {difference}")
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
            if tally.kept:
                message = "Nothing changed: the file is loaded, but for the values kept above."
            self.stdout.write(self.style.SUCCESS(message))
