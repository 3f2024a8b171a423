from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from capture_portal.hashers import is_current_password


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


class FirstPasswordForm(SetPasswordForm):
    """The forced change of a printed first password: the new password only.

    The student has just proven the printed password by signing in with it, so it is
    not asked for and hashed again; the new one may still not be the printed one. What
    is wrong with the new password is said under 新密码 (Django puts it under the
    confirmation).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("再输入一次新密码")
        self.fields["new_password2"].help_text = ""

    def clean(self):
        new = self.cleaned_data.get("new_password1")
        if new and self.is_current_password(new):
            # The printed first password is known to whoever handled the slips.
            self.add_error(
                "new_password1", _("新密码不能与当前密码（如发放的初始密码）相同，请另设一个。")
            )
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, password_field_name="new_password1")
        return forms.Form.clean(self)

    def is_current_password(self, password: str) -> bool:
        # The light hash of a printed password, not the default hasher's work.
        return is_current_password(self.user, password)


class NewPasswordForm(FirstPasswordForm, PasswordChangeForm):
    """Django's password change, asking for the current password, for anyone who has
    their own already."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("当前密码")

    def is_current_password(self, password: str) -> bool:
        return password == self.cleaned_data.get("old_password")
