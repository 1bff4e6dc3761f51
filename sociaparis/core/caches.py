"""The process-wide caches: bounded, least recently used out first, thread-safe.

A value computed from what the caller has at hand (a stored instrument and its
model, a form's plan, a statement compiled for a dialect, a view kept between a
respondent's requests) is kept in a :class:`BoundedCache`; a pure function of its
arguments (parsed expressions, compiled patterns, the questions' texts and HTML)
is :func:`memoized`. Each has a known size, and none is corrupted when several
threads use it at once (the PostgreSQL database threads of
:mod:`sociaparis.web.database`).
"""

from __future__ import annotations

import _thread
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any, Generic, ParamSpec, TypeVar, overload

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
D = TypeVar("D")
P = ParamSpec("P")
R = TypeVar("R")
_MISSING: Any = object()
_allocate_lock = threading.Lock
_get_ident = threading.get_ident


class BoundedCache(Generic[K, V]):
    """At most ``maxsize`` values by key (or values weighing ``maxsize`` in all,
    with ``weigh``); the least recently used goes first.

    Every operation holds the cache's lock. :meth:`get` computes a missing value
    once: a thread asking for a key that another is computing waits for that
    value; threads that find their key, or compute another one, are not held
    up. A computation that raises stores nothing (a thread that waited for it
    then computes the value itself). A computation may use other caches, and
    this one for other keys.

    Parameters
    ----------
    maxsize
        How many values are kept (1 or more); with ``weigh``, their total weight.
    weigh
        The weight of a value (its size in bytes, say), or None to count values.
        A value heavier than ``maxsize`` on its own is not kept, and pushes
        out no other.

    Examples
    --------
    >>> squares = BoundedCache[int, int](maxsize=2)
    >>> squares.get(3, lambda n: n * n)
    9
    >>> squares.get(4, lambda n: n * n), squares.get(3, lambda n: -1)
    (16, 9)
    >>> squares.get(5, lambda n: n * n), squares.keys()  # 4 was used least lately
    (25, [3, 5])
    """

    __slots__ = ("maxsize", "_values", "_flights", "_lock", "_weigh", "_weight")

    def __init__(self, maxsize: int, weigh: Callable[[V], int] | None = None) -> None:
        if isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 1:
            raise ValueError(f"maxsize must be an integer of 1 or more, got {maxsize!r}")
        self.maxsize = maxsize
        self._weigh = weigh
        self._weight = 0
        self._values: OrderedDict[K, V] = OrderedDict()
        self._flights: dict[K, tuple[_thread.LockType, int]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._values

    @property
    def weight(self) -> int:
        """The total weight of the values kept (with ``weigh``; else their number)."""
        return self._weight if self._weigh is not None else len(self._values)

    def keys(self) -> list[K]:
        """The keys kept, least recently used first."""
        with self._lock:
            return list(self._values)

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._values.clear()
            self._weight = 0

    @overload
    def find(self, key: K) -> V | None: ...
    @overload
    def find(self, key: K, default: D) -> V | D: ...
    def find(self, key: K, default: Any = None) -> Any:
        """The value of ``key`` if kept, now the most recently used (``default``
        when not kept); computes nothing."""
        with self._lock:
            value = self._values.get(key, _MISSING)
            if value is _MISSING:
                return default
            self._values.move_to_end(key)
            return value

    def get(self, key: K, compute: Callable[[K], V]) -> V:
        """The value of ``key``; ``compute(key)`` gives it when it is not kept."""
        # acquire/release rather than `with`: this is on every respondent page.
        lock = self._lock
        lock.acquire()
        try:
            values = self._values
            value = values.get(key, _MISSING)
            if value is not _MISSING:
                values.move_to_end(key)
                return value  # type: ignore[no-any-return]
        finally:
            lock.release()
        return self._compute(key, compute)

    def _compute(self, key: K, compute: Callable[[K], V]) -> V:
        """The value of ``key`` found missing: kept meanwhile, computed by the
        thread already at it, or computed here."""
        lock = self._lock
        while True:
            lock.acquire()
            try:
                value = self._values.get(key, _MISSING)
                if value is not _MISSING:
                    self._values.move_to_end(key)
                    return value  # type: ignore[no-any-return]
                flight = self._flights.get(key)
                if flight is None:
                    # Held until the value is kept (or its computation failed).
                    done = _allocate_lock()
                    done.acquire()
                    self._flights[key] = (done, _get_ident())
                    break
            finally:
                lock.release()
            if flight[1] == _get_ident():
                return compute(key)  # the computation of key needs key itself
            flight[0].acquire()  # wait for the thread computing it, then look again
            flight[0].release()
        try:
            value = compute(key)
        except BaseException:
            with lock:
                del self._flights[key]
            done.release()
            raise
        lock.acquire()
        try:
            del self._flights[key]
            self._store(key, value)
        finally:
            lock.release()
        done.release()
        return value

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` for ``key``, as the most recently used."""
        lock = self._lock
        lock.acquire()
        try:
            self._store(key, value)
        finally:
            lock.release()

    @overload
    def pop(self, key: K) -> V | None: ...
    @overload
    def pop(self, key: K, default: D) -> V | D: ...
    def pop(self, key: K, default: Any = None) -> Any:
        """Take the value of ``key`` out of the cache (``default`` when not kept)."""
        lock = self._lock
        lock.acquire()
        try:
            value = self._values.pop(key, _MISSING)
            if value is _MISSING:
                return default
            if self._weigh is not None:
                self._weight -= self._weigh(value)
            return value
        finally:
            lock.release()

    def _store(self, key: K, value: V) -> None:
        values = self._values
        weigh = self._weigh
        if weigh is None:
            if key in values:
                values.move_to_end(key)
            values[key] = value
            if len(values) > self.maxsize:
                values.popitem(last=False)
            return
        old = values.pop(key, _MISSING)
        if old is not _MISSING:
            self._weight -= weigh(old)
        weight = weigh(value)
        if weight > self.maxsize:
            return  # kept, it would push out every other value, then itself
        values[key] = value
        self._weight += weight
        while self._weight > self.maxsize:
            self._weight -= weigh(values.popitem(last=False)[1])


def memoized(maxsize: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Memoize a pure function of hashable arguments: the ``maxsize`` most recently
    used results are kept.

    The cache is :func:`functools.lru_cache`'s: bounded, least recently used out
    first, coherent when threads call it at once, and its hits run no Python code
    (the respondent pages make tens a page). Unlike :meth:`BoundedCache.get`, two
    threads that miss the same arguments at the same moment may both compute
    the result, which for a pure function only costs the time: making each call
    wait for the other (a second hash of the arguments on every miss, a page's
    question blocks for the questions' HTML) cost more than the rare duplicate.
    The memoized function says ``memoized`` is true, and has ``cache_info()``,
    ``cache_parameters()`` and ``cache_clear()``.

    >>> @memoized(maxsize=128)
    ... def double(text: str) -> str:
    ...     return text * 2
    >>> double("ab"), double("ab"), double.cache_info().hits
    ('abab', 'abab', 1)
    """
    if isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 1:
        raise ValueError(f"maxsize must be an integer of 1 or more, got {maxsize!r}")

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        cached = lru_cache(maxsize=maxsize)(function)
        cached.memoized = True  # type: ignore[attr-defined]
        return cached  # type: ignore[return-value]

    return decorate
