"""Files only their owner can read: the data folder and what is written in it.

The data folder holds every answer, the interview transcripts and the
re-identification table, so another account on the machine must not read it:
sociaparis creates the folder with mode 0700 and its files (the database and
its ``-wal`` and ``-shm`` files, the lock file, the secret key, the links of
``invite --out``) with mode 0600, and warns when an existing folder is more
open. The ``sociaparis`` command also runs with the umask 077, so that every
file it writes (exports, reports, backups) is private too.
"""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path

#: The process umask of the ``sociaparis`` command: no access for group and others.
PRIVATE_UMASK = 0o077


def private_folder(path: Path) -> Path:
    """Create ``path`` (and missing parents) with mode 0700 if it does not exist.

    An existing folder keeps its mode (:func:`open_folder_warning` says when it
    is too open); missing parents are created 0700 as well.
    """
    missing: list[Path] = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 if it does not exist (else leave it)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    os.close(descriptor)
    return path


def write_private_text(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path``, which is left with mode 0600 whatever it had."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding=encoding, newline="") as handle:
        os.fchmod(descriptor, 0o600)
        handle.write(text)


def open_folder_warning(folder: Path) -> str | None:
    """A warning if ``folder``, or a file or folder directly in it, is open to
    other accounts (any group or other permission bit); None if it is private
    or does not exist.
    """
    try:
        entries = [folder, *sorted(folder.iterdir())]
    except (FileNotFoundError, NotADirectoryError):
        return None
    except PermissionError:
        entries = [folder]
    opened = []
    for entry in entries:
        try:
            mode = entry.lstat().st_mode
        except OSError:
            continue
        if not stat.S_ISLNK(mode) and mode & 0o077:
            opened.append(f"{entry} ({stat.S_IMODE(mode):04o})")
    if not opened:
        return None
    shown = ", ".join(opened[:3])
    if len(opened) > 3:
        shown += f" and {len(opened) - 3} more"
    return (
        f"Warning: other accounts on this machine can open the data folder's "
        f"content: {shown}. It holds every answer and the re-identification "
        f"table. Make it private with: chmod -R go-rwx {shlex.quote(str(folder))}"
    )
