from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sessions_app.accounts import views

admin.site.site_header = _("图像采集 管理后台")
admin.site.site_title = _("图像采集 管理后台")
admin.site.index_title = _("数据管理")

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("admin/", admin.site.urls),
    path("api/cards/", include("cards_app.api_urls")),
    path("api/capture-code/", include("sessions_app.codemode.api_urls")),
    path("cards/", include("cards_app.urls")),
    path("payments/", include("payments_app.urls")),
    path("shoot/", include("sessions_app.shootday.urls")),
    path("", include("sessions_app.codemode.urls")),
    path("", include("sessions_app.roster.urls")),
    path("", include("sessions_app.urls")),
]
