"""Typed settings for the whole product, read from the environment (and `.env`).

Nested groups use a double underscore: `BOT__APP_ID`, `DB__URL`, `GRAPH__TENANT_ID`.
Every threshold and lead time lives here with the date it applies from, never in code.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.core.domain.thresholds import ThresholdSet


class Environment(StrEnum):
    LOCAL = "local"
    TEST = "test"
    PROD = "prod"


class BotSettings(BaseModel):
    """The Azure Bot registration. An empty app id means anonymous, loopback-only mode."""

    app_id: str = ""
    app_password: SecretStr = SecretStr("")
    app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = "SingleTenant"
    app_tenant_id: str = ""
    host: str = "127.0.0.1"
    port: int = 3978
    max_body_bytes: int = 256 * 1024


class DatabaseSettings(BaseModel):
    url: str = "sqlite+aiosqlite:///var/innkjop.db"
    echo: bool = False
    # Schema to use on PostgreSQL (tests create a fresh one per run).
    schema_name: str = ""


class GraphSettings(BaseModel):
    """Microsoft Graph access (app-only). `auth = none` is for a local fake Graph or Dev Proxy."""

    auth: Literal["none", "client_secret", "certificate", "managed_identity"] = "none"
    tenant_id: str = ""
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    certificate_path: str = ""
    base_url: str = "https://graph.microsoft.com/v1.0"
    # Entra group whose members are the procurement section.
    procurement_group_id: str = ""
    teams_app_id: str = ""  # catalog id of our Teams app, for proactive installation


class DirectorySettings(BaseModel):
    source: Literal["yaml", "graph"] = "yaml"
    # Empty = the bundled demo directory (integrations/directory/demo.yaml).
    yaml_path: str = ""


class WorkerSettings(BaseModel):
    enabled: bool = True
    poll_interval_seconds: float = 1.0
    batch_size: int = 20
    max_attempts: int = 12
    backoff_base_seconds: float = 2.0
    backoff_max_seconds: float = 600.0
    # Per conversation Teams allows 7 sends/s, 60/30 s, 1800/h; per app ~50 RPS per tenant.
    global_rate_per_second: float = 40.0
    conversation_burst: int = 7
    conversation_rate_per_second: float = 0.49  # burst 7 + 0.49/s stays under 1 800 per hour
    reminder_scan_interval_seconds: float = 3600.0
    # A notice for a person the bot has no chat with goes to the procurement channel with an
    # @mention after this many tries (at once when installing the app for them failed).
    channel_fallback_after_attempts: int = 6


# The thresholds are the core's own dataclass (pydantic validates it from JSON/env as it is),
# so the numbers and their names live in one place: bot/core/domain/thresholds.py.
Threshold = ThresholdSet


def _default_thresholds() -> list[Threshold]:
    return [Threshold(valid_from=date(2024, 3, 14))]


class RuleSettings(BaseModel):
    thresholds: list[Threshold] = Field(default_factory=_default_thresholds)
    open_ended_months: int = 48
    vat_rate_percent: int = 25
    # Words in a need that trigger the green-strategy flag (e.g. leasing of fossil-fuelled cars).
    green_flag_terms: list[str] = Field(
        default_factory=lambda: ["diesel", "bensin", "fossil", "fossilbil", "dieselbil"]
    )


class ApprovalSettings(BaseModel):
    remind_after_business_days: int = 2
    escalate_after_business_days: int = 5
    quiet_hours_start: int = 17
    quiet_hours_end: int = 7
    digest_hour: int = 8  # local hour when the daily digest (for those who chose it) goes out


class DeviationSettings(BaseModel):
    """Escalate a deviation nobody has acknowledged after N business days (a design choice)."""

    escalate_after_business_days: int = 3


class ReminderSettings(BaseModel):
    """Lead times in months (domain.md: a design choice, not law)."""

    expiry_lead_months: list[int] = Field(default_factory=lambda: [12, 9])
    option_notice_lead_months: list[int] = Field(default_factory=lambda: [6, 3])
    escalation_lead_months: int = 1
    # Shares (percent) of an agreement's maximum value bought so far that are reminded; the
    # highest also goes to the contract owner and the procurement channel. [] turns it off.
    consumption_warn_percents: list[int] = Field(default_factory=lambda: [80, 95])
    snooze_days: int = 14
    # How often the worker scans the register for reminders that have come due.
    scan_interval_seconds: float = 3600.0
    # The tenant people are reached in (a contract has none): empty = BOT__APP_TENANT_ID, else
    # GRAPH__TENANT_ID. `make run` sets the Agents Playground's tenant.
    tenant_id: str = ""


def _default_room_channels() -> list[str]:
    return [
        "Behov og konkurransestrategi",
        "Konkurransegrunnlag",
        "Evaluering",
        "Kontrakt og oppfølging",
    ]


class RoomsSettings(BaseModel):
    """Collaboration rooms (samhandlingsrom) through Microsoft Graph, opened when a need is
    accepted. `team`: a new team per case; `channel`: a channel per case in `team_id`."""

    mode: Literal["team", "channel", "off"] = "off"
    team_id: str = ""  # channel mode: the procurement team that gets a channel per case
    private: bool = True  # team mode: a private team; channel mode: a private channel
    channels: list[str] = Field(default_factory=_default_room_channels)  # team mode
    # Graph asks for more than 30 s between checks of a teamsAsyncOperation.
    poll_interval_seconds: float = 30.0
    backoff_base_seconds: float = 5.0
    backoff_max_seconds: float = 600.0
    max_transient_attempts: int = 12
    # A new team may answer 404 for a while (directory replication); give up after this.
    replication_timeout_seconds: float = 900.0
    # After a POST /teams whose answer was lost, look the team up this long before creating again.
    lookup_settle_seconds: float = 60.0
    scan_interval_seconds: float = 5.0
    # The SDK's own retries of GETs and idempotent POSTs (never of POST /teams).
    sdk_max_retries: int = 3
    sdk_retry_delay_seconds: float = 3.0
    allow_guests: bool = False  # "legg til" may add guest accounts

    @model_validator(mode="after")
    def _channel_mode_needs_team(self) -> RoomsSettings:
        if self.mode == "channel" and not self.team_id:
            raise ValueError("ROOMS__MODE=channel requires ROOMS__TEAM_ID")
        return self


class PlaygroundSettings(BaseModel):
    port: int = 56150


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_nested_delimiter="__", env_file=".env", extra="ignore", env_file_encoding="utf-8"
    )

    env: Environment = Environment.LOCAL
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "text"] = "auto"
    timezone: str = "Europe/Oslo"
    # Treat every activity as this locale (the Agents Playground always sends en-US).
    force_locale: str = ""
    # Tenants allowed to talk to the bot (comma-separated); empty = any tenant.
    allowed_tenants: Annotated[list[str], NoDecode] = Field(default_factory=list)
    bot: BotSettings = Field(default_factory=BotSettings)
    db: DatabaseSettings = Field(default_factory=DatabaseSettings)
    graph: GraphSettings = Field(default_factory=GraphSettings)
    directory: DirectorySettings = Field(default_factory=DirectorySettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    rules: RuleSettings = Field(default_factory=RuleSettings)
    approvals: ApprovalSettings = Field(default_factory=ApprovalSettings)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    deviations: DeviationSettings = Field(default_factory=DeviationSettings)
    playground: PlaygroundSettings = Field(default_factory=PlaygroundSettings)
    rooms: RoomsSettings = Field(default_factory=RoomsSettings)

    @field_validator("allowed_tenants", mode="before")
    @classmethod
    def _split_tenants(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        # botbuilder silently turns authentication off when the app id is empty.
        if self.env is Environment.PROD:
            if not self.bot.app_id:
                raise ValueError("ENV=prod requires BOT__APP_ID (authentication would be off)")
            if (
                self.bot.app_type != "UserAssignedMSI"
                and not self.bot.app_password.get_secret_value()
            ):
                raise ValueError("ENV=prod requires BOT__APP_PASSWORD for this app type")
            if self.bot.app_type != "MultiTenant" and not self.bot.app_tenant_id:
                raise ValueError("ENV=prod requires BOT__APP_TENANT_ID for single-tenant bots")
            if self.rooms.mode != "off" and self.rooms.poll_interval_seconds < 30:
                raise ValueError("ROOMS__POLL_INTERVAL_SECONDS must be at least 30 in prod")
        return self

    @property
    def anonymous(self) -> bool:
        return not self.bot.app_id

    def sqlite_path(self) -> Path | None:
        prefix = "sqlite+aiosqlite:///"
        if self.db.url.startswith(prefix):
            return Path(self.db.url[len(prefix) :])
        return None
