from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    """Mark every page served to a signed-in visitor as theirs alone: no shared cache (a
    campus proxy) may keep it, and the browser asks again each time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        return response
