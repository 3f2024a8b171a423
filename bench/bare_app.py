"""The baseline of bench_pages.py: one bare Django view, served by the same gunicorn
with the same workers as the portal. What it answers per second is the framework's
ceiling on this machine; each page is measured as a share of it.

    gunicorn --chdir bench bare_app:application
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-bare-view-only-" + "x" * 40,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("", bare)]

application = get_wsgi_application()
