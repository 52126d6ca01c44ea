"""The fake Graph's Teams endpoints (collaboration rooms), in Graph's JSON shapes:

    POST /v1.0/teams                                  202, Location + Content-Location, no body
    GET  /v1.0/teams/{id}/operations/{op}             teamsAsyncOperation notStarted → inProgress
                                                      → succeeded (or failed, on demand)
    GET  /v1.0/teams/{id}                             404 for a while after creation (replication)
    GET  /v1.0/groups?$filter=startswith(displayName,'…')   resourceProvisioningOptions ["Team"]
    GET/POST /v1.0/teams/{id}/channels                201 with the channel; 400 on a taken name
    GET/POST /v1.0/teams/{id}/members                 aadUserConversationMember
    GET/POST /v1.0/teams/{id}/channels/{cid}/members
    POST /v1.0/teams/{id}/channels/{cid}/messages     201 with the chatMessage
    POST /v1.0/teams/{id}/installedApps               201; 409 when installed already
    POST /v1.0/users/{id}/teamwork/installedApps      201; 409 when installed already

Faults: everything of FakeGraph (`fail_next`: 429 with Retry-After, 503...), plus
`lose_create_answers` (the team is created but the client gets a 504: its answer is lost),
`fail_operations` (the next operations end `failed`) and `replication_404s` (a new team answers
404 that many times after its operation succeeded). Counts, not clocks: tests stay deterministic.
"""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.fake_graph import METADATA, FakeGraph, graph_error

_USER_BIND = re.compile(r"users\('([^']+)'\)")
_STARTSWITH = re.compile(r"^startswith\(displayName,\s*'((?:[^']|'')*)'\)$")
TEMPLATE_BIND = "https://graph.microsoft.com/v1.0/teamsTemplates('standard')"


@dataclass
class FakeTeam:
    id: str
    display_name: str
    description: str = ""
    visibility: str = "private"
    provisioned: bool = False
    not_found_left: int = 0
    channels: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    channel_members: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    apps: list[str] = field(default_factory=list)

    @property
    def web_url(self) -> str:
        return f"https://teams.microsoft.com/l/team/19%3a{self.id}%40thread.tacv2/conversations"


@dataclass
class FakeOperation:
    id: str
    team_id: str
    polls: int = 0
    fails: bool = False


