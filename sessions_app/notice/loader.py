"""Load a campaign from its notice, as kept in ``fixtures/`` (a JSON transcription)."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from sessions_app.models import Campaign, CategoryRule, College, SchoolClass, TimeSlot, Venue
from sessions_app.rules import class_cohort, class_name_parts

NOTICE_FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "notice_2020.json"


@transaction.atomic
def notice_load(*, path: Path = NOTICE_FIXTURE) -> tuple[Campaign, bool]:
    """Create the campaign described in the fixture unless it exists; return (campaign, created)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    fields = dict(data["campaign"])
    existing = Campaign.objects.filter(
        title=fields["title"], graduation_year=fields["graduation_year"]
    ).first()
    if existing is not None:
        return existing, False

    fields["fee"] = Decimal(fields["fee"])
    fields["issued_on"] = datetime.date.fromisoformat(fields["issued_on"])
    campaign = Campaign.objects.create(**fields)

    venues = {}
    bound = {}  # cohort (机电17级) -> the venue its classes are shot at only
    for item in data["venues"]:
        venues[item["key"]], _ = Venue.objects.get_or_create(
            name=item["name"],
            defaults={"note": item["note"], "shots_per_hour": item["shots_per_hour"]},
        )
        for cohort in item.get("only_for", []):
            bound[cohort] = venues[item["key"]]

    college_of_major = {}
    for college_name, majors in data["colleges"].items():
        college, _ = College.objects.get_or_create(name=college_name)
        for major in majors:
            college_of_major[major] = college

    rules = {}
    for item in data["categories"]:
        rules[item["category"]] = CategoryRule.objects.create(
            campaign=campaign,
            category=item["category"],
            label=item["label"],
            education_type=item["education_type"],
            school_type=item["school_type"],
        )

    for item in data["slots"]:
        slot = TimeSlot.objects.create(
            campaign=campaign,
            date=datetime.date.fromisoformat(item["date"]),
            start=datetime.time.fromisoformat(item["start"]),
            end=datetime.time.fromisoformat(item["end"]),
            venue=venues[item["venue"]],
        )
        for position, name in enumerate(item["classes"], start=1):
            major, entry_year = class_name_parts(name)
            SchoolClass.objects.create(
                campaign=campaign,
                name=name,
                major=major,
                entry_year=entry_year,
                college=college_of_major.get(major),
                slot=slot,
                position=position,
                venue=bound.get(class_cohort(name, major, entry_year)),
            )
        for position, category in enumerate(item.get("categories", []), start=1):
            rule = rules[category]
            rule.slot = slot
            rule.position = position
            rule.save(update_fields=["slot", "position"])

    for item in data["deferred"]:
        SchoolClass.objects.create(
            campaign=campaign,
            name=item["name"],
            major=item["major"],
            entry_year=item["entry_year"],
            college=college_of_major.get(item["major"]),
            status=SchoolClass.Status.DEFERRED,
        )
    return campaign, True
