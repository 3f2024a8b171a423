from django.utils.functional import SimpleLazyObject

from sessions_app import roles as portal_roles
from sessions_app.models import Campaign


def roles(request):
    """Expose the user's roles to templates, evaluated only where a template asks."""
    user = request.user
    return {
        "is_staff_member": SimpleLazyObject(lambda: portal_roles.is_staff_member(user)),
        "is_crew": SimpleLazyObject(lambda: portal_roles.is_crew(user)),
        "my_student": SimpleLazyObject(lambda: portal_roles.student_of(user)),
        "my_class": SimpleLazyObject(lambda: portal_roles.monitored_class_of(user)),
        # Whether the navigation shows code mode's pages instead of the card's.
        "nav_code_mode": SimpleLazyObject(lambda: _code_mode(user)),
        # The campaigns the staff's and the crew's pages can switch between.
        "campaigns": SimpleLazyObject(
            lambda: list(Campaign.objects.all()) if portal_roles.is_crew(user) else []
        ),
    }


def _code_mode(user) -> bool:
    """Return whether the user's campaign (a student's own; for anyone else the one a
    public page shows by default) runs in code mode."""
    from sessions_app.selectors import campaign_default

    if portal_roles.is_crew(user):
        return False  # staff and crew see both modes' pages and switch campaigns
    student = portal_roles.student_of(user)
    campaign = student.campaign if student else campaign_default(published_only=True)
    return bool(campaign and campaign.is_code_mode)
