from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from capture_portal import lockout, ratelimits
from capture_portal.forms import LoginForm, NewPasswordForm
from capture_portal.roles import is_crew, is_staff_member, monitored_class_of, student_of
from sessions_app.services import student_password_changed


@login_required
def dashboard(request):
    """Send a user to the home page of their role."""
    user = request.user
    if is_staff_member(user):
        return redirect("sessions:staff_board")
    if monitored_class_of(user) is not None:
        return redirect("sessions:monitor_home")
    if student_of(user) is not None:
        return redirect("sessions:student_home")
    if is_crew(user):
        return redirect("shootday:desk")
    messages.info(request, _("你的账号尚未分配角色，请联系教务处。"))
    return redirect("sessions:home")


RATE_LIMITED_MESSAGE = gettext_lazy("操作太频繁，请稍等一分钟再试。")


def rate_limited(request, exception):
    """Answer a request past its rate limit: 429 with a Chinese page, or JSON for the
    API."""
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse(
            {"error": {"code": "rate_limited", "message": str(RATE_LIMITED_MESSAGE)}},
            status=429,
        )
    else:
        response = render(request, "429.html", status=429)
    response["Retry-After"] = "60"
    return response


@method_decorator(ratelimits.limit("login"), name="post")
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if lockout.address_locked(request):
            return render(request, "registration/locked_out.html", {"by_address": True}, status=429)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = NewPasswordForm
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        student_password_changed(user=self.request.user)
        messages.success(self.request, _("密码已修改。"))
        return response
