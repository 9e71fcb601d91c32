"""Reading files that may come from outside the team: inside their folder, ordinary, bounded.

Company folders, rosters and even content folders can come from people who
do not run the build. A file in them may be a link to `/etc/passwd` or
`/dev/zero`, a named pipe that blocks forever, or a few gigabytes. Every read
of such a file goes through `read_inside` (or `read_bounded`, for a file the
user named on the command line), which resolves links first, refuses anything
that ends up outside the folder or is not an ordinary file, and never reads
more than its limit plus one byte, whatever size the file claims to have.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import Problem, UserError


def describe_size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{limit / 1024:g} KB"


def outside(path: Path, root: Path) -> bool:
    """Whether `path`, after following every link, lies outside `root` (also resolved)."""
    return not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root))


def read_inside(path: Path, root: Path, limit: int) -> bytes:
    """The bytes of `path`, which must resolve inside `root` and be an ordinary file of at most `limit` bytes."""
    if outside(path, root):
        raise UserError(
            Problem(
                f"this is a link to a file outside {Path(root).name}/: copy the file into the folder instead",
                path,
            )
        )
    return read_bounded(path, limit)


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the ordinary file `path`, refusing pipes, devices and anything over `limit` bytes.

    The file is opened without blocking (a named pipe would otherwise wait
    for a writer forever) and read up to `limit + 1` bytes: the size a file
    reports is not trusted (`/dev/zero` reports none).
    """
    try:
        handle = os.open(os.path.realpath(path), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UserError(Problem("file not found", path)) from None
    except OSError as error:
        raise UserError(Problem(f"cannot read the file: {error.strerror}", path)) from None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise UserError(Problem("not an ordinary file (a folder, pipe or device): it is not read", path))
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(handle, min(1024 * 1024, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise UserError(Problem(f"cannot read the file: {error.strerror}", path)) from None
    finally:
        os.close(handle)
    if size > limit:
        raise UserError(Problem(f"file too large (the limit is {describe_size(limit)})", path))
    return b"".join(chunks)


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 text, or a located error for a file saved in another encoding."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UserError(
            Problem(f"not valid UTF-8 text ({error.reason} at byte {error.start}); save it as UTF-8", path, line)
        ) from None


def walk_files(root: Path) -> list[Path]:
    """Every entry under `root` that is not a folder, without following links to folders, in name order.

    Hidden files and folders (editor swap files, `.git`) are left out.
    """
    found: list[Path] = []
    for folder, folders, files in os.walk(root, followlinks=False):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        base = Path(folder)
        found.extend(base / name for name in sorted(files) if not name.startswith("."))
        # Links to folders are listed in `folders` by os.walk but never entered: treat them as entries.
        found.extend(base / name for name in folders if (base / name).is_symlink())
    return sorted(found)
