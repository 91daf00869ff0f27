from pathlib import Path

from events.config import PROJECT_ROOT, load_settings, sqlite_path


def test_sqlite_urls_are_relative_to_the_project_or_absolute():
    assert sqlite_path("sqlite:///var/app.sqlite") == PROJECT_ROOT / "var/app.sqlite"
    assert sqlite_path("sqlite:////tmp/app.sqlite") == Path("/tmp/app.sqlite")


def test_settings_come_from_the_environment(tmp_path):
    settings = load_settings(
        {
            "DATABASE_URL": "postgresql://u@h:5432/db",
            "REDIS_URL": "redis://h:6379/0",
            "BASE_URL": "https://convene.example/",
            "SECRET_KEY": "k",
            "PORT": "9000",
            "DB_POOL_SIZE": "4",
            "CONVENE_DATA_DIR": str(tmp_path),
        }
    )
    assert settings.database_url == "postgresql://u@h:5432/db"
    assert settings.redis_url == "redis://h:6379/0"
    assert settings.base_url == "https://convene.example"
    assert (settings.port, settings.db_pool_size, settings.is_sqlite) == (9000, 4, False)


def test_the_embedded_default_keeps_a_generated_secret_key(tmp_path):
    env = {"CONVENE_DATA_DIR": str(tmp_path)}
    first, second = load_settings(env), load_settings(env)
    assert first.is_sqlite and first.base_url == "http://127.0.0.1:8000"
    assert len(first.secret_key) >= 48 and first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
