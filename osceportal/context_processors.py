from django.conf import settings
from django.utils.functional import SimpleLazyObject

from news.menus import get_menus


def site(request):
    """What every public page's layout needs. Both lazy: a page that does not show the menus
    (the admin, a 400 page for a bad Host header) neither reads the cache nor the host."""
    return {
        "site_name": settings.SITE_NAME,
        "menus": SimpleLazyObject(get_menus),
        # The page's address without its query string: the default canonical URL.
        "absolute_path": SimpleLazyObject(lambda: request.build_absolute_uri(request.path)),
    }
