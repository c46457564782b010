"""How often the subscribe form may be used: per address (so that nobody can flood someone's
inbox with confirmation requests) and per client address (so that nobody can sign up thousands
of addresses). Counted in the shared cache (Redis in production), per hour."""

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache

WINDOW = 3600  # seconds


def hit(kind, value, limit):
    """Count one use of `value`; True while it is within `limit` uses in the window."""
    key = f"alerts:rate:{kind}:{value}"
    if cache.add(key, 1, WINDOW):
        return limit >= 1
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, WINDOW)
        return True


def client_allowed(request):
    client = get_client_ip_address(request) or "unknown"
    return hit("client", client, settings.ALERT_SUBSCRIBE_LIMIT_PER_CLIENT)


def address_allowed(email):
    return hit("address", email, settings.ALERT_SUBSCRIBE_LIMIT_PER_ADDRESS)
