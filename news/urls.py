from django.urls import path

from . import views

app_name = "news"

urlpatterns = [
    path("news/", views.NewsListView.as_view(), name="list"),
    path("news/<slug:slug>/", views.NewsDetailView.as_view(), name="detail"),
    path("fields-of-work/", views.FieldOfWorkListView.as_view(), name="field_list"),
    path("fields-of-work/<slug:slug>/", views.FieldOfWorkDetailView.as_view(), name="field_detail"),
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
