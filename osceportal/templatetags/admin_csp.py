"""The back office under the Content-Security-Policy: form media rendered with the nonce of the
response, so that the rich-text editor's import map, an inline script, may run."""

from django import template
from js_asset import Media

register = template.Library()


@register.simple_tag(takes_context=True)
def media_with_nonce(context, media):
    """`{{ media }}` with the request's CSP nonce on every tag (django-js-asset's recipe for
    django-csp). Reading `request.csp_nonce` is what puts the nonce in the response's header."""
    if not isinstance(media, Media):
        media = Media.from_media(media)
    return media.with_nonce(context["request"].csp_nonce).render()
