"""Who a user is in the portal: student, class monitor, 教务处 staff, on-site crew.

Staff and crew are Django groups, so 教务处 can grant a role in the admin without a
deploy; a student is a user linked to a roster entry; a monitor is the student a
class names as its monitor.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.shortcuts import get_object_or_404

from sessions_app.models import SchoolClass, Student

STAFF_GROUP = "教务处"
CREW_GROUP = "拍摄组"


def _group_names(user) -> frozenset[str]:
    # Cached on the user object: the role checks run several times per request.
    if not hasattr(user, "_portal_groups"):
        user._portal_groups = frozenset(user.groups.values_list("name", flat=True))
    return user._portal_groups


def is_staff_member(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or STAFF_GROUP in _group_names(user)


def is_crew(user) -> bool:
    if not user.is_authenticated:
        return False
    return is_staff_member(user) or CREW_GROUP in _group_names(user)


def student_of(user):
    """Return the roster entry of a student user, or None."""
    if not user.is_authenticated:
        return None
    cache = user._state.fields_cache
    if "student" not in cache:
        # One query for the entry and its campaign: every page's navigation asks for
        # the campaign's mode (card or code).
        student = Student.objects.select_related("campaign").filter(user=user).first()
        if student is not None:
            student._state.fields_cache["user"] = user
        cache["student"] = student
    return cache["student"]


def monitored_class_of(user):
    """Return the class a user is monitor of, or None."""
    student = student_of(user)
    if student is None:
        return None
    try:
        school_class = student.monitored_class
    except ObjectDoesNotExist:
        return None
    # A monitor who has moved to another class no longer speaks for the old one.
    if school_class.pk != student.school_class_id:
        return None
    return school_class


def may_act_for_class(user, school_class) -> bool:
    """Return whether the user may act for the class (its payments, its hand-over):
    staff for every class, a monitor for their own."""
    if is_staff_member(user):
        return True
    mine = monitored_class_of(user)
    return mine is not None and mine.pk == school_class.pk


def class_for_user(user, pk) -> SchoolClass:
    """Return the class ``pk`` for a page acting for it: 404 if there is no such class,
    403 unless the user may act for it."""
    school_class = get_object_or_404(SchoolClass, pk=pk)
    if not may_act_for_class(user, school_class):
        raise PermissionDenied
    return school_class


def class_for_handover(user, pk) -> SchoolClass:
    """Return the class ``pk`` for its hand-over: the monitor and staff hand over, the
    crew receives. 404 if there is no such class, 403 for anyone else."""
    school_class = get_object_or_404(SchoolClass, pk=pk)
    if not (is_crew(user) or may_act_for_class(user, school_class)):
        raise PermissionDenied
    return school_class


def _require(test):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = _require(is_staff_member)
crew_required = _require(is_crew)
student_required = _require(lambda user: student_of(user) is not None)
monitor_required = _require(lambda user: monitored_class_of(user) is not None)
