"""A configuration error never echoes a secret, even one given to another setting (#11).

The command runs as a real process with the settings in its environment (or a secret file and a
YAML file), as a user or a container would start it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
HOOK = f"https://hooks.example/services/T0/{PASSWORD}"
TOKEN_HOOK = "https://hooks.example/services/T0/B1/tok3n-9f8e7d"


def _unifi_scanner(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``unifi-scanner ARGS`` in a subprocess with only ``env`` as its UNIFI_* settings."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("UNIFI_")}
    return subprocess.run(
        [sys.executable, "-m", "unifi_scanner", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, **env},
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "secret", "named"),
    [
        pytest.param(
            {"UNIFI_HOST": "192.0.2.1", "UNIFI_PASSWORD": PASSWORD, "UNIFI_PORT": PASSWORD},
            PASSWORD,
            "UNIFI_PORT",
            id="port-set-to-the-password",
        ),
        pytest.param(
            {"UNIFI_HOST": HOOK, "UNIFI_PASSWORD": PASSWORD},
            PASSWORD,
            "UNIFI_HOST",
            id="host-set-to-a-url-holding-the-password",
        ),
        pytest.param(
            {
                "UNIFI_HOST": "192.0.2.1",
                "UNIFI_PASSWORD": PASSWORD,
                "UNIFI_SMTP_HOST": "mail.example",
                "UNIFI_SMTP_SENDER": "scanner@example.org",
                "UNIFI_SMTP_RECIPIENTS": f"ops@example.org,{PASSWORD}",
            },
            PASSWORD,
            "UNIFI_SMTP_RECIPIENTS",
            id="password-among-the-recipients",
        ),
        pytest.param(
            {
                "UNIFI_HOST": "192.0.2.1",
                "UNIFI_WEBHOOK_URLS": f"https://chat.example/a,{TOKEN_HOOK}",
                "UNIFI_TIMEZONE": TOKEN_HOOK,
            },
            "tok3n-9f8e7d",
            "UNIFI_TIMEZONE",
            id="timezone-set-to-a-webhook-url",
        ),
    ],
)
@pytest.mark.parametrize("command", ["check-config", "run"])
def test_a_secret_given_to_another_setting_is_not_echoed(command, env, secret, named, tmp_path):
    """The error names the setting, exits 2, and shows neither the secret nor its value."""
    env = {**env, "UNIFI_STATE_PATH": str(tmp_path / "state.sqlite3")}
    proc = _unifi_scanner(command, env=env)
    assert proc.returncode == 2, proc.stderr
    assert named in proc.stderr
    assert secret not in proc.stderr
    assert secret not in proc.stdout
    assert "Traceback" not in proc.stderr


def test_a_secret_from_a_file_given_to_a_yaml_setting_is_not_echoed(tmp_path):
    """A password read from UNIFI_PASSWORD_FILE and also written as a YAML port stays hidden."""
    secret_file = tmp_path / "password"
    secret_file.write_text(PASSWORD + "\n", encoding="utf-8")
    config = tmp_path / "scanner.yaml"
    config.write_text(f"host: 192.0.2.1\nport: {PASSWORD}\n", encoding="utf-8")
    env = {"UNIFI_PASSWORD_FILE": str(secret_file), "UNIFI_CONFIG": str(config)}
    proc = _unifi_scanner("check-config", env=env)
    assert proc.returncode == 2, proc.stderr
    assert "port" in proc.stderr
    assert "scanner.yaml" in proc.stderr
    assert PASSWORD not in proc.stderr + proc.stdout
