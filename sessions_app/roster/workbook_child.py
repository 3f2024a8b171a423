"""Read a workbook's worksheets in a child process with a memory ceiling.

calamine allocates every cell of a sheet's used range up front; a crafted or damaged
file can ask it for hundreds of gigabytes, and a failed allocation in Rust aborts the
process rather than raising. Run here, that abort ends only this child: the portal's
worker sees a non-zero exit and refuses the file.

The ceiling covers what comes back too: rows are counted and measured here, before
they are pickled, so a sheet whose rows and cells carry no ``r=`` attribute (valid
OOXML that the parent's extent check cannot measure from the XML) cannot send the
worker millions of cells. Trailing blank cells of a row are dropped: calamine pads
every row to the used range's width.

Protocol: the file's bytes on stdin, the ceilings as arguments (memory in bytes, rows
with content, cells with content, characters); on stdout, a pickle of
``{"sheets": [(index, name, visible, rows or None)],
"error": None | "password" | "broken" | "too_big"}``.
This module needs only python-calamine, not Django, so it starts fast.
"""

import io
import pickle
import resource
import sys


class TooBig(Exception):
    pass


class Budget:
    """What may still cross back to the worker: rows and cells with content, text."""

    def __init__(self, rows: int, cells: int, chars: int):
        self.rows, self.cells, self.chars = rows, cells, chars

    def take(self, row: list) -> list:
        """Return ``row`` without its trailing blanks, charged to the budget."""
        end = len(row)
        while end and (row[end - 1] is None or row[end - 1] == ""):
            end -= 1
        if not end:
            return []
        row = row[:end]
        self.rows -= 1
        for value in row:
            if value is not None and value != "":
                self.cells -= 1
                if value.__class__ is str:
                    self.chars -= len(value)
        if self.rows < 0 or self.cells < 0 or self.chars < 0:
            raise TooBig
        return row


def read(data: bytes, budget: Budget | None = None) -> dict:
    from python_calamine import (
        CalamineWorkbook,
        PasswordError,
        SheetTypeEnum,
        SheetVisibleEnum,
    )

    budget = budget or Budget(rows=10**9, cells=10**12, chars=10**12)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = book.sheets_metadata
    except PasswordError:
        return {"sheets": [], "error": "password"}
    except Exception:
        return {"sheets": [], "error": "broken"}
    sheets = []
    for index, meta in enumerate(metadata):
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        try:
            rows = [budget.take(row) for row in book.get_sheet_by_index(index).iter_rows()]
        except TooBig:
            return {"sheets": [], "error": "too_big"}
        except Exception:
            rows = None  # one damaged sheet: the roster may be on another
        sheets.append((index, meta.name, meta.visible == SheetVisibleEnum.Visible, rows))
    return {"sheets": sheets, "error": None}


def main() -> int:
    ceiling, rows, cells, chars = (int(a) for a in (sys.argv[1:] + ["0"] * 4)[:4])
    if ceiling:
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    data = sys.stdin.buffer.read()
    budget = Budget(rows=rows, cells=cells, chars=chars) if rows else None
    result = read(data, budget)
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":
    sys.exit(main())
