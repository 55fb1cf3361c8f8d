"""is_production_environment decides alone: FLASK_ENV first, then the config file, else development."""

import pytest

from dispatch_desktop.config import Config
from dispatch_desktop.notify.notifier import environment_decision, is_production_environment


@pytest.mark.parametrize(
    ("flask_env", "configured", "production", "source"),
    [
        (None, None, False, "default"),
        ("production", None, True, "FLASK_ENV"),
        ("development", None, False, "FLASK_ENV"),
        ("prodution", None, False, "FLASK_ENV"),
        ("staging", None, False, "FLASK_ENV"),
        (" Production ", None, False, "FLASK_ENV"),
        ("Production ", None, False, "FLASK_ENV"),
        ("PRODUCTION", None, False, "FLASK_ENV"),
        (None, "Production", False, "config file"),
        (None, "production", True, "config file"),
        (None, "prod", False, "config file"),
        ("development", "production", False, "FLASK_ENV"),
        ("production", "development", True, "FLASK_ENV"),
    ],
)
def test_flask_env_wins_then_the_config_file_then_development(
    monkeypatch: pytest.MonkeyPatch,
    flask_env: str | None,
    configured: str | None,
    production: bool,
    source: str,
) -> None:
    if flask_env is not None:
        monkeypatch.setenv("FLASK_ENV", flask_env)
    config = Config(environment=configured)
    decision = environment_decision(config)
    assert (decision.production, decision.source) == (production, source)
    assert is_production_environment(config) is production
    assert decision.tag == ("PROD" if production else "DEV")


def test_a_misspelling_is_explained_for_the_console_badge(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_ENV", "prodution")
    assert (
        environment_decision().describe() == "development (from FLASK_ENV=prodution; only 'production' sends)"
    )
    monkeypatch.delenv("FLASK_ENV")
    assert environment_decision(Config()).describe() == "development (default: FLASK_ENV is not set)"
    assert (
        environment_decision(Config(environment="production")).describe()
        == "production (from config file=production)"
    )


@pytest.mark.parametrize(
    "value", ["Production ", "Production", " production", "PRODUCTION", "prod", '"production"']
)
def test_a_value_that_looks_like_production_is_development_and_says_so(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("FLASK_ENV", value)
    decision = environment_decision(Config(environment="production"))
    assert (decision.production, decision.tag) == (False, "DEV")
    assert decision.warning == f"FLASK_ENV={value!r} is not 'production': development, nothing is sent"


@pytest.mark.parametrize("value", ["production", "development", "staging", "prodution"])
def test_other_values_need_no_warning(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("FLASK_ENV", value)
    assert environment_decision().warning is None


def test_the_config_file_word_is_exact_too() -> None:
    decision = environment_decision(Config(environment="Production"))
    assert decision.production is False
    assert decision.warning == (
        "environment in the config file='Production' is not 'production': development, nothing is sent"
    )
