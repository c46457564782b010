from django.utils import translation

from . import registry
from .urls import language_of_path, urlconf_for


class ContentLanguageMiddleware:
    """The language of a request comes from its address alone (`/ru/…`), never from the browser's
    headers or a cookie: a page has one language, so it can be cached and shared as it is. The
    site's own words are in the language's official chrome language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = language_of_path(request.path_info)
        if code != registry.DEFAULT:
            request.urlconf = urlconf_for(code)
        language = registry.get(code)
        request.content_language = language
        with registry.using(code), translation.override(language.chrome):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language.code)
        return response
