from django.urls import path

from . import exports, views
from .events import calendars
from .events import views as event_views
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
    # Meetings and conferences; the fixed addresses before the event pattern.
    path("meetings/", event_views.EventListView.as_view(), name="event_list"),
    path("meetings/calendar.ics", calendars.listing_ics, name="event_list_ics"),
    path("meetings/atom/", calendars.event_atom, name="event_atom"),
    path(
        "meetings/series/<slug:slug>/",
        event_views.SeriesDetailView.as_view(),
        name="series_detail",
    ),
    path("meetings/<slug:slug>/", event_views.EventDetailView.as_view(), name="event_detail"),
    path("meetings/<slug:slug>/calendar.ics", calendars.event_ics, name="event_ics"),
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
