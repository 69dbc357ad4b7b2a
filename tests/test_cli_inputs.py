"""What the command line is given that it cannot use: each is refused with exit 2 and a line
that says what, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from gateway.cli.main import main


@pytest.fixture
def no_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVGRAPH_CONFIG", raising=False)


def test_a_config_file_that_is_not_there(
    no_config: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--config", "/nonexistent/govgraph.toml"]) == 2
    assert "cannot read the config file /nonexistent/govgraph.toml" in capsys.readouterr().err


def test_a_config_file_that_is_not_toml(
    no_config: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "govgraph.toml"
    config.write_text("port = [unclosed\n", encoding="utf-8")
    assert main(["serve", "--config", str(config)]) == 2
    assert f"the config file {config} is not TOML" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "said"),
    [("nosuch = 1\n", "unknown setting: nosuch"), ('max_depth = "deep"\n', "max_depth")],
)
def test_a_setting_that_cannot_be_used(
    no_config: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, said: str
) -> None:
    config = tmp_path / "govgraph.toml"
    config.write_text(text, encoding="utf-8")
    assert main(["audit", "verify", "--key", "--config", str(config), str(config)]) == 2
    assert said in capsys.readouterr().err


def test_an_environment_value_that_cannot_be_used(
    no_config: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GOVGRAPH_MAX_DEPTH", "deep")
    assert main(["serve"]) == 2
    assert "max_depth" in capsys.readouterr().err


@pytest.mark.parametrize("port", ["99999", "-1", "abc", "8000.5"])
def test_a_port_out_of_range(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:  # argparse, before anything starts
        main(["serve", "--port", port])
    assert refused.value.code == 2
    assert f"not a port: {port!r}" in capsys.readouterr().err


def test_a_query_the_benchmark_does_not_have(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--quick", "--only", "resident_profile,nosuch"]) == 2
    said = capsys.readouterr().err
    assert "no standard query nosuch" in said and "resident_profile" in said
    assert "or peer" in said  # the peer side by side can be asked for alone


@pytest.mark.parametrize(
    ("setting", "make", "said"),
    [
        ("AUDIT_PATH", lambda d: d / "a-file" / "audit.log", "cannot be written (File exists)"),
        ("AUDIT_PATH", lambda d: d, "cannot be written (Is a directory)"),
        ("JWKS_PATH", lambda d: d / "missing.json", "cannot be read (No such file or directory)"),
        ("JWKS_PATH", lambda d: d / "a-file", "not a JWKS"),
        ("TRUSTED_DOCUMENTS_PATH", lambda d: d / "missing.json", "cannot be read"),
        ("TRUSTED_DOCUMENTS_PATH", lambda d: d / "no-operations.json", "no operation in it"),
        ("BACKEND_CA_FILE", lambda d: d / "missing.pem", "cannot be read"),
        ("BACKEND_CA_FILE", lambda d: d / "a-file", "holds no PEM certificate"),
    ],
)
def test_a_file_the_gateway_cannot_use_stops_the_start(
    no_config: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    setting: str,
    make: Callable[[Path], Path],
    said: str,
) -> None:
    """Found before anything listens, named, in one line: not at the first request that needs
    it (an audit trail that cannot be opened), and not as a traceback."""
    (tmp_path / "a-file").write_text("not what it should be\n", encoding="utf-8")
    (tmp_path / "no-operations.json").write_text("{}", encoding="utf-8")
    given = make(tmp_path)
    monkeypatch.setenv(f"GOVGRAPH_{setting}", str(given))
    handlers = list(logging.getLogger("govgraph.access").handlers)
    assert main(["serve", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("govgraph serve: ") and said in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    # nothing served: the process's logging is as it was (no access log left on this stdout)
    assert logging.getLogger("govgraph.access").handlers == handlers


def test_the_access_log_is_set_up_once_however_often_it_is_asked_for(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from gateway.observability import AccessLines, access_log, log_access_to_stdout, log_request

    before = list(access_log.handlers), access_log.level, access_log.propagate
    try:
        log_access_to_stdout()
        log_access_to_stdout()
        ours = [h for h in access_log.handlers if isinstance(h, AccessLines)]
        assert len(ours) == 1
        log_request({"request_id": "r1", "status": 200})
        assert capsys.readouterr().out.count('"request_id":"r1"') == 1  # one line, not two
    finally:  # the process's logging as it was, for the tests after this one
        for handler in list(access_log.handlers):
            if handler not in before[0]:
                access_log.removeHandler(handler)
        access_log.setLevel(before[1])
        access_log.propagate = before[2]


@pytest.mark.parametrize("given", ["*", "proxy.internal", "10.0.0.0/33", "127.0.0.1, lb"])
def test_a_proxy_is_trusted_by_address_only(
    no_config: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], given: str
) -> None:
    """Trusted by name or by `*`, any client could name itself in X-Forwarded-For: to the
    public rate limits and on the audit trail."""
    monkeypatch.setenv("GOVGRAPH_TRUSTED_PROXIES", given)
    assert main(["serve"]) == 2
    assert "GOVGRAPH_TRUSTED_PROXIES" in capsys.readouterr().err
