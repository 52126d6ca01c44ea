"""Reading a KAV export: CSV (`;` or `,`, UTF-8 with or without BOM, or Windows-1252) or XLSX.

Headers are matched case- and whitespace-insensitively against the default Norwegian column
names, or against a mapping YAML (`columns: {number: "Avtale nr", ...}`) that overrides some.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openpyxl import load_workbook

from bot.core.domain.contract_rows import DEFAULT_COLUMNS, REQUIRED_FIELDS
from bot.core.i18n import t


class ImportFileError(Exception):
    """The file cannot be read at all (missing, wrong type, no header, required columns absent).
    The message is already translated."""


@dataclass(frozen=True)
class SourceRow:
    line: int  # the row's line in the file (the header is line 1), as Excel numbers rows
    cells: dict[str, object]  # keyed by field name (DEFAULT_COLUMNS)


def _norm(header: object) -> str:
    return " ".join(str(header or "").replace("\ufeff", "").split()).casefold()


def load_mapping(path: Path | None, lang: str = "nb") -> dict[str, str]:
    """Field → column header: the defaults, overridden by the YAML's `columns`."""
    columns = dict(DEFAULT_COLUMNS)
    if path is None:
        return columns
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ImportFileError(
            t("contracts.import.mapping_invalid", lang, path=path, reason=exc)
        ) from exc
    overrides = data.get("columns") if isinstance(data, dict) else None
    if not isinstance(overrides, dict):
        raise ImportFileError(
            t("contracts.import.mapping_invalid", lang, path=path, reason="columns: {...}")
        )
    unknown = sorted(str(k) for k in overrides if k not in DEFAULT_COLUMNS)
    if unknown:
        reason = ", ".join(unknown)
        raise ImportFileError(t("contracts.import.mapping_invalid", lang, path=path, reason=reason))
    columns.update({str(k): str(v) for k, v in overrides.items()})
    return columns


def _decode(raw: bytes) -> str:
    # UTF-8 first (it rejects Windows-1252 text with æøå almost always); the BOM is dropped.
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _csv_rows(path: Path) -> list[tuple[int, list[object]]]:
    text = _decode(path.read_bytes())
    first_line = text.split("\n", 1)[0].strip()
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    if first_line.lower().startswith("sep=") and len(first_line) == 5:
        delimiter = first_line[4]  # Excel's hint line; it counts as line 1
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    if first_line.lower().startswith("sep=") and len(first_line) == 5:
        next(reader)
    rows: list[tuple[int, list[object]]] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        rows.append((line, list(cells)))
    return rows


def _xlsx_rows(path: Path) -> list[tuple[int, list[object]]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [
            (index, list(values))
            for index, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def read_rows(path: Path, columns: Mapping[str, str], lang: str = "nb") -> list[SourceRow]:
    """All data rows (blank ones skipped), cells keyed by field name."""
    if not path.is_file():
        raise ImportFileError(t("contracts.import.file_missing", lang, path=path))
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm"}:
            raw = _xlsx_rows(path)
        elif suffix in {".csv", ".txt"}:
            raw = _csv_rows(path)
        else:
            raise ImportFileError(t("contracts.import.file_type", lang, path=path))
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl/zipfile/csv: any failure means the file is unreadable
        reason = f"{type(exc).__name__}: {exc}"
        raise ImportFileError(
            t("contracts.import.file_unreadable", lang, path=path, reason=reason)
        ) from exc
    raw = [(line, cells) for line, cells in raw if any(_norm(c) for c in cells)]
    if not raw:
        raise ImportFileError(t("contracts.import.empty", lang, path=path))
    _, header = raw[0]
    positions = {_norm(name): index for index, name in enumerate(header) if _norm(name)}
    where: dict[str, int] = {}
    for name, column in columns.items():
        if _norm(column) in positions:
            where[name] = positions[_norm(column)]
    missing = [columns[name] for name in REQUIRED_FIELDS if name not in where]
    if missing:
        found = ", ".join(str(h) for h in header if _norm(h))
        raise ImportFileError(
            t(
                "contracts.import.columns_missing",
                lang,
                path=path,
                columns=", ".join(missing),
                found=found,
            )
        )
    rows: list[SourceRow] = []
    for line, cells in raw[1:]:
        values: dict[str, Any] = {}
        for name, index in where.items():
            values[name] = cells[index] if index < len(cells) else None
        rows.append(SourceRow(line=line, cells=values))
    return rows
