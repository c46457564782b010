"""The back office's page for what was not done and why: refused (403, by
osceportal/errors.py's handler, whatever raised PermissionDenied) or not possible (409)."""

from django.contrib import admin
from django.template.response import TemplateResponse


def refusal_page(request, reason, *, title, status):
    """A back-office page that says why something was not done (403, 409)."""
    response = TemplateResponse(
        request,
        "admin/refused.html",
        {**admin.site.each_context(request), "title": title, "reason": reason},
        status=status,
    )
    return response.render()
