"""The Rooms port on Microsoft Graph (msgraph-sdk): teams, channels, members, app installation.

The SDK's retry middleware stays on for every call but one: `POST /teams` is sent with retries
disabled (`RetryHandlerOption(max_retries=0, should_retry=False)` for that request only),
because the middleware retries POSTs too, a retried `POST /teams` can create a second team, and
after a retry the 202's `Location` header is lost (platform.md §5.7). The saga handles that
request's 429 and 5xx itself. Every Graph failure leaves this module as a classified
`RoomError`, never as an SDK exception.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable
from typing import Any, TypeVar

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_http.middleware.options import HeadersInspectionHandlerOption, RetryHandlerOption
from msgraph import GraphServiceClient

from bot.core.domain.rooms import Kind, RoomError, RoomMember
from bot.core.ports import CreatedTeam, OperationState, RoomChannel
from integrations.graph.client import graph_error_code

log = logging.getLogger(__name__)

T = TypeVar("T")
GRAPH_V1 = "https://graph.microsoft.com/v1.0"
# Location: /teams('{teamId}')/operations('{opId}')  (relative, without the base URL)
_TEAM_IN_PATH = re.compile(r"teams\('([^']+)'\)", re.IGNORECASE)
_OPERATION_IN_PATH = re.compile(r"operations\('([^']+)'\)", re.IGNORECASE)
_TRANSIENT = frozenset({408, 429, 500, 502, 503, 504})


def _header(headers: Any, name: str) -> str | None:
    if headers is None:
        return None
    if hasattr(headers, "get_all"):  # kiota HeadersCollection: name -> set of values
        values = headers.get(name)
        return next(iter(values), None) if values else None
    for key, value in dict(headers).items():
        if str(key).lower() == name.lower():
            if isinstance(value, set | list | tuple):
                return str(next(iter(value), "")) or None
            return str(value)
    return None


def _retry_after(error: APIError) -> float | None:
    value = _header(error.response_headers, "retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def classify(error: Exception, *, action: str, creating: bool = False) -> RoomError:
    """Graph's failure → the saga's kind. `creating`: a POST that may have taken effect."""
    if isinstance(error, APIError):
        status = error.response_status_code or 0
        code = graph_error_code(error)
        message = str(getattr(getattr(error, "error", None), "message", None) or error.message)
        detail = f"{action}: {status} {code} {message}".strip()
        if status == 429:
            return RoomError(
                "throttled", detail, retry_after=_retry_after(error), status=status, code=code
            )
        if status in _TRANSIENT:
            kind: Kind = "uncertain" if creating else "transient"
            return RoomError(
                kind, detail, retry_after=_retry_after(error), status=status, code=code
            )
        if status == 404:
            return RoomError("not_found", detail, status=status, code=code)
        return RoomError("permanent", detail, status=status, code=code or f"http_{status}")
    if isinstance(error, httpx.TransportError):
        network: Kind = "uncertain" if creating else "transient"
        return RoomError(network, f"{action}: {type(error).__name__} {error}")
    raise error


async def _call(action: str, call: Awaitable[T], *, creating: bool = False) -> T:
    try:
        return await call
    except (APIError, httpx.TransportError) as error:
        failure = classify(error, action=action, creating=creating)
        log.warning("graph %s failed (%s): %s", action, failure.kind, failure.detail)
        raise failure from error


def _member_body(member: RoomMember) -> Any:
    from msgraph.generated.models.aad_user_conversation_member import (
        AadUserConversationMember,
    )

    return AadUserConversationMember(
        odata_type="#microsoft.graph.aadUserConversationMember",
        roles=["owner"] if member.owner else [],
        additional_data={"user@odata.bind": f"{GRAPH_V1}/users('{member.user_id}')"},
    )


class GraphRooms:
    """Rooms through `client`; build the client with `build_graph_client` (one per loop)."""

    def __init__(self, client: GraphServiceClient) -> None:
        self._client = client

    async def find_team(self, name_prefix: str, *, unprovisioned: bool = False) -> str | None:
        from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder

        escaped = name_prefix.replace("'", "''")
        config = RequestConfiguration(
            query_parameters=GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters(
                filter=f"startswith(displayName,'{escaped}')",
                select=["id", "displayName", "resourceProvisioningOptions"],
                top=20,
            )
        )
        page = await _call("find team", self._client.groups.get(request_configuration=config))
        for group in (page.value if page else None) or []:
            options = group.resource_provisioning_options or []
            is_team = "Team" in options or unprovisioned
            name = group.display_name or ""
            # "ANS-2026-0042" or "ANS-2026-0042 – …", never "ANS-2026-00421 – …"
            ours = name == name_prefix or name.startswith(name_prefix + " ")
            if group.id and is_team and ours:
                return str(group.id)
        return None

    async def create_team(
        self, *, name: str, description: str, owner_id: str, private: bool
    ) -> CreatedTeam:
        from msgraph.generated.models.team import Team
        from msgraph.generated.models.team_guest_settings import TeamGuestSettings
        from msgraph.generated.models.team_visibility_type import TeamVisibilityType

        team = Team(
            display_name=name,
            description=description,
            visibility=TeamVisibilityType.Private if private else TeamVisibilityType.Public,
            guest_settings=TeamGuestSettings(
                allow_create_update_channels=False, allow_delete_channels=False
            ),
            # application permissions require an owner in `members` (platform.md §5.1)
            members=[_member_body(RoomMember(owner_id, owner=True))],
            additional_data={
                "template@odata.bind": f"{GRAPH_V1}/teamsTemplates('standard')",
            },
        )
        headers = HeadersInspectionHandlerOption(inspect_response_headers=True)
        config = RequestConfiguration(
            options=[RetryHandlerOption(max_retries=0, should_retry=False), headers]
        )
        await _call(
            "create team",
            self._client.teams.post(team, request_configuration=config),
            creating=True,
        )
        location = _header(headers.response_headers, "location") or ""
        content = _header(headers.response_headers, "content-location") or ""
        team_match = _TEAM_IN_PATH.search(location) or _TEAM_IN_PATH.search(content)
        operation_match = _OPERATION_IN_PATH.search(location)
        if team_match is None:
            # 202 without a Location: the team exists somewhere; the lookup will find it
            raise RoomError("uncertain", "create team: 202 without a Location header")
        return CreatedTeam(
            team_match.group(1), operation_match.group(1) if operation_match else None
        )

    async def operation(self, team_id: str, operation_id: str) -> OperationState:
        op = await _call(
            "poll team operation",
            self._client.teams.by_team_id(team_id)
            .operations.by_teams_async_operation_id(operation_id)
            .get(),
        )
        if op is None:
            raise RoomError("transient", "poll team operation: empty answer")
        status = getattr(op.status, "value", op.status)
        error = ""
        if op.error is not None:
            error = f"{op.error.code or ''}: {op.error.message or ''}".strip(": ")
        return OperationState(str(status), op.target_resource_id, error)

    async def team_web_url(self, team_id: str) -> str:
        team = await _call("get team", self._client.teams.by_team_id(team_id).get())
        return str(team.web_url or "") if team else ""

    async def channels(self, team_id: str) -> list[RoomChannel]:
        page = await _call("list channels", self._client.teams.by_team_id(team_id).channels.get())
        return [
            RoomChannel(str(c.id), str(c.display_name or ""), str(c.web_url or ""))
            for c in (page.value if page else None) or []
            if c.id
        ]

    async def create_channel(
        self, team_id: str, *, name: str, description: str, private: bool, owner_id: str
    ) -> RoomChannel:
        from msgraph.generated.models.channel import Channel
        from msgraph.generated.models.channel_membership_type import ChannelMembershipType

        channel = Channel(
            display_name=name,
            description=description,
            membership_type=ChannelMembershipType.Private
            if private
            else ChannelMembershipType.Standard,
            # a private channel created with application permissions needs its owner
            members=[_member_body(RoomMember(owner_id, owner=True))] if private else None,
        )
        # The middleware's retry of this POST is safe enough: a duplicate name is refused
        # with 400 (names are unique in a team), and the saga lists channels before creating.
        created = await _call(
            "create channel", self._client.teams.by_team_id(team_id).channels.post(channel)
        )
        if created is None or not created.id:
            raise RoomError("transient", "create channel: empty answer")
        return RoomChannel(
            str(created.id), str(created.display_name or name), created.web_url or ""
        )

    async def member_ids(self, team_id: str, channel_id: str | None = None) -> set[str]:
        team = self._client.teams.by_team_id(team_id)
        builder = team.channels.by_channel_id(channel_id).members if channel_id else team.members
        page = await _call("list members", builder.get())
        found: set[str] = set()
        for member in (page.value if page else None) or []:
            user_id = getattr(member, "user_id", None)
            if user_id:
                found.add(str(user_id))
        return found

    async def add_member(
        self, team_id: str, member: RoomMember, channel_id: str | None = None
    ) -> None:
        team = self._client.teams.by_team_id(team_id)
        builder = team.channels.by_channel_id(channel_id).members if channel_id else team.members
        try:
            await _call("add member", builder.post(_member_body(member)))
        except RoomError as error:
            if error.status == 409:  # a member already: what we wanted
                return
            raise

    async def install_app(self, team_id: str, app_id: str) -> None:
        from msgraph.generated.models.teams_app_installation import TeamsAppInstallation

        body = TeamsAppInstallation(
            additional_data={"teamsApp@odata.bind": f"{GRAPH_V1}/appCatalogs/teamsApps/{app_id}"}
        )
        try:
            await _call(
                "install app", self._client.teams.by_team_id(team_id).installed_apps.post(body)
            )
        except RoomError as error:
            if error.status == 409:  # installed already
                return
            raise
