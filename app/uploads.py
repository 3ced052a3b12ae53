"""An uploaded scenario zip, read in memory: known file names only, sizes bounded first.

Nothing of an upload is extracted by the name the client chose. The archive's directory is
checked before any entry is decompressed:

* every entry is ``settings.toml`` or one of the scenario's CSV files
  (:data:`SCENARIO_FILES`), at the top of the archive or in one common folder
  (``tiny/offers.csv``); macOS metadata (``__MACOSX/``, ``.DS_Store``) is skipped unread;
* anything else is refused, naming the entry: a backslash, an absolute path, ``..``, a
  deeper folder, an unknown name, a duplicate, an encrypted or unusually compressed entry;
* the number of entries, their total uncompressed size and each entry's compression ratio
  are bounded (a zip bomb is refused from its directory, and a lying directory is caught
  while reading, which stops at the declared size).

:func:`write_scenario_files` then writes the accepted contents into a folder the server
created, under the fixed names of :data:`SCENARIO_FILES`, for the scenario loader.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from solver.scenario import TABLES

#: The files a scenario folder may hold (the only names read from an upload).
SCENARIO_FILES: tuple[str, ...] = ("settings.toml", *(spec.file for spec in TABLES))

_SKIPPED_FOLDERS = ("__MACOSX",)
_SKIPPED_NAMES = (".DS_Store",)
_FOLDER_NAME = re.compile(r"^[^\\/:*?\"<>|\x00-\x1f]{1,128}$")
_CHUNK_BYTES = 1 << 16


class UploadError(ValueError):
    """An upload refused before reading its content; ``entry`` names the zip entry at fault."""

    def __init__(self, entry: str | int | None, message: str) -> None:
        super().__init__(message)
        self.entry = entry
        self.message = message


@dataclass(frozen=True)
class ZipLimits:
    """Bounds checked on the zip's directory before any entry is decompressed."""

    max_entries: int
    max_total_bytes: int
    max_ratio: float
    entries_setting: str = "max_zip_files"
    bytes_setting: str = "max_zip_bytes"
    ratio_setting: str = "max_zip_ratio"


def read_scenario_zip(data: bytes, limits: ZipLimits) -> dict[str, bytes]:
    """The scenario files of a zip, by their fixed name (:data:`SCENARIO_FILES`).

    Raises
    ------
    UploadError
        Not a zip, an entry refused (named), a limit exceeded, or no ``settings.toml``.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise UploadError(f"{len(data)} bytes", "not a zip file") from None
    with archive:
        infos = archive.infolist()
        _check_directory(infos, limits)
        wanted = _select(infos)
        return {name: _read(archive, info) for name, info in wanted.items()}


def _check_directory(infos: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    if len(infos) > limits.max_entries:
        msg = (
            f"{len(infos)} entries exceed the limit of {limits.max_entries} "
            f"(setting {limits.entries_setting})"
        )
        raise UploadError(len(infos), msg)
    total = sum(i.file_size for i in infos)
    if total > limits.max_total_bytes:
        msg = (
            f"{total} uncompressed bytes exceed the limit of {limits.max_total_bytes} "
            f"(setting {limits.bytes_setting})"
        )
        raise UploadError(total, msg)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1_000 and ratio > limits.max_ratio:
            msg = (
                f"entry {info.filename!r} expands {ratio:.0f} times, over the limit of "
                f"{limits.max_ratio:g} (setting {limits.ratio_setting})"
            )
            raise UploadError(info.filename, msg)


def _entry_parts(name: str) -> tuple[str, ...]:
    """The path parts of a safe entry name; raises for any path trick."""
    if "\\" in name:
        raise UploadError(name, f"entry {name!r}: unsafe path (a backslash)")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise UploadError(name, f"entry {name!r}: unsafe path (absolute)")
    parts = tuple(name.rstrip("/").split("/"))
    if any(p in ("", ".", "..") for p in parts):
        raise UploadError(name, f"entry {name!r}: unsafe path (an empty, '.' or '..' part)")
    return parts


def _skipped(parts: tuple[str, ...]) -> bool:
    return parts[0] in _SKIPPED_FOLDERS or parts[-1] in _SKIPPED_NAMES


def _select(infos: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """Scenario file name -> its entry; every other entry is refused (or skipped, metadata)."""
    allowed = ", ".join(SCENARIO_FILES)
    folder: str | None = None
    top_level = False
    out: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        parts = _entry_parts(name)
        if _skipped(parts):
            continue
        if len(parts) > 2 or (info.is_dir() and len(parts) > 1):
            msg = f"entry {name!r}: only the scenario files, in at most one folder, are read"
            raise UploadError(name, msg)
        if info.is_dir() or len(parts) == 2:
            top = parts[0]
            if not _FOLDER_NAME.match(top):
                raise UploadError(name, f"entry {name!r}: unusable folder name")
            if folder is not None and top != folder:
                msg = f"entry {name!r}: a second folder ({folder!r} came first); zip one scenario"
                raise UploadError(name, msg)
            if top_level:
                msg = f"entry {name!r}: in a folder while other files are not; zip one folder"
                raise UploadError(name, msg)
            folder = top
            if info.is_dir():
                continue
        elif folder is not None:
            msg = f"entry {name!r}: outside folder {folder!r}; zip one scenario folder"
            raise UploadError(name, msg)
        else:
            top_level = True
        file = parts[-1]
        if file not in SCENARIO_FILES:
            raise UploadError(name, f"entry {name!r}: not a scenario file (allowed: {allowed})")
        if file in out:
            raise UploadError(name, f"entry {name!r}: {file} appears twice")
        if info.flag_bits & 0x1:
            raise UploadError(name, f"entry {name!r}: encrypted entries are refused")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UploadError(name, f"entry {name!r}: compress it with deflate (or store it)")
        out[file] = info
    if "settings.toml" not in out:
        msg = "the zip must hold one scenario: settings.toml and the CSV files"
        raise UploadError(None, msg)
    return out


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """An entry's bytes, never more than its declared size."""
    buf = bytearray()
    try:
        with archive.open(info) as fh:
            while chunk := fh.read(_CHUNK_BYTES):
                buf += chunk
                if len(buf) > info.file_size:
                    msg = f"entry {info.filename!r}: larger than its declared size"
                    raise UploadError(info.filename, msg)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        if isinstance(exc, UploadError):
            raise
        msg = f"entry {info.filename!r}: cannot be read ({type(exc).__name__})"
        raise UploadError(info.filename, msg) from None
    return bytes(buf)


def write_scenario_files(files: Mapping[str, bytes], folder: Path) -> Path:
    """Write ``files`` into ``folder`` (created by the caller) under their fixed names."""
    for name in SCENARIO_FILES:
        if name in files:
            (folder / PurePosixPath(name).name).write_bytes(files[name])
    return folder
