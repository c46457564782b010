from django.urls import path

from . import exports, views
from .feeds import AtomNewsFeed, NewsFeed

app_name = "news"

urlpatterns = [
    path("news/", views.NewsListView.as_view(), name="list"),
    # Before the article pattern, which would otherwise take "rss" and "atom" for slugs.
    path("news/rss/", NewsFeed(), name="rss"),
    path("news/atom/", AtomNewsFeed(), name="atom"),
    path("news/<slug:slug>/", views.NewsDetailView.as_view(), name="detail"),
    path("fields-of-work/", views.FieldOfWorkListView.as_view(), name="field_list"),
    path("fields-of-work/<slug:slug>/", views.FieldOfWorkDetailView.as_view(), name="field_detail"),
    path("news/export.csv", exports.news_csv, name="export_csv"),
]

# Mounted under their own namespaces by osceportal/urls.py.
country_patterns = (
    [
        path("", views.CountryListView.as_view(), name="list"),
        path("<slug:slug>/", views.CountryDetailView.as_view(), name="detail"),
    ],
    "countries",
)
structure_patterns = (
    [
        path("", views.StructureListView.as_view(), name="list"),
        path("<slug:slug>/", views.StructureDetailView.as_view(), name="detail"),
    ],
    "structures",
)
