"""A fake Microsoft Graph: an aiohttp server answering with Graph's JSON shapes and status codes.

It serves the directory endpoints from a YamlDirectory (the demo by default):

    GET /v1.0/users/{id}                 ($select)
    GET /v1.0/users/{id}/manager         (404 when none; "@odata.type": "#microsoft.graph.user")
    GET /v1.0/users                      ($filter: startswith(...) or ..., $top, $select, paging)
    GET /v1.0/groups/{id}/members        (paged with @odata.nextLink, page size `page_size`)

It records every request, and can answer the next matching requests with an error
(`fail_next`: 429 with Retry-After, 403, 5xx). More endpoints (a later issue: /teams) are added
by subclassing and extending `register`, or with `add_route` before `start`; the recording and
failure injection apply to every route.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from integrations.directory.yaml_directory import YamlDirectory

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

METADATA = "https://graph.microsoft.com/v1.0/$metadata"
TENANT_DOMAIN = "lillestrom.onmicrosoft.com"
PROCUREMENT_GROUP_ID = "grp-innkjop"
# what Graph returns for a user when no $select is given (userType, department are not in it)
DEFAULT_USER_FIELDS = (
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
)
_CLAUSE = re.compile(r"startswith\((\w+),\s*'((?:[^']|'')*)'\)")
_OR = re.compile(r"\s+or\s+")
_ERROR_CODES = {
    400: "Request_BadRequest",
    401: "InvalidAuthenticationToken",
    403: "Authorization_RequestDenied",
    404: "Request_ResourceNotFound",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}
_ERROR_MESSAGES = {
    403: "Insufficient privileges to complete the operation.",
    429: "Too many requests.",
}


@dataclass
class GraphRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class _Failure:
    pattern: re.Pattern[str]
    method: str | None
    status: int
    retry_after: str | None
    code: str
    remaining: int


def graph_error(status: int, code: str | None = None, message: str | None = None) -> web.Response:
    """Graph's error body, with the innerError Graph adds."""
    return web.json_response(
        {
            "error": {
                "code": code or _ERROR_CODES.get(status, "UnknownError"),
                "message": message or _ERROR_MESSAGES.get(status, "injected by the fake Graph"),
                "innerError": {
                    "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                    "request-id": str(uuid.uuid4()),
                    "client-request-id": str(uuid.uuid4()),
                },
            }
        },
        status=status,
    )


def _not_found(what: str) -> web.Response:
    return graph_error(
        404,
        "Request_ResourceNotFound",
        f"Resource '{what}' does not exist or one of its queried reference-property objects "
        "are not present.",
    )


def user_json(person: Any, *, tenant_domain: str = TENANT_DOMAIN) -> dict[str, Any]:
    """A Graph `user` resource for a directory Person (every property we know)."""
    words = person.name.split(" (")[0].split()
    if person.is_guest:
        upn = f"{person.email.replace('@', '_')}#EXT#@{tenant_domain}"
    else:
        upn = person.email or f"{person.id}@{tenant_domain}"
    return {
        "id": person.id,
        "businessPhones": [],
        "displayName": person.name,
        "givenName": words[0] if words else None,
        "surname": words[-1] if len(words) > 1 else None,
        "jobTitle": None,
        "mail": person.email or None,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": person.locale,
        "userPrincipalName": upn,
        "userType": "Guest" if person.is_guest else "Member",
        "department": person.unit or None,
    }


