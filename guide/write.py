"""Stage 5: put bytes on disk without ever leaving a half-written file or a half-updated folder.

Each file is first written in full to a temporary file beside it; only when
every file of a target is written are they renamed over the old ones, the
manifest last. A full disk, a read-only folder or a kill during the first
phase leaves the previous outputs and manifest exactly as they were (the
temporary files are removed, or by the next build if the process was
killed); renaming cannot run out of space.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import Problem, UserError


def write_atomic(path: Path, data: bytes | str, mode: int = 0o644) -> Path:
    """Write `data` to `path` atomically, readable as `mode` says, and return `path`."""
    write_all({path: data.encode("utf-8") if isinstance(data, str) else data}, mode)
    return path


def write_all(files: dict[Path, bytes], mode: int = 0o644, keep_mode: bool = False) -> list[Path]:
    """Write every file, or none: all are staged as temporary files, then renamed in order.

    With `keep_mode`, a file that exists keeps its permissions (a company.yaml
    readable by its owner only stays so); new files get `mode`.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            own = stat.S_IMODE(os.stat(path).st_mode) if keep_mode and path.is_file() else mode
            staged.append((_stage(path, data, own), path))
        for temporary, path in staged:
            os.replace(temporary, path)
    except OSError as error:
        failed = Path(error.filename) if error.filename else None
        raise UserError(
            Problem(
                f"cannot write the outputs ({error.strerror or error}); the previous files are unchanged. "
                "Check that the folder is writable and that the disk has room",
                failed,
            )
        ) from None
    finally:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
    return list(files)


def _stage(path: Path, data: bytes, mode: int) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary
