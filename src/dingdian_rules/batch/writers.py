"""Batch output, one record per entry as it arrives: JSON Lines (a file or standard output) or
Parquet (pyarrow, the ``parquet`` extra), chosen by the output file's extension.

A writer takes ``BatchResult``s and turns each into its record with ``record``; that is the one
place a later per-decision addition (an audit log, a decision id) hooks in: pass ``on_record``,
called with each result and its record before the record is written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable, TextIO

from ..errors import CaseError, Diagnostic, Location
from .entries import BatchResult

__all__ = ["BatchWriter", "JsonlWriter", "ParquetWriter", "open_writer", "OUTPUT_FORMATS"]

OUTPUT_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
Hook = Callable[[BatchResult, dict[str, Any]], None]


class BatchWriter:
    """Writes one record per result; subclasses say how records are stored."""

    def __init__(self, on_record: Hook | None = None) -> None:
        self.on_record = on_record

    def record(self, result: BatchResult) -> dict[str, Any]:
        out = result.to_dict()
        if self.on_record is not None:
            self.on_record(result, out)
        return out

    def write(self, result: BatchResult) -> None:
        self._store(self.record(result))

    def write_record(self, record: dict[str, Any]) -> None:
        """Write a record made elsewhere (the columnar engine's, docs/cli.md), as it is."""
        self._store(record)

    def _store(self, record: dict[str, Any]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Flush what is buffered and close the file (standard output stays open)."""

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class JsonlWriter(BatchWriter):
    """One JSON object a line, UTF-8, Chinese as written; what UTF-8 cannot encode (a lone
    surrogate from the input) as a ``\\udxxx`` escape."""

    def __init__(self, stream: TextIO, own: bool = False, on_record: Hook | None = None) -> None:
        super().__init__(on_record)
        self.stream, self.own = stream, own

    def write(self, result: BatchResult) -> None:
        if result.payload and self.on_record is None:  # decisions already JSON (another process made them)
            head = json.dumps(result.head(), ensure_ascii=False, separators=(",", ":"))
            self.stream.write(f'{head[:-1]},"decisions":{result.payload}}}\n')
        else:
            super().write(result)

    def _store(self, record: dict[str, Any]) -> None:
        self.stream.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")

    def close(self) -> None:
        if self.own:
            self.stream.close()
        else:
            self.stream.flush()


class ParquetWriter(BatchWriter):
    """A flat table, written in row groups of ``rows_per_group``: ``entry``, ``line``, ``row``,
    ``id``, ``ok``, ``outcomes`` (JSON: question -> outcome), ``decisions`` and ``errors`` (the
    JSON Lines record's lists, as JSON text)."""

    def __init__(self, path: str, rows_per_group: int = 4096, on_record: Hook | None = None) -> None:
        super().__init__(on_record)
        from .tables import pyarrow_parquet
        self.pq = pyarrow_parquet()
        import pyarrow as pa
        self.pa = pa
        self.schema = pa.schema([("entry", pa.int64()), ("line", pa.int64()), ("row", pa.int64()), ("id", pa.string()),
                                 ("ok", pa.bool_()), ("outcomes", pa.string()), ("decisions", pa.string()),
                                 ("errors", pa.string())])
        self.writer = self.pq.ParquetWriter(path, self.schema)
        self.rows: list[dict[str, Any]] = []
        self.rows_per_group = rows_per_group

    def _store(self, record: dict[str, Any]) -> None:
        decisions = record.get("decisions")
        self.rows.append({
            "entry": record["entry"], "line": record["line"], "row": record["row"], "id": record["id"], "ok": record["ok"],
            "outcomes": _dump({d["question"]: d["outcome"] for d in decisions} if decisions is not None else None),
            "decisions": _dump(decisions), "errors": _dump(record.get("errors"))})
        if len(self.rows) >= self.rows_per_group:
            self._flush()

    def _flush(self) -> None:
        if self.rows:
            self.writer.write_table(self.pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self._flush()
        self.writer.close()


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False).encode("utf-8", "backslashreplace").decode()


def output_format(path: str | None) -> str:
    if path in (None, "-"):
        return "stdout"
    fmt = OUTPUT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise CaseError([Diagnostic("unknown-format", f"cannot tell the output format of '{path}' from its extension",
                                    Location(path), "", "name the output .jsonl or .parquet, or give - for JSON "
                                    "Lines on standard output")], f"{path}: unknown output format")
    return fmt


def open_writer(path: str | None, on_record: Hook | None = None) -> BatchWriter:
    """A writer for ``path`` by its extension (``.jsonl``, ``.parquet``), or standard output for None or ``-``."""
    fmt = output_format(path)
    if fmt == "stdout":
        return JsonlWriter(sys.stdout, on_record=on_record)
    assert path is not None
    if fmt == "parquet":
        return ParquetWriter(path, on_record=on_record)
    return JsonlWriter(open(path, "w", encoding="utf-8", errors="backslashreplace"), own=True, on_record=on_record)
