from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form, with the labels a student expects: 学号 is the username."""

    error_messages = {
        "invalid_login": _("学号（或用户名）与密码不匹配。注意密码区分大小写。"),
        "inactive": _("该账号已停用，请联系教务处。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("学号 / 用户名")
        self.fields["password"].label = _("密码")
