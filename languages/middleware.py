from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.utils import translation
from django.utils.cache import patch_vary_headers

from . import registry
from .urls import language_of_path, urlconf_for


class ContentLanguageMiddleware:
    """The language of a public page comes from its address alone (`/ru/…`), never from the
    browser's headers or a cookie: a page has one language, so it can be cached and shared as it
    is. The site's own words are in the language's official chrome language.

    The back office, private and never cached, speaks the official language the editor's browser
    asks for (`Accept-Language`), English otherwise: Django's own words and the project's are
    translated in each (locale/)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(f"/{settings.ADMIN_URL}"):
            return self.back_office(request)
        language = registry.get(request.path_info.strip("/"))
        if language is not None and request.path_info == language.prefix:
            return HttpResponsePermanentRedirect(
                f"{language.prefix}/"
            )  # "/ru": the home in Russian
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

    def back_office(self, request):
        request.content_language = registry.get(registry.DEFAULT)
        chosen = translation.get_language_from_request(request)
        with translation.override(chosen):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        patch_vary_headers(response, ["Accept-Language"])
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
