"""A zip-bomb Excel workbook, for the hostile-file tests and benchmarks/hostile_files.py."""

from __future__ import annotations

import zipfile
from pathlib import Path


def zip_bomb_workbook(path: Path, inflated_mb: int) -> Path:
    """A real workbook (xlsxwriter's) whose sheet is padded with ``inflated_mb`` MB of white space before
    its root element: still well-formed, a few MB zipped, and the workbook reader used to inflate it all."""
    import xlsxwriter

    plain = path.with_name("plain.xlsx")
    wb = xlsxwriter.Workbook(str(plain))
    wb.add_worksheet("List 1").write_row(0, 0, ["Child Unique ID", "Gender"])
    wb.close()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, data)
                continue
            declaration, _, rest = data.partition(b"?>")
            with out.open(info.filename, "w", force_zip64=True) as f:
                f.write(declaration + b"?>")
                for _ in range(inflated_mb):
                    f.write(b" " * (1 << 20))
                f.write(rest)
    plain.unlink()
    return path
