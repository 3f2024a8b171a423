"""One class's long lists (a class of 500 on the monitor's page, the money page, the
staff's class page): filtered by a state, searched by 学号 or name, a page at a time,
with the filters carried in every link and back after every form. Hostile values read
as "no filter", never as an error."""

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Q

from capture_portal.http import int_param
from cards_app.rules import name_key, normalise_text
from sessions_app.selectors import name_contains_q

PAGE_SIZE = 100
QUERY_MAX_LENGTH = 30


@dataclass
class Listing:
    page: Page
    show: str
    query: str
    total: int  # rows before filtering

    @property
    def filters(self) -> str:
        """Return the filters as a query string, for the pager and the forms' way back."""
        return list_query(show=self.show, query=self.query)

    @property
    def here(self) -> str:
        """Return the filters and the page, to come back to this very page."""
        params = self.filters
        page = "page=%d" % self.page.number if self.page.number > 1 else ""
        return "&".join(p for p in (params, page) if p)

    @property
    def filtered(self) -> bool:
        return self.show != "all" or bool(self.query)


def list_query(*, show: str = "all", query: str = "") -> str:
    params = {}
    if show and show != "all":
        params["show"] = show
    if query:
        params["q"] = query
    return urlencode(params)


def matches(query: str, student_id: str, name: str) -> bool:
    """Return whether a row matches a search: a 学号 prefix, or part of the name in
    either script and with any separator."""
    if query.isascii() and query.isalnum():
        return student_id.startswith(query)
    return name_key(query) in name_key(name)


def listing(rows, params, *, shows: dict, student=lambda row: row, per_page=PAGE_SIZE) -> Listing:
    """Return the page of ``rows`` that ``params`` (request.GET, or a form's way back)
    ask for. ``shows`` maps each filter's name to a test of a row ("all" is added);
    ``student(row)`` gives the row's student for the search."""
    show = params.get("show", "all")
    if show not in shows:
        show = "all"
    query = normalise_text(params.get("q", ""))[:QUERY_MAX_LENGTH]
    rows = list(rows)
    total = len(rows)
    if show != "all":
        rows = [row for row in rows if shows[show](row)]
    if query:
        rows = [row for row in rows if matches(query, student(row).student_id, student(row).name)]
    page = Paginator(rows, per_page).get_page(int_param(params.get("page")) or 1)
    return Listing(page=page, show=show, query=query, total=total)


def search_q(query: str):
    """Return the condition a search puts on students: a 学号 prefix, or part of the
    name in either script and with any separator (the same as ``matches``)."""
    if query.isascii() and query.isalnum():
        return Q(student_id__startswith=query)
    return name_contains_q(query)


class Counted:
    """A queryset whose length is already known (from the tallies), for a Paginator:
    the page is one query with LIMIT, and no COUNT(*) runs over the whole list."""

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]


def listing_queryset(
    students, params, *, shows: dict, rows=list, total: int | None = None, per_page=PAGE_SIZE
) -> Listing:
    """Return the page of the ``students`` queryset that ``params`` ask for, filtered and
    paged by the database: ``shows`` maps each filter's name to a Q of the students,
    ``rows(students)`` turns the page's students into the page's rows, ``total`` is the
    count before filtering when the caller knows it already."""
    show = params.get("show", "all")
    if show not in shows:
        show = "all"
    query = normalise_text(params.get("q", ""))[:QUERY_MAX_LENGTH]
    found = students
    if show != "all":
        found = found.filter(shows[show])
    if query:
        found = found.filter(search_q(query))
    # Unfiltered with a known total, the pager needs no COUNT(*) of its own.
    known = found is students and total is not None
    pages = Paginator(Counted(found, total) if known else found, per_page)
    page = pages.get_page(int_param(params.get("page")) or 1)
    if total is None:
        total = page.paginator.count if found is students else students.count()
    page.object_list = rows(list(page.object_list))
    return Listing(page=page, show=show, query=query, total=total)


def back_params(value: str) -> dict:
    """Return the filters and page a form sent back (its ``back`` field), as params."""
    parsed = parse_qs((value or "")[:200])
    params = {key: values[0] for key, values in parsed.items() if key in ("show", "q", "page")}
    if params.get("show") == "all":
        del params["show"]
    return params
