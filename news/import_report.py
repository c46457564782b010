"""The report of a migration run (`import_news --report FILE`): plain text for the person who
fixes the data, with what to do first at the top. Each unknown name once, with how many lines
gave it and where (so that one alias or one new entry fixes them all), the other failures
grouped by reason, and the entries added for review.

Its memory is bounded whatever the file: counts, the first LINES_SHOWN line numbers of each
name or reason, and at most MAX_GROUPS names of a kind (and reasons); any beyond are counted
together."""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from structures.models import Structure

from .jsonl import BODY, COUNTRY, FIELD, LANGUAGE
from .names import normalise_name

LINES_SHOWN = 20
MAX_GROUPS = 10_000
OUTCOMES = ("created", "updated", "unchanged", "failed")
KIND_TITLES = {
    BODY: "Issuing bodies",
    FIELD: "Fields of work",
    COUNTRY: "Countries",
    LANGUAGE: "Languages",
}
KIND_ADVICE = {
    BODY: "add an alias (Aliases, kind structure) or the body itself, or run with --create-missing",
    FIELD: "add an alias (Aliases, kind field of work), or run with --create-missing",
    COUNTRY: "add an alias (Aliases, kind country); countries are never added by an import",
    LANGUAGE: "correct the lines, or configure the language (LANGUAGES in the settings)",
}
# The parts of a message that differ from line to line: what it quotes, and numbers.
SPECIFICS = re.compile(
    r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|(?<=line |byte )\d+|(?<=column )\d+"
)


@dataclass
class Tally:
    """How often a name (or a reason) came up, and the first lines it did."""

    label: str  # as first seen
    example: str = ""  # a failure's first message, when the label leaves its specifics out
    count: int = 0
    lines: list = field(default_factory=list)

    def add(self, number):
        self.count += 1
        if len(self.lines) < LINES_SHOWN:
            self.lines.append(number)

    def where(self):
        shown = ", ".join(f"{number:,}" for number in self.lines)
        more = self.count - len(self.lines)
        return f"line{'s' if self.count > 1 else ''} {shown}" + (
            f" and {more:,} more" if more else ""
        )


class Groups:
    """Tallies by key, at most MAX_GROUPS of them; the rest only counted."""

    def __init__(self):
        self.tallies, self.beyond, self.beyond_lines = {}, 0, 0

    def add(self, key, label, number, example=""):
        tally = self.tallies.get(key)
        if tally is None:
            if len(self.tallies) >= MAX_GROUPS:
                self.beyond_lines += 1
                return
            tally = self.tallies[key] = Tally(label, example if example != label else "")
        tally.add(number)

    def by_count(self):
        return sorted(self.tallies.values(), key=lambda tally: (-tally.count, tally.label))


class ImportReport:
    def __init__(self, *, source, options):
        self.source, self.options = source, options
        self.started = timezone.localtime()
        self.outcomes = Counter()
        self.lines_read = self.blank_lines = 0
        self.unresolved = {kind: Groups() for kind in KIND_TITLES}
        self.failures = Groups()

    def note(self, result):
        self.outcomes[result.outcome] += 1
        if result.outcome != "failed":
            return
        for kind, name in result.unresolved:
            key = normalise_name(name) if kind != LANGUAGE else name.strip().casefold()
            self.unresolved[kind].add(key, name, result.number)
        if not result.unresolved:
            message = result.messages[0]
            reason = SPECIFICS.sub("…", message)
            self.failures.add(reason, reason, result.number, f"line {result.number}: {message}")

    def text(self, *, created, dry_run):
        """The report, once the run is over; `created`: (entry, line) of --create-missing."""
        finished = timezone.localtime()
        verb = "would be " if dry_run else ""
        lines = [
            "Import report",
            "=============",
            f"File:      {self.source}",
            f"Started:   {self.started:%Y-%m-%d %H:%M:%S %Z}",
            f"Finished:  {finished:%Y-%m-%d %H:%M:%S %Z} "
            f"({(finished - self.started).total_seconds():,.1f} s)",
            f"Options:   {self.options}",
            "",
            "Summary" + (" (dry run: nothing was stored)" if dry_run else ""),
            "-------",
            f"Lines read:  {self.lines_read:,} ({self.blank_lines:,} blank, skipped)",
        ]
        for outcome in OUTCOMES:
            label = f"{verb}{outcome}:".capitalize()
            lines.append(f"{label:<12} {self.outcomes[outcome]:,}")
        lines += (
            self.unresolved_section()
            + self.failures_section()
            + self.created_section(created, verb)
        )
        return "\n".join(lines) + "\n"

    def unresolved_section(self):
        lines = ["", "Unresolved names", "----------------"]
        if not any(groups.tallies for groups in self.unresolved.values()):
            return [*lines, "None."]
        lines.append(
            "A line is refused with every unknown name it gives; each name is listed once."
        )
        for kind, groups in self.unresolved.items():
            if not groups.tallies:
                continue
            names = len(groups.tallies)
            lines += ["", f"{KIND_TITLES[kind]} ({names:,} name{'s' if names > 1 else ''}): "
                      f"{KIND_ADVICE[kind]}"]  # fmt: skip
            for tally in groups.by_count():
                lines.append(f"  {tally.count:>7,}  {tally.label!r}: {tally.where()}")
            if groups.beyond_lines:
                lines.append(f"  and {groups.beyond_lines:,} more lines with other names")
        return lines

    def failures_section(self):
        lines = ["", "Other failures", "--------------"]
        if not self.failures.tallies:
            return [*lines, "None."]
        for tally in self.failures.by_count():
            lines.append(f"  {tally.count:>7,}  {tally.label}: {tally.where()}")
            if tally.example:
                lines.append(f"           e.g. {tally.example}")
        if self.failures.beyond_lines:
            lines.append(f"  and {self.failures.beyond_lines:,} more lines with other reasons")
        return lines

    @staticmethod
    def created_section(created, verb):
        if created is None:
            return []
        heading = f"Added for review ({verb}created by --create-missing)"
        lines = ["", heading, "-" * len(heading)]
        if not created:
            return [*lines, "None."]
        lines.append(
            "Each is flagged “needs review”: check its name, slug and place in the admin, then "
            "untick the flag."
        )
        for entry, number in created[:MAX_GROUPS]:
            kind = "Issuing body" if isinstance(entry, Structure) else "Field of work"
            lines.append(f"  {kind} {entry.name!r} (slug {entry.slug}), first on line {number:,}")
        if len(created) > MAX_GROUPS:
            lines.append(f"  and {len(created) - MAX_GROUPS:,} more")
        return lines
