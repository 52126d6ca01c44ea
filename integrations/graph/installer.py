"""Installing our Teams app for a person through Graph, so the bot gets a 1:1 chat with them.

`POST /users/{id}/teamwork/installedApps` with the app's catalog id. Teams then sends the bot a
conversationUpdate for the new chat, which stores the conversation and wakes the person's
waiting notices (bot/core/services/conversations.py). Needs the application permission
`TeamsAppInstallation.ReadWriteForUser.All` (or ...ReadWriteSelfForUser.All for our app only).
"""

from __future__ import annotations

import logging

from kiota_abstractions.api_error import APIError
from msgraph import GraphServiceClient
from msgraph.generated.models.user_scope_teams_app_installation import (
    UserScopeTeamsAppInstallation,
)

from bot.settings import GraphSettings
from integrations.graph.client import graph_error_code

log = logging.getLogger(__name__)

ALREADY_INSTALLED = 409


class GraphAppInstaller:
    def __init__(self, client: GraphServiceClient, settings: GraphSettings) -> None:
        self._client = client
        self._app_id = settings.teams_app_id
        self._catalog = f"{settings.base_url.rstrip('/')}/appCatalogs/teamsApps/{self._app_id}"

    async def install_for(self, person_id: str) -> bool:
        installation = UserScopeTeamsAppInstallation(
            additional_data={"teamsApp@odata.bind": self._catalog}
        )
        try:
            await self._client.users.by_user_id(person_id).teamwork.installed_apps.post(
                installation
            )
        except APIError as error:
            if error.response_status_code == ALREADY_INSTALLED:
                return True
            log.warning(
                "could not install the app for %s: %s %s (grant "
                "TeamsAppInstallation.ReadWriteSelfForUser.All and publish the app to the catalog)",
                person_id,
                error.response_status_code,
                graph_error_code(error),
            )
            return False
        log.info("installed the app for %s; waiting for Teams to open the chat", person_id)
        return True
