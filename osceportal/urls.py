from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from news.api import api_patterns
from news.sitemaps import sitemap_index, sitemap_section
from news.urls import country_patterns, structure_patterns
from news.views import HomeView

from .views import healthz, robots_txt

# The pages of every content language: English here, each other language under its prefix
# (`/ru/news/`) in a URLconf of its own (languages/urls.py).
public_patterns = [
    path("", HomeView.as_view(), name="home"),
    path("", include("news.urls")),
    path("countries/", include(country_patterns)),
    path("structures/", include(structure_patterns)),
    path("alerts/", include("alerts.urls")),
]
# One address for every language.
shared_patterns = [
    path("healthz", healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", include(api_patterns)),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", sitemap_section, name="sitemap_section"),
    path("robots.txt", robots_txt, name="robots_txt"),
]
urlpatterns = [*public_patterns, *shared_patterns]

handler403 = "osceportal.errors.permission_denied"  # says why, in the back office
handler500 = "osceportal.errors.server_error"  # 503 while the database is unreachable

if settings.DEBUG:
    # `make run` serves uploaded photos itself; in production the web server or object storage
    # does (README, "Deploying").
    shared_patterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
