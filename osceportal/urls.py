from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from news.api import api_patterns
from news.sitemaps import sitemap_index, sitemap_section
from news.urls import country_patterns, structure_patterns
from news.views import HomeView

from .views import healthz, robots_txt

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("", include("news.urls")),
    path("countries/", include(country_patterns)),
    path("structures/", include(structure_patterns)),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", include(api_patterns)),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", sitemap_section, name="sitemap_section"),
    path("robots.txt", robots_txt, name="robots_txt"),
]

handler403 = "osceportal.errors.permission_denied"  # says why, in the back office
handler500 = "osceportal.errors.server_error"  # 503 while the database is unreachable

if settings.DEBUG:
    # `make run` serves uploaded photos itself; in production the web server or object storage
    # does (README, "Deploying").
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
