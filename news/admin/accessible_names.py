"""Names, for screen readers, of the back office's boxes that Django prints with no <label>
pointing at them (axe-core's `label` rule): the date and the time of a date-and-time field, which
Django captions with bare text, and the boxes of a tabular inline row, which sit under column
headers that name nothing for assistive technology. The widgets that scripts build (select2, the
rich-text editor) are named in the browser: static/admin/accessible-widgets.js."""

from django.utils.text import capfirst
from django.utils.translation import gettext as _


def name_date_and_time(field):
    """The two boxes of a date-and-time field, named after it: "Issued on: date"."""
    date, time = field.widget.widgets
    label = capfirst(field.label)
    date.attrs["aria-label"] = _("%(field)s: date") % {"field": label}
    time.attrs["aria-label"] = _("%(field)s: time") % {"field": label}


def name_cells(form):
    """Each box of a tabular inline row, named after its column: the field's label."""
    for field in form.fields.values():
        widget = getattr(field.widget, "widget", field.widget)  # inside the admin's wrapper
        if not widget.is_hidden:
            widget.attrs.setdefault("aria-label", capfirst(field.label))
