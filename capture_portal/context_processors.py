from django.utils.functional import SimpleLazyObject

from capture_portal import roles as portal_roles
from sessions_app.models import Campaign


def roles(request):
    """Expose the user's roles to templates, evaluated only where a template asks."""
    user = request.user
    return {
        "is_staff_member": SimpleLazyObject(lambda: portal_roles.is_staff_member(user)),
        "is_crew": SimpleLazyObject(lambda: portal_roles.is_crew(user)),
        "my_student": SimpleLazyObject(lambda: portal_roles.student_of(user)),
        "my_class": SimpleLazyObject(lambda: portal_roles.monitored_class_of(user)),
        # The campaigns the staff's and the crew's pages can switch between.
        "campaigns": SimpleLazyObject(
            lambda: list(Campaign.objects.all()) if portal_roles.is_crew(user) else []
        ),
    }
