"""The login and password pages, and the page each role lands on."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from capture_portal import lockout, ratelimits
from capture_portal.forms import FirstPasswordForm, LoginForm, NewPasswordForm
from sessions_app.roles import is_crew, is_staff_member, monitored_class_of, student_of
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

    def get_form_class(self):
        # A student still on the printed password has just signed in with it.
        student = student_of(self.request.user)
        if student is not None and student.must_change_password:
            return FirstPasswordForm
        return NewPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        student_password_changed(user=self.request.user)
        messages.success(self.request, _("密码已修改。"))
        return response
