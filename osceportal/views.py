"""Site-wide views: the health check for the load balancer and robots.txt."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from news.listing import words
from news.page_keys import reads_query


def healthz(request):
    """For the load balancer: 503 while this server cannot reach the database, so that it is
    taken out of rotation. Redis is not checked: without it the site still serves pages. Also
    says whether this process has read the search words yet (news/listing/words.py): until it
    has, its searches are answered by PostgreSQL, correctly but more slowly."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "search_words": words.state()})


@reads_query({})
@require_safe
def robots_txt(request):
    lines = ["User-agent: *"]
    # The back office at another address than the usual one is not told to every bot here.
    if settings.ADMIN_URL == "admin/":
        lines.append(f"Disallow: {reverse('admin:index')}")
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
