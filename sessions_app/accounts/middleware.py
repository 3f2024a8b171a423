"""A student on a printed password changes it before anything else."""

from django.shortcuts import redirect
from django.urls import reverse

from sessions_app.roles import student_of


class PasswordChangeRequiredMiddleware:
    """Send a student still on a staff-issued initial password to change it first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            student = student_of(user)
            if student is not None and student.must_change_password:
                allowed = (reverse("password_change"), reverse("logout"))
                if request.path not in allowed and not request.path.startswith("/static/"):
                    return redirect("password_change")
        return self.get_response(request)
