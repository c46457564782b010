from django.contrib import admin
from django.urls import include, path

from news.urls import country_patterns, structure_patterns
from news.views import HomeView, healthz

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("", include("news.urls")),
    path("countries/", include(country_patterns)),
    path("structures/", include(structure_patterns)),
    path("admin/", admin.site.urls),
]
