"""The data of export blocks a process has read, kept in its memory.

A filled export block never changes: it is dropped, never written again, and
its id is never given to another block (:mod:`sociaparis.survey.blocks`). So a
process that exports a form again (a job worker, the server of the analysis
explorer) needs from the database the data of the blocks it has not read yet
only (the blocks of 20,000 staff-survey responses are 1.5 MB); the others are
kept here as stored (compressed), up to :data:`BLOCK_CACHE_BYTES` a process,
the blocks read longest ago forgotten first.

The database still says, at every reading, which blocks there are: a block
dropped since (one of its responses changed or erased) is never used again,
and its data is forgotten as soon as its version's blocks are read again.
A block is known by its database, its id and the time it was claimed, so that
a database made again under the same address (a test, a restored copy) cannot
hand out another block's data.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime

#: Bytes of block data a process keeps at most (about 800,000 staff-survey
#: responses at 0.08 KB each).
BLOCK_CACHE_BYTES = 64 * 1024 * 1024

_Key = tuple[str, int, int, datetime]  # database, version, block, claimed at


class BlockCache:
    """Block data by block, with a size budget; safe to share between threads.

    Parameters
    ----------
    budget
        Bytes of data kept at most.
    """

    def __init__(self, budget: int = BLOCK_CACHE_BYTES) -> None:
        self.budget = budget
        self._data: OrderedDict[_Key, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    @property
    def size(self) -> int:
        """Bytes of data kept now."""
        return self._size

    def read(
        self,
        database: str,
        instrument_id: int,
        listed: Mapping[int, datetime],
        fetch: Callable[[list[int]], Mapping[int, bytes]],
        *,
        complete: bool,
    ) -> dict[int, bytes]:
        """The data of the ``listed`` blocks of a version, by block id.

        Parameters
        ----------
        database
            What tells the database apart from the others this process reads.
        instrument_id
            The version the blocks belong to.
        listed
            The blocks wanted (id: time claimed), as the database lists them.
        fetch
            Reads the data of the blocks of the ids given from the database;
            a block dropped meanwhile is left out.
        complete
            Whether ``listed`` holds every block the version has now: the
            version's other blocks kept here are forgotten.

        Returns
        -------
        dict
            Data by block id, for the listed blocks kept or fetched.
        """
        wanted = {
            block_id: (database, instrument_id, block_id, claimed_at)
            for block_id, claimed_at in listed.items()
        }
        found: dict[int, bytes] = {}
        with self._lock:
            if complete:
                kept = set(wanted.values())
                for key in [k for k in self._data if k[:2] == (database, instrument_id)]:
                    if key not in kept:
                        self._forget(key)
            for block_id, key in wanted.items():
                data = self._data.get(key)
                if data is not None:
                    self._data.move_to_end(key)
                    found[block_id] = data
        missing = [block_id for block_id in wanted if block_id not in found]
        fetched = fetch(missing) if missing else {}
        with self._lock:
            for block_id, data in fetched.items():
                key = wanted[block_id]
                if key not in self._data:
                    self._data[key] = data
                    self._size += len(data)
            while self._size > self.budget and self._data:
                self._forget(next(iter(self._data)))
        return found | dict(fetched)

    def _forget(self, key: _Key) -> None:
        self._size -= len(self._data.pop(key))


#: This process's blocks, shared by its exports.
BLOCK_DATA = BlockCache()
