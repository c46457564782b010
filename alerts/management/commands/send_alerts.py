from django.core.management.base import BaseCommand

from alerts.passes import run_pass


class Command(BaseCommand):
    help = (
        "Send every email alert and digest that is due now, then exit: new public items are "
        "matched against the lists, due digests are gathered, messages are sent (failed ones "
        "are tried again later). Safe to run any number of times, and several at once."
    )

    def handle(self, *args, **options):
        report = run_pass()
        self.stdout.write(
            f"{report.announced} items announced, {report.messages_made} messages made, "
            f"{report.sent} sent, {report.failed} failed for good, "
            f"{report.forgotten} unconfirmed subscriptions forgotten."
        )
