"""How the portal writes numbers for people: amounts in 元 with thousands separators.

Django's zh_Hans locale groups digits by nothing (THOUSAND_SEPARATOR is empty), so
33440.00 would be hard to read on the overview; pages, messages and printed lists all
write money through yuan().
"""

from decimal import Decimal, InvalidOperation


def yuan(value) -> str:
    """Return an amount as 33,440.00 (two decimals, comma every three digits); "" for
    no value."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{amount:,.2f}"
