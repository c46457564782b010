from django.urls import path, register_converter

from . import views


class TokenConverter:
    """The keys of the links in messages: URL-safe base64 (random tokens), and the colons of a
    signed one. Anything else is no link of ours, and never reaches a query."""

    regex = r"[-A-Za-z0-9_:]{1,300}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TokenConverter, "token")

app_name = "alerts"

urlpatterns = [
    path("subscribe/", views.SubscribeView.as_view(), name="subscribe"),
    path(
        "meetings/subscribe/",
        views.MeetingsSubscribeView.as_view(),
        name="subscribe_meetings",
    ),
    path("check-your-email/", views.CheckEmailView.as_view(), name="check_email"),
    path("confirm/<token:token>/", views.ConfirmView.as_view(), name="confirm"),
    path("manage/<token:token>/", views.ManageView.as_view(), name="manage"),
    path("unsubscribe/<token:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
    path(
        "unsubscribe-all/<token:token>/",
        views.UnsubscribeAllView.as_view(),
        name="unsubscribe_all",
    ),
]
