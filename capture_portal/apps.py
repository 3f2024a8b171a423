"""App configurations: the portal's own (it connects cache invalidation and registers
the deployment checks), and django-axes named in Chinese in the admin."""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapturePortalConfig(AppConfig):
    name = "capture_portal"
    default = True

    def ready(self):
        from capture_portal import checks, invalidation  # noqa: F401 -- checks register

        invalidation.connect()


class AxesConfig(AxesAppConfig):
    default = False
    verbose_name = _("登录保护")
