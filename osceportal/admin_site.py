"""The back office's admin site: Django's, with two rules that hold for every model admin
registered on it, ours and the libraries' (taggit, axes, auth) alike.

- A view that cannot find an object answers 404. Django's change, delete and history views
  redirect to the admin's home page instead ("… doesn't exist. Perhaps it was deleted?"): for an
  object that exists but is not the user's to see, that redirect looked like success to
  django-reversion, which kept a restore it had already written (news/admin/history.py).
- A bulk action is taken only if it is one the user is offered, and only on objects the user
  can see: Django ignores an action it does not offer ("No action selected") and silently
  drops the selected ids it cannot find, acting on the rest.
- "View on site" (/admin/r/<type>/<id>/) redirects only to objects the user may see in the
  back office. Django's own redirects any staff member to any object's page, which gives away
  the address (and so the title) of another office's draft."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path
from django.utils.translation import gettext_lazy as _

from news import desk, time_zones


class SiteWideRules:
    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("There is no such object, or it is not yours to see."))
        return obj

    def changelist_view(self, request, extra_context=None):
        offered = self.get_actions(request)
        if request.method == "POST" and any(
            action not in offered for action in request.POST.getlist("action") if action
        ):
            raise PermissionDenied(_("This action is not one you may take here."))
        return super().changelist_view(request, extra_context)

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if selected and request.POST.get("select_across") != "1":
            try:
                found = self.get_queryset(request).filter(pk__in=selected).count()
            except (ValueError, ValidationError):
                found = -1
            if found != len(set(selected)):
                raise Http404(_("Some of the selected objects do not exist or are not yours."))
        return super().response_action(request, queryset)


class PortalAdminSite(admin.AdminSite):
    site_header = _("OSCE Portal back office")
    site_title = _("OSCE Portal back office")
    index_title = _("News and taxonomy")
    index_template = "admin/portal_index.html"

    # The models grouped and named as editors think of them ("Tags", not "TAGGIT"); what no
    # section names keeps its app's group.
    SECTIONS = [
        (_("News"), ["news.newsitem", "news.event", "news.meetingseries"]),
        (
            _("Taxonomy"),
            [
                "news.fieldofwork",
                "structures.structure",
                "countries.country",
                "countries.chairpersonship",
                "news.alias",
                "taggit.tag",
            ],
        ),
        (_("People"), ["auth.user", "auth.group", "news.editorprofile"]),
    ]

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        if app_label is not None:
            return apps
        models = {
            f"{app['app_label']}.{model['object_name'].lower()}": model
            for app in apps
            for model in app["models"]
        }
        sections = []
        for number, (title, keys) in enumerate(self.SECTIONS):
            shown = [models.pop(key) for key in keys if key in models]
            if shown:
                sections.append(
                    {
                        "name": title,
                        "app_label": f"section-{number}",
                        "app_url": shown[0]["admin_url"],
                        "has_module_perms": True,
                        "models": shown,
                    }
                )
        rest = []
        for app in apps:
            left = [
                m
                for m in app["models"]
                if f"{app['app_label']}.{m['object_name'].lower()}" in models
            ]
            if left:
                rest.append({**app, "models": left})
        return sections + rest

    def index(self, request, extra_context=None):
        # What waits for the person who edits news: the desk (news/admin/desk.py).
        return super().index(
            request, {"shelves": desk.shelves(request.user), **(extra_context or {})}
        )

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SiteWideRules):
            admin_class = type(admin_class.__name__, (SiteWideRules, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)

    def get_urls(self):
        urls = super().get_urls()
        checked = path(
            "r/<path:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        own = [path("time-zone/", self.admin_view(self.time_zone_view), name="time_zone")]
        return own + [
            checked if getattr(url, "name", None) == "view_on_site" else url for url in urls
        ]

    def time_zone_view(self, request):
        return time_zones.time_zone_view(request, self)

    def view_on_site(self, request, content_type_id, object_id):
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ValueError, ContentType.DoesNotExist):
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        try:
            obj = model_admin.get_queryset(request).filter(pk=object_id).first()
        except (ValueError, ValidationError):
            obj = None
        if obj is None or not model_admin.has_view_or_change_permission(request, obj):
            raise Http404
        if callable(model_admin.view_on_site):  # a news item's preview, say
            return HttpResponseRedirect(model_admin.view_on_site(obj))
        if not model_admin.view_on_site or not hasattr(obj, "get_absolute_url"):
            raise Http404
        return HttpResponseRedirect(obj.get_absolute_url())
