"""The form fields of the listing's filters (filters.py): the slugs of a taxonomy or tags, and
codes (a type, a language). A value that is no choice is read as an old link's: in its slug's or
code's form, as the slug of an alias (news.Alias) standing for its entry, or else left out; each
field records what it did in `changes`, which the listing tells the visitor
(news/listing/notices.py)."""

import django_filters
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from .. import aliases, taxonomy_cache
from ..models import NewsItem


class SlugMultipleChoiceField(django_filters.fields.ModelMultipleChoiceField):
    leave_out_unknown = False  # a value neither a choice nor an alias's is left out, not refused

    def __init__(self, *args, alias_kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.alias_kind = alias_kind

    def clean(self, value):
        # A list, so that "nothing chosen" is empty to django-filter (an empty QuerySet is not).
        # Nothing chosen is [] straight away: Django answers `queryset.none()`, and listing it
        # compiles the queryset for nothing.
        self.changes = []
        if not self.required and not self.prepare_value(value):
            return []
        return list(super().clean(value))

    def _check_values(self, value):
        """The records of the slugs given. A slug that is no entry's is read as an old link's
        (news/listing/notices.py): in the slug's form (`?country=Tajikistan`), as the slug of
        an alias (`?field=combating-human-trafficking`) standing for its entry, or else left
        out; each is recorded in `changes`, for the listing to say so and send the visitor to
        the address of what is left. Known values cost no query more."""
        try:
            return self.records_of(value)
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
            refusal = error
        # The values passed the checks before the choices: strings without null characters.
        slugs = self.repaired([str(v) for v in value])
        if not self.leave_out_unknown and any(new is None for _given, new in self.changes):
            raise refusal
        return self.records_of(slugs)

    def repaired(self, slugs):
        in_slug_form = {slug: slugify(slug) for slug in slugs}
        known = self.known_slugs([*slugs, *in_slug_form.values()])
        missing = [in_slug_form[s] for s in slugs if not known & {s, in_slug_form[s]}]
        targets = {}
        if self.alias_kind and missing:
            targets = aliases.targets_of_slugs(self.alias_kind, missing)
        kept = []
        for slug in slugs:
            if slug in known or not slug:
                kept.append(slug)  # a blank value stays, to be refused
            elif in_slug_form[slug] in known:
                kept.append(in_slug_form[slug])  # a mere change of form needs no word
            elif target := targets.get(in_slug_form[slug]):
                self.changes.append((slug, target.slug))
                kept.append(target.slug)
            else:
                self.changes.append((slug, None))
        return kept

    def known_slugs(self, slugs):
        """Those of `slugs` that are entries' slugs: one query, or none for a taxonomy the
        process keeps."""
        kept = self.kept()
        if kept is not None:
            return {slug for slug in slugs if slug in kept}
        key = self.to_field_name
        return set(self.queryset.filter(**{f"{key}__in": set(slugs)}).values_list(key, flat=True))

    def kept(self):
        queryset = self.queryset
        if queryset.query.where or queryset.query.is_sliced:
            return None
        return taxonomy_cache.by_slug(NewsItem, queryset.model)

    def records_of(self, slugs):
        """The records of `slugs`, in the queryset's order. Fields, countries and structures
        come from the taxonomy the process keeps (news/taxonomy_cache.py), at the version the
        request reads, rather than from a query of each filter."""
        kept = self.kept()
        if kept is None:
            return super()._check_values(slugs)
        for slug in slugs:
            self.validate_no_null_characters(slug)
            if not isinstance(slug, str) or slug not in kept:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": slug},
                )
        chosen = set(slugs)
        return [record for slug, record in kept.items() if slug in chosen]


def in_code_form(value):
    """A code as an old link may write it: `Press-Release` for `press_release`, `EN` for `en`."""
    return slugify(value).replace("_", "-")


class CodeMultipleChoiceField(django_filters.fields.MultipleChoiceField):
    """Codes (a type, a language) of which an unknown one is read as SlugMultipleChoiceField
    reads an unknown slug: in its code's form, or else (`leave_out_unknown`) left out, and
    recorded in `changes`."""

    leave_out_unknown = False

    def clean(self, value):
        self.changes = []
        if value and isinstance(value, list | tuple):
            value = self.repaired([str(v) for v in value])
        return super().clean(value)

    def repaired(self, values):
        codes = {str(code) for code, _label in self.choices}
        by_form = {in_code_form(code): code for code in codes}
        kept = []
        for value in values:
            if value and value not in codes and "\x00" not in value:
                code = by_form.get(in_code_form(value))
                if code is None and self.leave_out_unknown:
                    self.changes.append((value, None))
                    continue
                value = code or value  # an unknown value stays, to be refused
            kept.append(value)
        return kept


class CodeChoiceField(django_filters.fields.ChoiceField):
    """One code (a sort order) of which an unknown one is left out (`leave_out_unknown`), as
    CodeMultipleChoiceField leaves one out: the default applies."""

    leave_out_unknown = False

    def clean(self, value):
        self.changes = []
        known = {str(code) for code, _label in self.choices}
        if value and self.leave_out_unknown and "\x00" not in value and value not in known:
            code = {in_code_form(code): code for code in known}.get(in_code_form(value))
            if code is None:
                self.changes.append((value, None))
            value = code or ""
        return super().clean(value)
