"""Reads of the campaign's tallies (sessions_app/summary/rules.py)."""

from sessions_app.models import TallyCell


def tally_rows(*, campaign_id: int, homes=None, owns=None) -> dict:
    """Return the campaign's tally rows, {(home, own, category): {counter: value}}: all
    of them, or those of the ``homes`` (the ledger lines of those classes) and of the
    ``owns`` (the students of those classes). One query."""
    cells = TallyCell.objects.filter(campaign_id=campaign_id)
    if homes is not None or owns is not None:
        from django.db.models import Q

        condition = Q(pk__in=[])
        if homes is not None:
            condition |= Q(home_key__in=list(homes))
        if owns is not None:
            condition |= Q(own_key__in=list(owns))
        cells = cells.filter(condition)
    rows: dict = {}
    for home, own, category, counter, value in cells.values_list(
        "home_key", "own_key", "category", "counter", "value"
    ):
        if value:
            rows.setdefault((home, own, category), {})[counter] = value
    return rows


def member_counts(rows: dict, *, own: int) -> dict:
    """Return the readiness counts of a class's students (its member rows, every
    category), summed: {counter: value}."""
    total: dict = {}
    for (home, row_own, _category), counts in rows.items():
        if home == own and row_own == own:
            for name, value in counts.items():
                total[name] = (
                    max(total.get(name, 0), value)
                    if name == "last_activity"
                    else (total.get(name, 0) + value)
                )
    return total
