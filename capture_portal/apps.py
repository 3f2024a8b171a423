"""App configurations: the portal's own (it registers the deployment checks and counts
failed logins per address), and django-axes named in Chinese in the admin."""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapturePortalConfig(AppConfig):
    name = "capture_portal"
    default = True

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from capture_portal import checks, lockout  # noqa: F401 -- checks register

        user_login_failed.connect(lockout.login_failed, dispatch_uid="lockout.login_failed")


class AxesConfig(AxesAppConfig):
    default = False
    verbose_name = _("登录保护")
