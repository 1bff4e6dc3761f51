"""The data of export blocks a process has read, kept in its memory.

A filled export block never changes: it is dropped, never written again, and
its id is never given to another block (:mod:`sociaparis.survey.blocks`). So a
process that exports a form again (a job worker, the server of the analysis
explorer) needs from the database the data of the blocks it has not read yet
only (the blocks of 20,000 staff-survey responses are 1.5 MB); the others are
kept in :data:`BLOCK_DATA` as stored (compressed), up to
:data:`BLOCK_CACHE_BYTES` a process, the blocks read longest ago forgotten
first.

The database still says, at every reading, which blocks there are: a block
dropped since (one of its responses changed or erased) is never used again,
and its data is forgotten as soon as its version's blocks are read again.
A block is known by its database, its id and the time it was claimed, so that
a database made again under the same address (a test, a restored copy) cannot
hand out another block's data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from sociaparis.core.caches import BoundedCache

#: Bytes of block data a process keeps at most (about 800,000 staff-survey
#: responses at 0.08 KB each).
BLOCK_CACHE_BYTES = 64 * 1024 * 1024

BlockKey = tuple[str, int, int, datetime]  # database, version, block, claimed at

#: This process's blocks, shared by its exports: data by :data:`BlockKey`.
BLOCK_DATA: BoundedCache[BlockKey, bytes] = BoundedCache(BLOCK_CACHE_BYTES, weigh=len)


def read_blocks(
    kept: BoundedCache[BlockKey, bytes],
    database: str,
    instrument_id: int,
    listed: Mapping[int, datetime],
    fetch: Callable[[list[int]], Mapping[int, bytes]],
    *,
    complete: bool,
) -> dict[int, bytes]:
    """The data of the ``listed`` blocks of a version, by block id: those in
    ``kept``, and the others fetched from the database (then kept).

    Parameters
    ----------
    kept
        The blocks' data kept in memory (:data:`BLOCK_DATA`).
    database
        What tells the database apart from the others this process reads.
    instrument_id
        The version the blocks belong to.
    listed
        The blocks wanted (id: time claimed), as the database lists them.
    fetch
        Reads the data of the blocks of the ids given from the database; a
        block dropped meanwhile is left out.
    complete
        Whether ``listed`` holds every block the version has now: the
        version's other blocks are forgotten.

    Returns
    -------
    dict
        Data by block id, for the listed blocks kept or fetched.
    """
    wanted = {
        block_id: (database, instrument_id, block_id, claimed_at)
        for block_id, claimed_at in listed.items()
    }
    if complete:
        current = set(wanted.values())
        for key in kept.keys():
            if key[:2] == (database, instrument_id) and key not in current:
                kept.pop(key)
    found = {
        block_id: data
        for block_id, key in wanted.items()
        if (data := kept.find(key)) is not None
    }
    missing = [block_id for block_id in wanted if block_id not in found]
    fetched = dict(fetch(missing)) if missing else {}
    for block_id, data in fetched.items():
        kept.put(wanted[block_id], data)
    return found | fetched
