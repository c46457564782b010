"""Every problem of a news item's form in one list, each linked to its field, as the GOV.UK
Design System's error summary does: shown at the top of the form after a Save, and beside the
buttons while the form is filled in (publish_views.py, the live checklist). Each message stays
beside its field too (Django's own error lists)."""

from django.forms.forms import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

# What an inline says when the problems it found are marked at the edit form's fields: it stops
# the save, and says nothing the summary does not.
REFER_TO_MARKED = _("Correct the fields marked on the form, then save again.")


def field_entries(form, label_prefix=""):
    found = []
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            anchor, label = "", ""
        else:
            bound = form[name]
            anchor, label = bound.id_for_label or bound.auto_id or "", str(bound.label)
        found.extend(
            {"field": anchor, "label": f"{label_prefix}{label}", "message": str(message)}
            for message in errors
        )
    return found


def entries(form, inlines):
    """{field, label, message} dicts: the edit form's problems in its own order, then each
    inline's, given as (formset, its label) pairs, its own problems linked to the inline as a
    whole."""
    found = field_entries(form)
    for formset, label in inlines:
        group = f"{formset.prefix}-group"
        label = str(label)
        found.extend(
            {"field": group, "label": label, "message": str(message)}
            for message in formset.non_form_errors()
        )
        for number, row in enumerate(formset.forms, start=1):
            found.extend(field_entries(row, label_prefix=f"{label} {number}: "))
    # A message that only points at the others ("correct the fields marked") says nothing here.
    return [entry for entry in found if entry["message"] != str(REFER_TO_MARKED)]
