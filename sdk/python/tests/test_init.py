"""`lodestar.init()`: where the key and URL come from, the errors it raises, what it prints,
and replacing one client with another."""

import json
import logging

import lodestar
import pytest
from lodestar import LodestarHandler


def write_config(path, **fields):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fields))


def our_handlers():
    return [h for h in logging.getLogger().handlers if isinstance(h, LodestarHandler)]


def test_a_key_that_is_not_an_api_key_is_refused_at_init():
    with pytest.raises(ValueError, match="does not start with 'sk_'.*Sentry DSN"):
        lodestar.init(api_key="3f2a9c1be4d54b1b9a1c0d2e3f4a5b6c")
    assert our_handlers() == []


def test_a_sentry_dsn_is_refused_with_a_hint():
    with pytest.raises(ValueError, match="Sentry DSN's public key is not an API key"):
        lodestar.init(dsn="http://3f2a9c1be4d54b1b9a1c0d2e3f4a5b6c@127.0.0.1:3000/1")


def test_a_missing_key_says_where_keys_come_from():
    with pytest.raises(lodestar.ConfigError) as raised:
        lodestar.init()
    message = str(raised.value)
    assert "no Lodestar API key" in message
    assert "LODESTAR_API_KEY" in message and "lodestar init" in message
    assert isinstance(raised.value, ValueError)


def test_unknown_and_invalid_options_are_refused():
    with pytest.raises(TypeError, match="unknown option.*batchsize"):
        lodestar.init(api_key="sk_x", batchsize=10)
    with pytest.raises(ValueError, match="batch_size must be at least 1 and at most 10000"):
        lodestar.init(api_key="sk_x", batch_size=20_000)
    with pytest.raises(ValueError, match="not an http"):
        lodestar.init(api_key="sk_x", dsn="127.0.0.1:3000")


def test_the_config_file_is_read(server, app, isolated):
    write_config(isolated / ".lodestar" / "config.json", url=server.url, api_key=app.api_key)
    lodestar.init()
    logging.getLogger("configured").info("from the config file")
    assert lodestar.flush(timeout=10)
    assert [r["message"] for r in server.lines(app)] == ["from the config file"]


def test_lodestar_config_names_another_file(server, app, tmp_path, monkeypatch):
    path = tmp_path / "elsewhere.json"
    write_config(path, url=server.url, api_key=app.api_key)
    monkeypatch.setenv("LODESTAR_CONFIG", str(path))
    lodestar.init()
    logging.getLogger("configured").info("from LODESTAR_CONFIG")
    assert lodestar.flush(timeout=10)
    assert [r["message"] for r in server.lines(app)] == ["from LODESTAR_CONFIG"]


def test_environment_variables(server, app, monkeypatch, isolated):
    # The variables win over the file.
    write_config(isolated / ".lodestar" / "config.json", url="http://127.0.0.1:9", api_key="sk_old")
    monkeypatch.setenv("LODESTAR_API_KEY", app.api_key)
    monkeypatch.setenv("LODESTAR_DSN", server.url)
    monkeypatch.setenv("LODESTAR_SERVICE", "from-env")
    monkeypatch.setenv("LODESTAR_ENVIRONMENT", "production")
    monkeypatch.setenv("LODESTAR_RELEASE", "2024.02.21")
    lodestar.init()
    logging.getLogger("env").info("configured by the environment")
    assert lodestar.flush(timeout=10)
    (row,) = server.lines(app)
    assert (row["service"], row["environment"], row["release"]) == (
        "from-env",
        "production",
        "2024.02.21",
    )


def test_the_key_may_be_the_dsns_userinfo(server, app):
    lodestar.init(dsn=f"http://{app.api_key}@127.0.0.1:{server.port}/")
    logging.getLogger("dsn").info("key in the dsn")
    assert lodestar.flush(timeout=10)
    assert [r["message"] for r in server.lines(app)] == ["key in the dsn"]


def test_init_prints_one_line_without_the_key(server, app, capfd):
    lodestar.init(api_key=app.api_key, dsn=server.url, service="checkout")
    err = capfd.readouterr().err
    assert err == f'lodestar: sending logs to {server.url} as service "checkout"\n'
    assert app.api_key[10:] not in err


def test_the_service_defaults_to_the_script_name(server, app, monkeypatch):
    monkeypatch.setattr("sys.argv", ["/srv/shop/worker.py"])
    lodestar.init(api_key=app.api_key, dsn=server.url)
    logging.getLogger("x").info("who am I")
    assert lodestar.flush(timeout=10)
    assert [r["service"] for r in server.lines(app)] == ["worker"]


def test_init_twice_replaces_the_client(server, capfd):
    first, second = server.create_app(), server.create_app()
    log = logging.getLogger("twice")
    lodestar.init(api_key=first.api_key, dsn=server.url, flush_interval=60)
    log.warning("to the first app")
    lodestar.init(api_key=second.api_key, dsn=server.url, flush_interval=60)
    log.warning("to the second app")
    assert len(our_handlers()) == 1
    assert lodestar.flush(timeout=10)
    # The first client sent its line as it was replaced.
    assert [r["message"] for r in server.lines(first)] == ["to the first app"]
    assert [r["message"] for r in server.lines(second)] == ["to the second app"]
    assert capfd.readouterr().err.count("sending logs to") == 2


def test_init_raises_the_root_level_and_shutdown_puts_it_back(server, app):
    root = logging.getLogger()
    root.setLevel(logging.WARNING)
    lodestar.init(api_key=app.api_key, dsn=server.url, level=logging.INFO)
    assert root.level == logging.INFO
    logging.getLogger("levels").info("info reaches the root")
    assert lodestar.shutdown(timeout=10) is True
    assert root.level == logging.WARNING
    assert our_handlers() == []
    assert [r["message"] for r in server.lines(app)] == ["info reaches the root"]
    # After shutdown nothing is sent, and nothing raises.
    logging.getLogger("levels").warning("after shutdown")
    assert lodestar.flush(timeout=1) is True
