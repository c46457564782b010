"""The server-error page, with one case of its own: when the database cannot be reached (a
restart, a fail-over, a network cut), the visitor gets 503 "temporarily unavailable" with
Retry-After rather than a 500 that says something is broken. The load balancer and crawlers read
503 as "come back soon", and the server's own /healthz says the same (osceportal/views.py).

Django calls the handler while it handles the exception, without passing it (handler500 in
osceportal/urls.py; django.core.handlers.exception.handle_uncaught_exception), so the exception
is read from sys.exc_info(). The error is still logged with its traceback, as "Service
Unavailable"."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import permission_denied as default_permission_denied
from django.views.defaults import server_error as default_server_error

from news.admin.refusals import refusal_page

# Long enough for PostgreSQL to restart, short enough that nobody waits long for nothing.
RETRY_AFTER_SECONDS = 10


def database_unreachable(error):
    # OperationalError: the connection failed or was cut; InterfaceError: it was already closed.
    return isinstance(error, (OperationalError, InterfaceError))


@requires_csrf_token
def server_error(request, template_name="500.html"):
    if not database_unreachable(sys.exc_info()[1]):
        return default_server_error(request, template_name)
    # Rendered without a request, as Django renders 500.html: no context processor may run,
    # since they read the database.
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@requires_csrf_token
def permission_denied(request, exception, template_name="403.html"):
    """In the back office, a refusal says why (the reason given to PermissionDenied, e.g. by
    news/permissions.py) inside the admin's own page; the public site's 403 says no more than
    "not allowed"."""
    user = getattr(request, "user", None)
    if not (
        request.path.startswith(f"/{settings.ADMIN_URL}")
        and user is not None
        and user.is_active
        and user.is_staff
    ):
        return default_permission_denied(request, exception, template_name)
    return refusal_page(request, str(exception), title=_("Not allowed"), status=403)
