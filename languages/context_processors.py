from . import registry


def languages(request):
    return {"content_language": registry.current()}
