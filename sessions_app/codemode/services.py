"""Writes of code mode: a student's readable 图像采集码, and a make-up route.

Only the fact, the time and the keyed hash of a readable code are stored; the image
and the content are dropped as soon as they are read.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from capture_portal.services import ServiceError
from sessions_app.codemode import rules
from sessions_app.models import CaptureCode, MakeupRoute, Student
from sessions_app.summary.services import codes_restate


class CodeModeError(ServiceError):
    pass


def reading_limits() -> rules.Limits:
    return rules.Limits(
        max_bytes=settings.CAPTURE_CODE_MAX_UPLOAD_BYTES,
        max_pixels=settings.CAPTURE_CODE_MAX_PIXELS,
    )


def hash_secret() -> str:
    return settings.CAPTURE_CODE_HASH_SECRET or settings.SECRET_KEY


def digest_of(content: bytes) -> str:
    return rules.code_digest(content, secret=hash_secret())


def capture_code_check(*, student: Student, data: bytes, now=None) -> rules.Reading:
    """Read the student's uploaded code image; keep that the code is readable.

    An unreadable upload changes nothing: a code read earlier stays on record.
    """
    if not student.campaign.is_code_mode:
        raise CodeModeError(_("本次采集使用采集卡，不需要上传图像采集码。"))
    reading = rules.read_code(data, limits=reading_limits())
    if reading.readable:
        capture_code_keep(student=student, digest=digest_of(reading.content), now=now)
    return reading


def capture_code_keep(*, student: Student, digest: str, now=None) -> CaptureCode:
    """Keep that the student showed a readable code with this keyed hash, replacing the
    one kept before."""
    with transaction.atomic():
        Student.objects.select_for_update().filter(pk=student.pk).first()
        earlier = CaptureCode.objects.filter(student=student).values_list("digest", flat=True)
        digests = {digest, *earlier}
        code, _created = CaptureCode.objects.update_or_create(
            student=student,
            defaults={
                "campaign_id": student.campaign_id,
                "digest": digest,
                "checked_at": now or timezone.now(),
            },
        )
        # The code it replaces may have been shared, the new one may be.
        codes_restate(campaign_id=student.campaign_id, digests=digests)
    return code


def makeup_route_set(
    *, student: Student, route: str, deadline: datetime.date | None, by, now=None
) -> MakeupRoute:
    if route not in MakeupRoute.Route.values:
        raise CodeModeError(_("请选择补采方式。"))
    with transaction.atomic():
        saved, _created = MakeupRoute.objects.update_or_create(
            student=student,
            defaults={
                "campaign_id": student.campaign_id,
                "route": route,
                "deadline": deadline,
                "set_by": by,
                "set_at": now or timezone.now(),
            },
        )
    return saved
