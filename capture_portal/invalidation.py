"""Which write makes which cached results stale (capture_portal/cache.py).

Every model of the portal's apps is listed here, either with the scopes its rows belong
to and how to find their campaign, or as not read by any cached result; a test holds
every model to being listed, so a new model cannot be forgotten. Saving or deleting a
row bumps its scopes through the model signals; bulk writes (``update()``,
``bulk_create()``) send no signal and call cache.bump themselves.
"""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from capture_portal import cache

S, R, D, M, C, H = cache.SCHEDULE, cache.ROSTER, cache.DAY, cache.MONEY, cache.CARDS, cache.CHSI
A = cache.ACCOUNTS


def _own(instance):
    return instance.campaign_id


def _of_class(instance):
    from sessions_app.models import SchoolClass

    return (
        SchoolClass.objects.filter(pk=instance.school_class_id)
        .values_list("campaign_id", flat=True)
        .first()
    )


def _of_student(instance):
    from sessions_app.models import Student

    return (
        Student.objects.filter(pk=instance.student_id).values_list("campaign_id", flat=True).first()
    )


def _of_payment(instance):
    from payments_app.models import Payment

    return (
        Payment.objects.filter(pk=instance.payment_id).values_list("campaign_id", flat=True).first()
    )


def _of_handover(instance):
    from payments_app.models import Handover

    return (
        Handover.objects.filter(pk=instance.handover_id)
        .values_list("campaign_id", flat=True)
        .first()
    )


# "app_label.ModelName": (scopes, how to find the campaign; None: every campaign).
WATCHED = {
    "sessions_app.Campaign": ((S, R, D, M, C, H, A), lambda instance: instance.pk),
    "sessions_app.Venue": ((S,), None),
    "sessions_app.College": ((S,), None),
    "sessions_app.TimeSlot": ((S, D, M), _own),
    "sessions_app.SchoolClass": ((S, R, D, M), _own),
    "sessions_app.CategoryRule": ((S, R, D), _own),
    "sessions_app.Student": ((S, R, D, M, C, A), _own),
    "sessions_app.RosterCorrection": ((R, C), _own),
    "sessions_app.ScheduleChange": ((S, D, M), _own),
    "sessions_app.Shot": ((D, M, H), _own),
    "sessions_app.ShotAbsence": ((D, M), _own),
    "sessions_app.ClassClose": ((D, M), _of_class),
    "sessions_app.CardCorrection": ((D, C), _own),
    "sessions_app.ChsiCheck": ((H,), _of_student),
    "payments_app.Payment": ((M,), _own),
    "payments_app.PaymentReversal": ((M,), _of_payment),
    "payments_app.PaymentCarry": ((M,), _of_payment),
    "payments_app.Handover": ((M,), _own),
    "payments_app.HandoverAdjustment": ((M,), _of_handover),
    "cards_app.CardCheck": ((C,), _of_student),
    "sessions_app.CaptureCode": ((D, C), _own),
    "sessions_app.MakeupRoute": ((D,), _own),
}

# Read by no cached result (history and logs shown as they are).
NOT_CACHED = {
    "sessions_app.BusyPeriod",  # read by the planner, which plans afresh each time
    "sessions_app.RosterImportJob",  # the import's own progress, read fresh by every poll
    "sessions_app.ScheduleChangeLine",
    "sessions_app.ShotCounter",
}

# The apps whose every model must be in WATCHED or NOT_CACHED.
PORTAL_APPS = ("sessions_app", "payments_app", "cards_app", "capture_portal")


# Models that decide which campaign a page shows when none is named.
CHOOSE_CAMPAIGN = {"sessions_app.Campaign", "sessions_app.TimeSlot"}


def _handler(scopes, campaign_of, label):
    def handle(sender, instance, raw=False, **kwargs):
        if raw:
            return  # loading fixtures
        if campaign_of is None:
            cache.bump_all(*scopes)
        else:
            cache.bump(campaign_of(instance), *scopes)
        if label in CHOOSE_CAMPAIGN:
            cache.bump(cache.EVERY_CAMPAIGN, cache.SCHEDULE)

    return handle


_handlers = []


def connect() -> None:
    """Connect a handler to the save and delete signals of every watched model."""
    for label, (scopes, campaign_of) in WATCHED.items():
        model = apps.get_model(label)
        handler = _handler(scopes, campaign_of, label)
        _handlers.append(handler)  # signals keep weak references
        post_save.connect(handler, sender=model, dispatch_uid="cache:save:" + label)
        post_delete.connect(handler, sender=model, dispatch_uid="cache:delete:" + label)


# Who a user is: the login itself (password, active, superuser), the groups that make
# staff and crew, the roster entry that makes a student. A page kept for one session
# (pagecache.FrontDoorMiddleware) is kept under these; the class a student monitors is
# the schedule's, whose version a student's kept page reads too.
def _user_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        cache.bump_users(instance.pk)


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        cache.bump_users(instance.pk)
    elif action == "pre_clear":
        cache.bump_users(*instance.user_set.values_list("pk", flat=True))
    else:
        cache.bump_users(*(pk_set or ()))


def _group_saved(sender, instance, raw=False, **kwargs):
    # A role is a group's name: renaming or deleting a group changes its members' roles.
    if not raw and instance.pk is not None:
        cache.bump_users(*instance.user_set.values_list("pk", flat=True))


def _student_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        cache.bump_users(instance.user_id)


def connect_identity() -> None:
    """Connect the handlers that bump a user's identity version (cache.bump_users).

    A class's monitor is not here: saving a class, ``class_monitor_set`` and a roster
    import moving a student all bump their campaign's SCHEDULE scope, which a kept page
    of a student reads as well."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from sessions_app.models import Student

    user = get_user_model()
    for signal in (post_save, post_delete):
        signal.connect(_user_saved, sender=user, dispatch_uid="identity:user")
        signal.connect(_student_saved, sender=Student, dispatch_uid="identity:student")
    post_save.connect(_group_saved, sender=Group, dispatch_uid="identity:group")
    pre_delete.connect(_group_saved, sender=Group, dispatch_uid="identity:group-delete")
    m2m_changed.connect(_groups_changed, sender=user.groups.through, dispatch_uid="identity:groups")
