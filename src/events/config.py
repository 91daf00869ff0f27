"""Settings from the environment: the one place that reads os.environ."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = PROJECT_ROOT / "var"


@dataclass(frozen=True, slots=True)
class SlackSettings:
    signing_secret: str
    api_url: str  # Slack's Web API; the tests point it at a fake on loopback
    bot_token: str | None = None  # one workspace
    client_id: str | None = None  # several workspaces, installed through OAuth
    client_secret: str | None = None

    @property
    def installs_with_oauth(self) -> bool:
        return bool(self.client_id and self.client_secret)


SLACK_API_URL = "https://slack.com/api/"


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where mail goes, from SMTP_URL: smtp://user:pass@host:port (``?starttls=1`` to
    upgrade the connection), or smtps://... for TLS from the first byte."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False  # smtps: implicit TLS
    start_tls: bool = False  # smtp + ?starttls=1: STARTTLS, required

    def __repr__(self) -> str:  # keep the password out of logs and tracebacks
        return f"SmtpSettings(host={self.host!r}, port={self.port}, tls={self.use_tls})"


MAIL_FROM = "Convene <no-reply@localhost>"


@dataclass(frozen=True, slots=True)
class RateLimits:
    """What one client, or one recipient, may cause (README, "Rate limits")."""

    registration_emails_per_client: int = 10  # per hour, any addresses and events
    registration_emails_per_address: int = 5  # per hour, across events (3 per event)
    password_links_per_client: int = 20  # per hour
    password_links_per_organizer: int = 3  # per hour, to one organizer
    member_links_per_client: int = 10  # sign-in links to the member page, per hour
    member_links_per_address: int = 3  # per hour, to one address (known or not)
    login_failures_per_client: int = 20  # per 15 minutes, any accounts
    login_failures_per_account: int = 5  # per 15 minutes, from one client to one account
    # per 15 minutes to one account from all clients; then only browsers that logged in to
    # it before (its device cookie) may keep trying
    login_failures_per_account_all: int = 50


def _rate_limits(env: dict[str, str]) -> RateLimits:
    defaults = RateLimits()
    return RateLimits(
        **{
            name: int(env.get(name.upper()) or getattr(defaults, name))
            for name in RateLimits.__dataclass_fields__
        }
    )


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    redis_url: str | None
    base_url: str
    secret_key: str
    port: int
    db_pool_size: int
    data_dir: Path
    log_level: str
    bench_routes: bool
    calendar_state_ttl: float  # seconds a process trusts its feed caches unchecked
    certificate_dir: Path  # rendered PDFs, re-rendered when missing
    verify_rate_limit: int  # requests per minute per client on public certificate routes
    rate_limits: RateLimits
    render_processes: int  # processes a bulk certificate job renders with
    checkin_opens_before: timedelta  # how long before a session starts check-in opens
    slack: SlackSettings | None  # None: the bot is off and its routes answer 503
    smtp: SmtpSettings | None  # None: emails are written to mail_outbox_dir instead
    mail_from: str
    mail_outbox_dir: Path  # the embedded default's "sent" mail, one .eml file per email
    log_format: str  # "json" (one object per line) or "console" (readable, for development)
    metrics_token: str | None  # /metrics answers a bearer of it; None: no /metrics at all
    metrics_cache_seconds: float  # how long a process reuses its database-derived gauges
    # prometheus_client's multiprocess mode: the web processes share their counters here
    metrics_dir: Path | None
    sweep_interval: float  # seconds between the sweeps that re-queue what was left undone
    claim_timeout: timedelta  # an outbox claim older than this was lost with its worker

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite_url(self.database_url)


def derived_key(secret_key: str, purpose: str) -> bytes:
    """A 32-byte key for one purpose (console sessions, device cookies, sealed Slack tokens):
    one SECRET_KEY, and no purpose's key reveals another's."""
    return hashlib.sha256(purpose.encode() + b"\0" + secret_key.encode()).digest()


def is_sqlite_url(url: str) -> bool:
    return url.startswith("sqlite:")


def sqlite_path(url: str) -> Path:
    """sqlite:///relative/to/project or sqlite:////absolute/path."""
    raw = url.removeprefix("sqlite:").removeprefix("//")
    path = Path(raw[1:])
    return path if path.is_absolute() else PROJECT_ROOT / path


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(env: dict[str, str], data_dir: Path) -> str:
    """SECRET_KEY from the environment; the embedded setup keeps a generated one in var/."""
    if key := env.get("SECRET_KEY"):
        return key
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def database_url(env: dict[str, str] | None = None) -> str:
    """The database URL alone: the engine needs it when the tables are defined."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("CONVENE_DATA_DIR") or DEFAULT_DATA_DIR)
    return env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'convene.sqlite'}"


def redis_url(env: dict[str, str] | None = None) -> str | None:
    """REDIS_URL alone: the task broker is built when the tasks module is imported."""
    env = os.environ if env is None else env
    return env.get("REDIS_URL") or None


def task_queue_name(env: dict[str, str] | None = None) -> str:
    """The Redis list the web process and the worker share (separate runs, separate names)."""
    env = os.environ if env is None else env
    return env.get("CONVENE_TASK_QUEUE") or "convene:tasks"


def _slack(env: dict[str, str]) -> SlackSettings | None:
    """On with a signing secret and either a bot token (one workspace) or an OAuth client
    id and secret (installed into any number of workspaces; takes precedence)."""
    secret = env.get("SLACK_SIGNING_SECRET")
    token = env.get("SLACK_BOT_TOKEN") or None
    client_id = env.get("SLACK_CLIENT_ID") or None
    client_secret = env.get("SLACK_CLIENT_SECRET") or None
    if not secret or not (token or (client_id and client_secret)):
        return None
    api_url = (env.get("SLACK_API_URL") or SLACK_API_URL).rstrip("/") + "/"
    if client_id and client_secret:
        return SlackSettings(secret, api_url, client_id=client_id, client_secret=client_secret)
    return SlackSettings(secret, api_url, bot_token=token)


def smtp_settings(url: str | None) -> SmtpSettings | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://user:pass@host:port or smtps://...")
    implicit_tls = parts.scheme == "smtps"
    query = parse_qs(parts.query)
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or (465 if implicit_tls else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=implicit_tls,
        start_tls=not implicit_tls and _flag((query.get("starttls") or [""])[0]),
    )


LOG_FORMATS = ("json", "console")


def log_format(env: dict[str, str] | None = None) -> str:
    """LOG_FORMAT alone: uvicorn's supervisor formats its lines before any settings exist."""
    env = os.environ if env is None else env
    return _log_format(env.get("LOG_FORMAT"))