@dataclass
class FakeTeamsGraph(FakeGraph):
    """FakeGraph with Teams; `teams` holds every team created or added."""

    teams: dict[str, FakeTeam] = field(default_factory=dict)
    operations: dict[str, FakeOperation] = field(default_factory=dict)
    # how many polls an operation stays notStarted, then inProgress, before it ends
    polls_not_started: int = 1
    polls_in_progress: int = 1
    lose_create_answers: int = 0
    fail_operations: int = 0
    replication_404s: int = 0
    # person id → the request bodies of app installations for them (in order)
    user_installs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def register(self, router: web.UrlDispatcher) -> None:
        router.add_post("/v1.0/teams", self._create_team)
        router.add_get("/v1.0/teams/{id}/operations/{op}", self._get_operation)
        router.add_get("/v1.0/teams/{id}", self._get_team)
        router.add_get("/v1.0/groups", self._list_groups)
        router.add_get("/v1.0/teams/{id}/channels", self._list_channels)
        router.add_post("/v1.0/teams/{id}/channels", self._create_channel)
        router.add_get("/v1.0/teams/{id}/members", self._list_members_of_team)
        router.add_post("/v1.0/teams/{id}/members", self._add_member)
        router.add_get("/v1.0/teams/{id}/channels/{cid}/members", self._list_channel_members)
        router.add_post("/v1.0/teams/{id}/channels/{cid}/members", self._add_channel_member)
        router.add_post("/v1.0/teams/{id}/channels/{cid}/messages", self._post_message)
        router.add_post("/v1.0/teams/{id}/installedApps", self._install_app)
        router.add_post("/v1.0/users/{id}/teamwork/installedApps", self._install_for_user)
        super().register(router)

    # Setup and inspection

    def add_team(self, team_id: str, name: str, *, member_ids: tuple[str, ...] = ()) -> FakeTeam:
        """An existing, provisioned team (channel mode's procurement team)."""
        team = FakeTeam(team_id, name, provisioned=True)
        team.channels.append(self._channel_json(team, "General", "standard"))
        for user_id in member_ids:
            team.members.append(self._member_json(user_id, []))
        self.teams[team_id] = team
        return team

    def teams_named(self, prefix: str) -> list[FakeTeam]:
        return [t for t in self.teams.values() if t.display_name.startswith(prefix)]

    # Helpers

    def _team(self, request: web.Request) -> FakeTeam | None:
        return self.teams.get(request.match_info["id"])

    def _missing(self, request: web.Request) -> web.Response:
        return graph_error(
            404, "NotFound", f"No team found with Group Id {request.match_info['id']}"
        )

    def _replicating(self, team: FakeTeam) -> bool:
        if team.not_found_left > 0:
            team.not_found_left -= 1
            return True
        return False

    def _member_json(self, user_id: str, roles: list[str]) -> dict[str, Any]:
        user = self.users.get(user_id, {})
        return {
            "@odata.type": "#microsoft.graph.aadUserConversationMember",
            "id": f"MCMjMjU{uuid.uuid5(uuid.NAMESPACE_OID, user_id).hex}",
            "roles": roles,
            "displayName": user.get("displayName"),
            "visibleHistoryStartDateTime": "0001-01-01T00:00:00Z",
            "userId": user_id,
            "email": user.get("mail"),
            "tenantId": "tenant-lillestrom",
        }

    def _channel_json(self, team: FakeTeam, name: str, membership: str) -> dict[str, Any]:
        channel_id = f"19:{uuid.uuid4().hex}@thread.tacv2"
        return {
            "id": channel_id,
            "createdDateTime": "2026-12-01T09:00:00Z",
            "displayName": name,
            "description": None,
            "email": "",
            "membershipType": membership,
            "isArchived": False,
            "tenantId": "tenant-lillestrom",
            "webUrl": f"https://teams.microsoft.com/l/channel/{channel_id}/{name}"
            f"?groupId={team.id}",
        }

    def _parse_members(self, body: dict[str, Any]) -> list[tuple[str, list[str]]] | None:
        found = []
        for member in body.get("members") or []:
            if member.get("@odata.type") != "#microsoft.graph.aadUserConversationMember":
                return None
            match = _USER_BIND.search(str(member.get("user@odata.bind") or ""))
            if match is None:
                return None
            found.append((match.group(1), list(member.get("roles") or [])))
        return found

    # Teams

    async def _create_team(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        if body.get("template@odata.bind") != TEMPLATE_BIND:
            return graph_error(
                400, "BadRequest", "The navigation bind for template was missing in request."
            )
        members = self._parse_members(body)
        if not members or not any("owner" in roles for _, roles in members):
            # what Graph says to an app that creates a team without an owner
            return graph_error(
                400,
                "BadRequest",
                "An owner must be specified when creating a team with application permissions.",
            )
        if not body.get("displayName"):
            return graph_error(400, "BadRequest", "displayName is required.")
        team = FakeTeam(
            str(uuid.uuid4()),
            str(body["displayName"]),
            str(body.get("description") or ""),
            str(body.get("visibility") or "public").lower(),
        )
        team.channels.append(self._channel_json(team, "General", "standard"))
        for user_id, roles in members:
            team.members.append(self._member_json(user_id, roles))
        self.teams[team.id] = team
        operation = FakeOperation(str(uuid.uuid4()), team.id)
        if self.fail_operations > 0:
            self.fail_operations -= 1
            operation.fails = True
        self.operations[operation.id] = operation
        if self.lose_create_answers > 0:
            self.lose_create_answers -= 1
            return graph_error(504, "GatewayTimeout", "The gateway timed out.")
        return web.Response(
            status=202,
            headers={
                "Location": f"/teams('{team.id}')/operations('{operation.id}')",
                "Content-Location": f"/teams('{team.id}')",
                "Content-Length": "0",
            },
        )

    async def _get_operation(self, request: web.Request) -> web.Response:
        operation = self.operations.get(request.match_info["op"])
        if operation is None or operation.team_id != request.match_info["id"]:
            return graph_error(404, "NotFound", "Operation not found.")
        operation.polls += 1
        team = self.teams[operation.team_id]
        error = None
        if operation.polls <= self.polls_not_started:
            status = "notStarted"
        elif operation.polls <= self.polls_not_started + self.polls_in_progress:
            status = "inProgress"
        elif operation.fails:
            status = "failed"
            error = {"code": "InternalServerError", "message": "Failed to provision the team."}
        else:
            status = "succeeded"
            if not team.provisioned:
                team.provisioned = True
                team.not_found_left = self.replication_404s
        return web.json_response(
            {
                "@odata.context": f"{METADATA}#teams('{team.id}')/operations/$entity",
                "id": operation.id,
                "operationType": "createTeam",
                "createdDateTime": "2026-12-01T09:00:00Z",
                "status": status,
                "lastActionDateTime": "2026-12-01T09:00:30Z",
                "attemptsCount": 1,
                "targetResourceId": team.id,
                "targetResourceLocation": f"/teams('{team.id}')",
                "error": error,
            }
        )

    def _tick(self, team: FakeTeam) -> None:
        """Time passes for a team nobody polls: its operation moves on as if polled."""
        operation = next((o for o in self.operations.values() if o.team_id == team.id), None)
        if operation is None or team.provisioned or operation.fails:
            return
        operation.polls += 1
        if operation.polls > self.polls_not_started + self.polls_in_progress:
            team.provisioned = True
            team.not_found_left = self.replication_404s

    async def _get_team(self, request: web.Request) -> web.Response:
        team = self._team(request)
        if team is not None and not team.provisioned:
            self._tick(team)
            return self._missing(request)
        if team is None or not team.provisioned or self._replicating(team):
            return self._missing(request)
        return web.json_response(
            {
                "@odata.context": f"{METADATA}#teams/$entity",
                "id": team.id,
                "createdDateTime": "2026-12-01T09:00:00Z",
                "displayName": team.display_name,
                "description": team.description,
                "internalId": f"19:{team.id}@thread.tacv2",
                "classification": None,
                "specialization": "none",
                "visibility": team.visibility,
                "webUrl": team.web_url,
                "isArchived": False,
                "tenantId": "tenant-lillestrom",
                "isMembershipLimitedToOwners": False,
            }
        )

    async def _list_groups(self, request: web.Request) -> web.Response:
        match = _STARTSWITH.match(request.query.get("$filter", "").strip())
        if match is None:
            return graph_error(400, "Request_UnsupportedQuery", "Unsupported query filter.")
        prefix = match.group(1).replace("''", "'").casefold()
        rows = [
            {
                "id": team.id,
                "displayName": team.display_name,
                "resourceProvisioningOptions": ["Team"] if team.provisioned else [],
            }
            for team in self.teams.values()
            if team.display_name.casefold().startswith(prefix)
        ]
        return web.json_response({"@odata.context": f"{METADATA}#groups", "value": rows})

    # Channels

    async def _list_channels(self, request: web.Request) -> web.Response:
        team = self._team(request)
        if team is None or not team.provisioned or self._replicating(team):
            return self._missing(request)
        return web.json_response(
            {"@odata.context": f"{METADATA}#teams('{team.id}')/channels", "value": team.channels}
        )

    async def _create_channel(self, request: web.Request) -> web.Response:
        team = self._team(request)
        if team is None or not team.provisioned or self._replicating(team):
            return self._missing(request)
        body = await request.json()
        name = str(body.get("displayName") or "")
        if not name or len(name) > 50 or re.search(r"[~#%&*{}+/\\:<>?|'\"]", name):
            return graph_error(400, "BadRequest", "Channel name is invalid.")
        if any(c["displayName"].casefold() == name.casefold() for c in team.channels):
            return graph_error(400, "NameAlreadyExists", f"Channel name '{name}' already existed.")
        membership = str(body.get("membershipType") or "standard")
        members = self._parse_members(body) or []
        if membership == "private" and not any("owner" in roles for _, roles in members):
            return graph_error(400, "BadRequest", "A private channel needs an owner.")
        channel = self._channel_json(team, name, membership)
        channel["description"] = body.get("description")
        team.channels.append(channel)
        if membership == "private":
            team.channel_members[channel["id"]] = [
                self._member_json(user_id, roles) for user_id, roles in members
            ]
        return web.json_response(
            {"@odata.context": f"{METADATA}#teams('{team.id}')/channels/$entity", **channel},
            status=201,
        )

    def _channel(self, team: FakeTeam, channel_id: str) -> dict[str, Any] | None:
        return next((c for c in team.channels if c["id"] == channel_id), None)

    # Members

    def _members_page(self, members: list[dict[str, Any]]) -> web.Response:
        return web.json_response({"@odata.context": f"{METADATA}#teams/members", "value": members})

    async def _read_member(self, request: web.Request) -> tuple[str, list[str]] | None:
        body = await request.json()
        parsed = self._parse_members({"members": [body]})
        return parsed[0] if parsed else None

    async def _list_members_of_team(self, request: web.Request) -> web.Response:
        team = self._team(request)
        if team is None or not team.provisioned or self._replicating(team):
            return self._missing(request)
        return self._members_page(team.members)

    async def _add_member(self, request: web.Request) -> web.Response:
        team = self._team(request)
        if team is None or not team.provisioned or self._replicating(team):
            return self._missing(request)
        parsed = await self._read_member(request)
        if parsed is None or parsed[0] not in self.users:
            return graph_error(400, "BadRequest", "Invalid user binding.")
        user_id, roles = parsed
        existing = next((m for m in team.members if m["userId"] == user_id), None)
        if existing is None:
            existing = self._member_json(user_id, roles)
            team.members.append(existing)
        return web.json_response(existing, status=201)

    async def _list_channel_members(self, request: web.Request) -> web.Response:
        team = self._team(request)
        if team is None or self._channel(team, request.match_info["cid"]) is None:
            return self._missing(request)
        members = team.channel_members.get(request.match_info["cid"], team.members)
        return self._members_page(members)

    async def _add_channel_member(self, request: web.Request) -> web.Response:
        team = self._team(request)
        if team is None or self._channel(team, request.match_info["cid"]) is None:
            return self._missing(request)
        parsed = await self._read_member(request)
        if parsed is None:
            return graph_error(400, "BadRequest", "Invalid user binding.")
        user_id, roles = parsed
        if all(m["userId"] != user_id for m in team.members):
            # a private channel's members must be members of the team
            return graph_error(400, "BadRequest", "User is not a member of the team.")
        members = team.channel_members.setdefault(request.match_info["cid"], [])
        existing = next((m for m in members if m["userId"] == user_id), None)
        if existing is None:
            existing = self._member_json(user_id, roles)
            members.append(existing)
        return web.json_response(existing, status=201)

    # Messages and apps

    async def _post_message(self, request: web.Request) -> web.Response:
        team = self._team(request)
        channel_id = request.match_info["cid"]
        if team is None or self._channel(team, channel_id) is None:
            return self._missing(request)
        body = await request.json()
        message = {
            "id": str(next(self._ids)),
            "messageType": "message",
            "createdDateTime": "2026-12-01T09:01:00Z",
            "body": body.get("body"),
            "attachments": body.get("attachments") or [],
            "channelIdentity": {"teamId": team.id, "channelId": channel_id},
        }
        team.messages.setdefault(channel_id, []).append(message)
        return web.json_response(message, status=201)

    async def _install_for_user(self, request: web.Request) -> web.Response:
        person_id = request.match_info["id"]
        if person_id not in self.users:
            return graph_error(404, "NotFound", f"User {person_id} not found.")
        body = await request.json()
        earlier = self.user_installs.setdefault(person_id, [])
        earlier.append(body)
        if len(earlier) > 1:
            return graph_error(409, "Conflict", "The app is already installed for this user.")
        return web.json_response(
            {
                "@odata.type": "#microsoft.graph.userScopeTeamsAppInstallation",
                "id": f"{person_id}##{len(earlier)}",
            },
            status=201,
        )

    async def _install_app(self, request: web.Request) -> web.Response:
        team = self._team(request)
        if team is None or not team.provisioned or self._replicating(team):
            return self._missing(request)
        body = await request.json()
        bind = str(body.get("teamsApp@odata.bind") or "")
        app_id = bind.rsplit("/", 1)[-1]
        if not app_id:
            return graph_error(400, "BadRequest", "teamsApp@odata.bind is required.")
        if app_id in team.apps:
            return graph_error(409, "Conflict", "The app is already installed.")
        team.apps.append(app_id)
        return web.json_response(
            {"id": f"{team.id}##{app_id}", "teamsApp": {"id": app_id}}, status=201
        )
