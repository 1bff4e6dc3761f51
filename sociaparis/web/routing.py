"""Fixed routes matched by their path segments: the respondent pages' lean path.

The respondent pages carry nearly all of a survey's traffic (50,000 staff, a
few seconds a page). FastAPI's per-request machinery (a stack of middleware,
dependency solving, parameter validation) weighs as much as a page's own work,
so :class:`sociaparis.web.app.Application` sends these paths straight to their
handler and everything else through FastAPI (figures in ``docs/benchmarks.md``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.responses import Response

Endpoint = Callable[..., Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Route:
    """One route: an HTTP method, a path pattern and the handler that answers it.

    ``path`` is made of literal segments and ``{name}`` segments; a ``{name}``
    segment matches one non-empty segment and is passed to the handler as the
    keyword argument ``name``.
    """

    method: str
    path: str
    endpoint: Endpoint

    @property
    def segments(self) -> tuple[str, ...]:
        """The pattern's segments (without the leading slash)."""
        return tuple(self.path[1:].split("/"))


class Routes:
    """A few fixed routes, tried in the order given (the first that matches wins).

    >>> async def page(request, resume, page_name): ...
    >>> routes = Routes(Route("GET", "/r/{resume}/{page_name}", page))
    >>> routes.match("GET", "/r/abc/intro")[1]
    {'resume': 'abc', 'page_name': 'intro'}
    >>> routes.match("POST", "/r/abc/intro") is None
    True
    """

    def __init__(self, *routes: Route) -> None:
        for route in routes:
            if not route.path.startswith("/") or "" in route.segments:
                raise ValueError(f"a route path is /segment/...: {route.path!r}")
        self._by_shape: dict[tuple[str, int], list[tuple[Route, tuple[str, ...]]]] = {}
        for route in routes:
            shape = (route.method, len(route.segments))
            self._by_shape.setdefault(shape, []).append((route, route.segments))

    def match(self, method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
        """The handler of ``method`` on ``path`` and its path parameters, or None.

        HEAD is answered as GET. A path with an empty segment matches nothing.
        """
        parts = path[1:].split("/") if path.startswith("/") else []
        wanted = "GET" if method == "HEAD" else method
        for route, segments in self._by_shape.get((wanted, len(parts)), ()):
            params: dict[str, str] = {}
            for segment, part in zip(segments, parts, strict=True):
                if not part:
                    break
                if segment[0] == "{":
                    params[segment[1:-1]] = part
                elif segment != part:
                    break
            else:
                return route.endpoint, params
        return None