def _log_format(value: str | None) -> str:
    chosen = (value or "json").strip().lower()
    if chosen not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {value!r}")
    return chosen


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("CONVENE_DATA_DIR") or DEFAULT_DATA_DIR)
    port = int(env.get("PORT") or 8000)
    return Settings(
        database_url=database_url(env),
        redis_url=redis_url(env),
        base_url=(env.get("BASE_URL") or f"http://127.0.0.1:{port}").rstrip("/"),
        secret_key=_secret_key(env, data_dir),
        port=port,
        db_pool_size=int(env.get("DB_POOL_SIZE") or 10),
        data_dir=data_dir,
        log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
        bench_routes=_flag(env.get("CONVENE_BENCH_ROUTES")),
        calendar_state_ttl=float(env.get("CALENDAR_STATE_TTL") or 1.0),
        certificate_dir=Path(env.get("CERTIFICATE_DIR") or data_dir / "certificates"),
        verify_rate_limit=int(env.get("VERIFY_RATE_LIMIT") or 60),
        rate_limits=_rate_limits(env),
        render_processes=int(env.get("CERTIFICATE_RENDER_PROCESSES") or os.cpu_count() or 1),
        checkin_opens_before=timedelta(minutes=float(env.get("CHECKIN_OPENS_BEFORE") or 60)),
        slack=_slack(env),
        smtp=smtp_settings(env.get("SMTP_URL")),
        mail_from=env.get("MAIL_FROM") or MAIL_FROM,
        mail_outbox_dir=Path(env.get("MAIL_OUTBOX_DIR") or data_dir / "outbox"),
        log_format=log_format(env),
        metrics_token=env.get("METRICS_TOKEN") or None,
        metrics_cache_seconds=float(env.get("METRICS_CACHE_SECONDS") or 5),
        metrics_dir=Path(env["PROMETHEUS_MULTIPROC_DIR"])
        if env.get("PROMETHEUS_MULTIPROC_DIR")
        else None,
        sweep_interval=float(env.get("CONVENE_SWEEP_INTERVAL") or 30),
        # Longer than any one send (a Slack call with its retries), or a slow send would
        # be claimed, and sent, a second time.
        claim_timeout=timedelta(seconds=float(env.get("CONVENE_CLAIM_TIMEOUT") or 120)),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