@dataclass
class FakeGraph:
    """The fake server; `url` is the base URL to put in `GRAPH__BASE_URL` (ends in /v1.0)."""

    directory: YamlDirectory = field(default_factory=YamlDirectory.demo)
    procurement_group_id: str = PROCUREMENT_GROUP_ID
    page_size: int = 100  # Graph's page size when no $top is given
    max_page_size: int = 999  # Graph's cap on $top
    members_page_size: int = 999  # cap for group members; lower it to force paging
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    managers: dict[str, str] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    requests: list[GraphRequest] = field(default_factory=list)
    failures: list[_Failure] = field(default_factory=list)
    _extra_routes: list[tuple[str, str, Handler]] = field(default_factory=list)
    _server: TestServer | None = None
    _tokens: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        for person in self.directory.people:
            self.add_user(user_json(person), manager_id=person.manager_id)
        self.groups.setdefault(
            self.procurement_group_id,
            [p.id for p in self.directory.people if p.in_procurement],
        )

    # Setup

    def add_user(self, user: dict[str, Any], *, manager_id: str | None = None) -> None:
        self.users[user["id"]] = user
        if manager_id:
            self.managers[user["id"]] = manager_id

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        """Register another endpoint (path relative to the server root, e.g. /v1.0/teams)."""
        self._extra_routes.append((method, path, handler))

    def register(self, router: web.UrlDispatcher) -> None:
        """The routes; a subclass extends this for more of Graph."""
        router.add_get("/v1.0/users", self._list_users)
        router.add_get("/v1.0/users/{id}", self._get_user)
        router.add_get("/v1.0/users/{id}/manager", self._get_manager)
        router.add_get("/v1.0/groups/{id}/members", self._list_members)
        for method, path, handler in self._extra_routes:
            router.add_route(method, path, handler)

    def fail_next(
        self,
        path: str,
        status: int,
        *,
        count: int = 1,
        retry_after: float | None = None,
        code: str | None = None,
        method: str | None = "GET",
    ) -> None:
        """Answer the next `count` requests whose path matches the regex `path` with `status`."""
        self.failures.append(
            _Failure(
                re.compile(path),
                method,
                status,
                None if retry_after is None else str(int(retry_after)),
                code or _ERROR_CODES.get(status, "UnknownError"),
                count,
            )
        )

    def forbid_manager(self, *, count: int = 1_000_000) -> None:
        """What a tenant that refuses app-only manager lookups answers."""
        self.fail_next(r"^/v1\.0/users/[^/]+/manager$", 403, count=count)

    # Inspection

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        return str(self._server.make_url("/v1.0"))

    def requests_to(self, path: str) -> list[GraphRequest]:
        pattern = re.compile(path)
        return [r for r in self.requests if pattern.search(r.path)]

    def make_app(self) -> web.Application:
        """The fake as an aiohttp application (`start` serves it on a free port; scripts may
        serve it on a fixed one)."""
        app = web.Application(middlewares=[self._record_and_fail])
        self.register(app.router)
        return app

    async def start(self) -> None:
        app = self.make_app()
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    # Middleware

    @web.middleware
    async def _record_and_fail(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.requests.append(
            GraphRequest(request.method, request.path, dict(request.query), dict(request.headers))
        )
        for failure in self.failures:
            if failure.remaining > 0 and failure.pattern.search(request.path):
                if failure.method is not None and failure.method != request.method:
                    continue
                failure.remaining -= 1
                response = graph_error(failure.status, failure.code)
                if failure.retry_after is not None:
                    response.headers["Retry-After"] = failure.retry_after
                return response
        return await handler(request)

    # Handlers

    def _select(self, user: dict[str, Any], request: web.Request) -> dict[str, Any]:
        select = request.query.get("$select")
        fields = select.split(",") if select else list(DEFAULT_USER_FIELDS)
        return {name: user.get(name) for name in fields if name in user}

    def _context(self, request: web.Request, entity_set: str, *, entity: bool) -> str:
        select = request.query.get("$select")
        shape = f"{entity_set}({select})" if select else entity_set
        return f"{METADATA}#{shape}" + ("/$entity" if entity else "")

    async def _get_user(self, request: web.Request) -> web.Response:
        user = self.users.get(request.match_info["id"])
        if user is None:
            return _not_found(request.match_info["id"])
        body = {"@odata.context": self._context(request, "users", entity=True)}
        return web.json_response({**body, **self._select(user, request)})

    async def _get_manager(self, request: web.Request) -> web.Response:
        user_id = request.match_info["id"]
        if user_id not in self.users:
            return _not_found(user_id)
        manager = self.users.get(self.managers.get(user_id, ""))
        if manager is None:
            return _not_found("manager")
        return web.json_response(
            {
                "@odata.context": self._context(request, "directoryObjects", entity=True),
                "@odata.type": "#microsoft.graph.user",
                **self._select(manager, request),
            }
        )

    async def _list_users(self, request: web.Request) -> web.Response:
        matches = list(self.users.values())
        if "$filter" in request.query:
            clauses = _parse_filter(request.query["$filter"])
            if clauses is None:
                return graph_error(
                    400, "Request_UnsupportedQuery", "Unsupported or invalid query filter."
                )
            matches = [u for u in matches if any(_starts(u, f, v) for f, v in clauses)]
        body = self._page(request, matches, "users")
        body["value"] = [self._select(u, request) for u in body["value"]]
        return web.json_response(body)

    async def _list_members(self, request: web.Request) -> web.Response:
        members = self.groups.get(request.match_info["id"])
        if members is None:
            return _not_found(request.match_info["id"])
        rows = [
            {"@odata.type": "#microsoft.graph.user", **self._select(self.users[m], request)}
            for m in members
            if m in self.users
        ]
        return web.json_response(
            self._page(request, rows, "directoryObjects", cap=self.members_page_size)
        )

    def _page(
        self,
        request: web.Request,
        rows: list[dict[str, Any]],
        entity_set: str,
        *,
        cap: int | None = None,
    ) -> dict[str, Any]:
        size = min(int(request.query.get("$top", self.page_size)), self.max_page_size, cap or 10**9)
        skip = int(request.query.get("$skiptoken", "0") or 0)
        body: dict[str, Any] = {
            "@odata.context": self._context(request, entity_set, entity=False),
            "value": rows[skip : skip + size],
        }
        if skip + size < len(rows):
            query = {k: v for k, v in request.query.items() if k != "$skiptoken"}
            query["$skiptoken"] = str(skip + size)
            body["@odata.nextLink"] = str(request.url.with_query(query))
        return body


def _parse_filter(text: str) -> list[tuple[str, str]] | None:
    """`startswith(f,'v') or startswith(g,'w')` → [(f, v), (g, w)]; None when not that form."""
    clauses = []
    position = 0
    text = text.strip()
    while True:
        match = _CLAUSE.match(text, position)
        if match is None:
            return None
        clauses.append((match.group(1), match.group(2).replace("''", "'")))
        position = match.end()
        if position == len(text):
            return clauses
        separator = _OR.match(text, position)
        if separator is None:
            return None
        position = separator.end()


def _starts(user: dict[str, Any], field_name: str, value: str) -> bool:
    # Graph's startswith is case-insensitive, and not accent-insensitive
    actual = user.get(field_name)
    return isinstance(actual, str) and actual.casefold().startswith(value.casefold())
