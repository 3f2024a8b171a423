"""Read a workbook's worksheets in a child process with a memory ceiling.

calamine allocates every cell of a sheet's used range up front; a crafted or damaged
file can ask it for hundreds of gigabytes, and a failed allocation in Rust aborts the
process rather than raising. Run here, that abort ends only this child: the portal's
worker sees a non-zero exit and refuses the file.

Protocol: the file's bytes on stdin; on stdout, a pickle of
``{"sheets": [(index, name, visible, rows or None)], "error": None | "password" | "broken"}``.
This module needs only python-calamine, not Django, so it starts fast.
"""

import io
import pickle
import resource
import sys


def read(data: bytes) -> dict:
    from python_calamine import (
        CalamineWorkbook,
        PasswordError,
        SheetTypeEnum,
        SheetVisibleEnum,
    )

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
            rows = list(book.get_sheet_by_index(index).iter_rows())
        except Exception:
            rows = None  # one damaged sheet: the roster may be on another
        sheets.append((index, meta.name, meta.visible == SheetVisibleEnum.Visible, rows))
    return {"sheets": sheets, "error": None}


def main() -> int:
    ceiling = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if ceiling:
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    data = sys.stdin.buffer.read()
    result = read(data)
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":
    sys.exit(main())
