from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied

from capture_portal.hashers import is_printed
from sessions_app.roles import student_of


class PasswordBackend(ModelBackend):
    """Django's ModelBackend, leaving a printed password's light hash as it is.

    Django re-hashes a password of another algorithm with the default hasher when it is
    checked: for a printed password, a second slow hash right before the forced change
    replaces it anyway. While the student must change it, the light hash is checked and
    kept; a wrong password still costs the default hasher's work
    (``InitialPasswordHasher.verify``), and every other account is checked and upgraded
    as Django does.

    It answers every username-and-password login itself and stops there on a refusal
    (PermissionDenied, which Django's ``authenticate`` records as a failed login), so
    the ModelBackend listed after it in AUTHENTICATION_BACKENDS, for the sessions signed
    in through it, never hashes the same password again.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        UserModel = get_user_model()
        if username is None:
            username = kwargs.get(UserModel.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = UserModel._default_manager.get_by_natural_key(username)
        except UserModel.DoesNotExist:
            # The default hasher's work, as for a wrong password of an existing account.
            UserModel().set_password(password)
            raise PermissionDenied from None
        if self.password_matches(user, password) and self.user_can_authenticate(user):
            return user
        raise PermissionDenied

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        return await sync_to_async(self.authenticate)(
            request, username=username, password=password, **kwargs
        )

    def password_matches(self, user, password: str) -> bool:
        if is_printed(user.password) and _must_change_password(user):
            return check_password(password, user.password)  # no setter: not re-hashed
        return user.check_password(password)


def _must_change_password(user) -> bool:
    student = student_of(user)
    return student is not None and student.must_change_password
