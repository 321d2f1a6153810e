"""Files Winnow writes for the user (exports, plots): whole or not at all.

    with whole_file(path) as tmp:      # write to `tmp`; on success it becomes `path`
        tmp.write_text(text)

A write that fails half-way (a full disk, a size limit) used to leave the target cut
short, and when the target was the user's previous export (`refs.bib` that LaTeX reads),
that one was gone too. The text goes to a temporary file beside the target and is renamed
over it only once written whole; the previous file keeps its place and its permission
bits. A symlinked target is replaced where the link points (the link stays); a target
that is not a regular file (/dev/stdout, a FIFO) is written in place, as before.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def whole_file(path: str | os.PathLike[str]) -> Iterator[Path]:
    target = Path(os.path.realpath(path))
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        yield Path(path)
        return
    # The suffix stays last: matplotlib tells the image format by it.
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}{target.suffix}")
    try:
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # umask applies
    except PermissionError:
        if mode is None:
            raise
        # A file the user may write in a folder they may not: in place, as before.
        yield Path(path)
        return
    try:
        if mode is not None:
            shutil.copymode(target, temp)
        yield temp
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
