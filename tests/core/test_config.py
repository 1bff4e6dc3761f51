"""Settings: defaults, refusals, and the generated secret key."""

from __future__ import annotations

import stat

import pytest
from pydantic import ValidationError

from sociaparis.core.config import Settings, with_secret_key


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "server", "secret_key": ""}, "server mode needs a real secret"),
        (
            {"mode": "server", "secret_key": "change-me"},
            "server mode needs a real secret",
        ),
        ({"min_cell_count": 4}, "never be smaller than 5"),
        ({"base_url": "enquetes.paris.fr"}, "is not an http"),
        ({"base_url": "https://a.fr/?x=1"}, "has a query or fragment"),
        ({"trusted_proxies": "127.0.0.1,proxy.local"}, "'proxy.local' is not an IP"),
        ({"lock_timeout": 0}, "SOCIAPARIS_LOCK_TIMEOUT=0.0: give a number of seconds"),
        ({"lock_timeout": 601}, "SOCIAPARIS_LOCK_TIMEOUT=601.0: give a number"),
        ({"upload_max_bytes": 0}, "SOCIAPARIS_UPLOAD_MAX_BYTES=0: give a number"),
        ({"upload_quota_bytes": -1}, "SOCIAPARIS_UPLOAD_QUOTA_BYTES and"),
        ({"upload_min_free_bytes": -5}, "SOCIAPARIS_UPLOAD_MIN_FREE_BYTES are numbers"),
        ({"llm_timeout": 0}, "SOCIAPARIS_LLM_TIMEOUT=0.0 must be above 0"),
        ({"llm_retries": 11}, "SOCIAPARIS_LLM_RETRIES=11 0 to 10"),
        ({"llm_concurrency": 0}, "SOCIAPARIS_LLM_CONCURRENCY=0 must be 1 to 64"),
        ({"llm_chunk_words": 10}, "SOCIAPARIS_LLM_CHUNK_WORDS=10 at least 50"),
        ({"audio_max_bytes": 0}, "SOCIAPARIS_AUDIO_MAX_BYTES=0: give a number"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**kwargs)


def test_single_user_mode_generates_and_keeps_a_private_secret(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="")
    first = with_secret_key(settings)
    second = with_secret_key(settings)
    assert len(first.secret_key) >= 48
    assert first.secret_key == second.secret_key
    mode = (tmp_path / "secret_key").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_a_given_secret_is_kept(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="s" * 40)
    assert with_secret_key(settings).secret_key == "s" * 40
    assert not (tmp_path / "secret_key").exists()


def test_proxies_and_base_url_are_read_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("SOCIAPARIS_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    monkeypatch.setenv("SOCIAPARIS_BASE_URL", "https://enquetes.paris.fr/")
    settings = Settings(_env_file=None)
    assert settings.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    assert settings.base_url == "https://enquetes.paris.fr"
    monkeypatch.delenv("SOCIAPARIS_TRUSTED_PROXIES")
    assert Settings(_env_file=None).trusted_proxies == ()
