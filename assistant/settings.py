"""Layer8's settings: one pydantic-settings class, built once by :func:`get_settings`.

Nothing here is read at import time; every environment variable the product honours is a field below
(prefix ``LAYER8_``, ``.env`` supported).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from limits import parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDERS = {"changeme", "change-me", "secret", "placeholder", "xxx", "todo"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LAYER8_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    home: Path = Path("./var")
    database_url: str | None = None
    tenant: str = "default"

    # retrieval
    chroma_url: str | None = None
    embedder: Literal["minilm", "fake"] = "minilm"
    chat_router: bool = True  # answer clear chat without offering tools (assistant/routing.py)
    embedding_model_path: Path | None = None

    # language model
    llm_provider: Literal["local", "openai", "fake"] | None = None
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"
    # one model request's wait on the `openai` path, up to a turn's bound: `layer8 model serve` answers a
    # request after those queued before it, and a cold prompt on a slow CPU took 50-100 s (PITFALLS)
    llm_timeout_s: float = Field(default=30.0, gt=0, le=600)
    llm_max_retries: int = Field(default=2, ge=0, le=5)
    gguf_path: Path | None = None
    gguf_sha256: str | None = None  # checked for a custom gguf_path only when set
    # None: every core this process may run on (a turn uses them all when no other turn runs); an integer
    # pins it (on a box shared with other busy processes, fewer threads can be faster)
    llm_threads: int | None = Field(default=None, ge=1)
    llm_context: int = 8192
    # 0 = greedy: the same prompt gives the same answer (reproducible evals, where pass^k = pass^1);
    # above 0 samples, which makes `layer8 eval conversations --runs k` measure consistency
    llm_temperature: float = Field(default=0.0, ge=0, le=2)
    # `layer8 model serve`: the bearer key its clients send (their LAYER8_LLM_API_KEY; unset: none asked), and
    # how many requests may wait for the model before more are refused at once with 503 and Retry-After
    model_server_api_key: SecretStr | None = None
    model_server_max_waiting: int = Field(default=32, ge=1, le=1024)
    # send the chat router's tool ranking with each request (a `layer8 model serve` endpoint honours it as the
    # embedded model does in process); off for other servers, which may refuse the unknown `layer8` field
    llm_route_hints: bool = False

    # assistant
    operator_name: str = "your telecom operator"  # how the assistant names who offers it
    default_currency: str = "GBP"  # for amounts a subscriber gives without a currency
    turn_timeout_s: float = Field(default=120.0, gt=0, le=600)  # a whole turn, all model calls included
    agent_tool_rounds: int | None = Field(default=None, ge=1, le=5)  # None: 1 for local, 3 otherwise

    # web edge
    admin_token: SecretStr | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    console_secret: SecretStr | None = None  # signs console session cookies; random per process when unset
    console_session_hours: float = Field(default=8.0, gt=0, le=24)
    web_session_hours: float = Field(default=12.0, gt=0, le=720)  # a web chat sign-in lasts this long
    sign_in_code_minutes: int = Field(default=15, ge=1, le=1440)  # one-time sign-in codes expire after
    # POST /v1/me/erasure: False waits for an admin to approve (console or `layer8 subscribers erase`)
    erasure_immediate: bool = False

    # channels
    slack_signing_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_access_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_graph_url: str = "https://graph.facebook.com/v21.0"
    # purpose (e.g. "digest", "introduction", "default") -> approved template name; JSON in the environment
    whatsapp_templates: dict[str, str] = Field(default_factory=dict)
    whatsapp_template_language: str = "en"
    queue_url: str | None = None
    queue_workers: int = Field(default=2, ge=1, le=64)  # in-process turn threads
    queue_max_pending: int = Field(default=500, ge=1)  # in-process turns waiting; beyond it: "busy"
    # `layer8 worker` looks for due digests this often (each subscriber's own frequency and quiet hours
    # decide who gets one); 0 turns the scheduled digest off
    digest_interval_s: float = Field(default=300.0, ge=0, le=86400)
    # a `layer8 worker` silent this long is taken for dead, and running workers put its tasks back (its
    # heartbeat renews every third of it, during a turn too): the visibility timeout of a queued turn
    queue_lease_s: float = Field(default=30.0, ge=1, le=600)
    # a queued turn that meets a passing database outage runs again after 0.5, 1, 2, 4, 8, 10 s (the pause
    # doubles from the first, up to 10 s), this many attempts in all; then the person gets the error reply
    queue_retry_attempts: int = Field(default=7, ge=1, le=20)
    queue_retry_first_s: float = Field(default=0.5, ge=0, le=60)

    # rate limits, in the `limits` package's notation: "30/minute", several windows joined by ";" (each
    # window a step of back-off). Counters live in Redis when a Redis URL is set (shared by every node),
    # else in this process's memory. See "Rate limits" in README.md.
    rate_limit_enabled: bool = True
    rate_limit_storage_url: str | None = None  # redis://…; unset: LAYER8_QUEUE_URL when it is Redis
    rate_limit_turns: str = "30/minute;300/hour"  # chat turns per subscriber
    rate_limit_sign_in_ip: str = "10/minute;30/hour;100/day"  # failed sign-ins per client address
    rate_limit_sign_in_account: str = "10/minute;50/hour"  # sign-ins per agent, admin, subscriber, phone
    rate_limit_api: str = "600/minute"  # API calls per token
    rate_limit_webhook: str = "120/minute;2000/hour"  # signed webhook events per sender

    # OSS/BSS
    bss_adapter: Literal["embedded", "tmf"] = "embedded"
    tmf_base_url: str | None = None
    tmf_timeout_s: float = Field(default=10.0, gt=0, le=30)
    rewards_path: Path | None = None
    # which TMF629 customers are Layer8 members: "characteristic=value|value" (`layer8 subscribers sync`)
    bss_member_rule: str = "customerCategory=business"
    # the bearer token the BSS's TMF629 hub sends to our listener (/bss/tmf629/listener/…); outside
    # development the listener refuses every event while it is unset
    bss_listener_token: SecretStr | None = None
    # the NPS survey in the conversation: at most once per subscriber in this many days (0: never asked)
    nps_period_days: int = Field(default=90, ge=0, le=3660)
    # average monthly revenue per subscriber, for the retained revenue in the metrics (an association)
    arpu_minor: int = Field(default=4500, ge=0)
    arpu_currency: str = Field(default="GBP", pattern=r"^[A-Z]{3}$")

    @property
    def database(self) -> str:
        """The SQLAlchemy URL: ``LAYER8_DATABASE_URL`` or a SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'layer8.db').resolve()}"

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def llm_thread_count(self) -> int:
        """``llm_threads``, or every core this process may use when it is unset."""
        if self.llm_threads is not None:
            return self.llm_threads
        return available_cores()

    @property
    def llm_cache_dir(self) -> Path:
        """Where the embedded model's evaluated prompt prefixes are kept (llama.cpp state files)."""
        return self.home / "cache" / "llm"

    @property
    def provider(self) -> str:
        """The chat model provider: explicit, else ``openai`` when an endpoint is set, else ``local``."""
        if self.llm_provider:
            return self.llm_provider
        return "openai" if self.llm_base_url else "local"

    @field_validator(
        "rate_limit_turns",
        "rate_limit_sign_in_ip",
        "rate_limit_sign_in_account",
        "rate_limit_api",
        "rate_limit_webhook",
    )
    @classmethod
    def _a_rate_limit(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a rate limit like '30/minute' or '5/minute;20/hour'") from exc
        return value

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        if self.env == "development":
            return self
        for name, value in self:
            if isinstance(value, SecretStr) and value.get_secret_value().strip().lower() in PLACEHOLDERS:
                raise ValueError(f"LAYER8_{name.upper()} holds a placeholder value; set a real secret")
        return self


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
