"""``heron-simpy compare/run --profile-file``: timing profiles from TOML or YAML files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from heron_simpy.cli import compare as compare_command
from heron_simpy.cli import main

EXAMPLE = (
    Path(__file__).resolve().parents[1] / "docs" / "profiles" / "example_site.toml"
)

SITE = """\
[profiles.site_a]
source = "LAN with slower sensors"
base = "lan"
field = { obs_delay = 0.2 }

[profiles.site_b]
source = "deterministic 0.25 s sensing everywhere"
field = { obs_delay = 0.25 }
coordinator = { obs_delay = 0.25 }
system = { obs_delay = 0.25 }
"""

SHADOW = """\
[profiles.scada]
base = "scada"
loss = "none"
field = { obs_delay = 0.5, jitter_type = "none" }
coordinator = { obs_delay = 0.5, jitter_type = "none" }
system = { obs_delay = 0.5, jitter_type = "none" }
"""

BAD = """\
[profiles.a]
source = "x"
field = { obs_delay = -1, jitter_ratio = "big" }

[profiles.b]
base = "nope"
rates = "fast"
"""

SMALL = ["--seeds", "1", "--t-end", "5", "--workers", "1"]


@pytest.fixture(autouse=True)
def _no_png(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip the PNG (matplotlib is slow to import); compare.json is still written."""
    monkeypatch.setattr(compare_command, "_has_matplotlib", lambda: False)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def table_rows(out: str) -> list[str]:
    """The labels of the rows of the comparison table printed in ``out``."""
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("regime "))
    rows = []
    for line in lines[head + 2 :]:
        if line.startswith("wrote "):
            break
        rows.append(line.split()[0])
    return rows


def compare_json(out: Path) -> dict[str, dict]:
    data = json.loads((out / "compare.json").read_text())
    return {row["label"]: row for row in data["rows"]}


def test_compare_runs_ideal_then_every_file_profile(tmp_path: Path, capsys) -> None:
    site, out = write(tmp_path, "site.toml", SITE), tmp_path / "out"
    argv = ["compare", "battery-v0", "--profile-file", str(site), *SMALL]
    assert main([*argv, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert table_rows(captured.out) == ["ideal", "site_a", "site_b"]
    assert (
        "battery-v0: 3 regimes x 1 seeds, degradation against 'ideal'" in captured.out
    )
    rows = compare_json(out)
    assert list(rows) == ["ideal", "site_a", "site_b"]
    assert rows["site_b"]["mean_obs_age"] == pytest.approx(0.25)
    assert rows["ideal"]["mean_obs_age"] == 0.0


def test_compare_profiles_mix_builtin_and_file_names(tmp_path: Path, capsys) -> None:
    site, out = write(tmp_path, "site.yaml", _as_yaml()), tmp_path / "out"
    argv = ["compare", "battery-v0", "--profile-file", str(site), "--profiles"]
    assert main([*argv, "lan,site_b", *SMALL, "--out", str(out)]) == 0
    assert table_rows(capsys.readouterr().out) == ["lan", "site_b"]
    assert compare_json(out)["site_b"]["mean_obs_age"] == pytest.approx(0.25)


def _as_yaml() -> str:
    return textwrap.dedent(
        """\
        profiles:
          site_b:
            source: deterministic 0.25 s sensing everywhere
            field: {obs_delay: 0.25}
            coordinator: {obs_delay: 0.25}
            system: {obs_delay: 0.25}
        """
    )


def test_a_file_profile_replaces_the_builtin_of_its_name(
    tmp_path: Path, capsys
) -> None:
    site, out = write(tmp_path, "site.toml", SHADOW), tmp_path / "out"
    argv = ["compare", "battery-v0", "--profile-file", str(site), "--profiles"]
    assert main([*argv, "ideal,scada", *SMALL, "--out", str(out)]) == 0
    assert table_rows(capsys.readouterr().out) == ["ideal", "scada"]
    rows = compare_json(out)
    assert rows["scada"]["mean_obs_age"] == pytest.approx(0.5)
    assert rows["scada"]["messages_dropped"] == 0.0


def test_compare_sweep_starts_from_a_file_profile(tmp_path: Path, capsys) -> None:
    site, out = write(tmp_path, "site.toml", SITE), tmp_path / "out"
    argv = ["compare", "battery-v0", "--profile-file", str(site), "--sweep"]
    argv += ["act_delay=0:1:2", "--base", "site_b", *SMALL, "--out", str(out)]
    assert main(argv) == 0
    assert table_rows(capsys.readouterr().out) == ["act_delay=0", "act_delay=1"]
    rows = compare_json(out)
    assert rows["act_delay=1"]["mean_obs_age"] == pytest.approx(0.25)  # site_b's


def test_compare_with_the_example_site_file(tmp_path: Path, capsys) -> None:
    argv = ["compare", "battery-v0", "--profile-file", str(EXAMPLE), *SMALL]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    assert table_rows(capsys.readouterr().out) == [
        "ideal",
        "substation_x",
        "substation_x_calm",
        "plant_lan",
    ]


def _summary(out: str) -> dict[str, str]:
    return dict(
        re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in out.splitlines()
    )


def test_run_with_a_named_file_profile(tmp_path: Path, capsys) -> None:
    site = write(tmp_path, "site.toml", SITE)
    argv = ["run", "battery-v0", "--profile-file", str(site), "--profile", "site_b"]
    assert main([*argv, "--t-end", "5"]) == 0
    summary = _summary(capsys.readouterr().out)
    assert summary["profile"] == f"site_b (from {site})"
    assert summary["mean obs age"] == "0.2500 s"


def test_run_takes_the_only_profile_of_a_file(tmp_path: Path, capsys) -> None:
    site = write(tmp_path, "one.toml", SHADOW)
    assert main(["run", "battery-v0", "--profile-file", str(site), "--t-end", "5"]) == 0
    summary = _summary(capsys.readouterr().out)
    assert summary["profile"] == f"scada (from {site})"
    assert summary["mean obs age"] == "0.5000 s"


def test_run_may_still_pick_a_builtin_with_a_file(tmp_path: Path, capsys) -> None:
    site = write(tmp_path, "site.toml", SITE)
    argv = ["run", "battery-v0", "--profile-file", str(site), "--profile", "ideal"]
    assert main([*argv, "--t-end", "5"]) == 0
    assert _summary(capsys.readouterr().out)["profile"] == "ideal"


def test_help_documents_the_option(capsys) -> None:
    for command in ("run", "compare"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "--profile-file FILE" in text
        assert "docs/profiles/example_site.toml" in text
    assert "with --profile-file: ideal, then every profile of the file" in text


# -------------------------------------------------------------------- errors


def _error_lines(argv: list[str], capsys) -> list[str]:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    return captured.err.splitlines()


def test_an_invalid_file_lists_every_problem(tmp_path: Path, capsys) -> None:
    site = write(tmp_path, "bad.toml", BAD)
    lines = _error_lines(["compare", "battery-v0", "--profile-file", str(site)], capsys)
    assert lines == [
        f"heron-simpy: error: invalid profile file {site} (4 problems):",
        "profiles.a.field.obs_delay: must be >= 0, got -1",
        "profiles.a.field.jitter_ratio: must be a number >= 0, got 'big'",
        "profiles.b.base: must name another profile of this file or a built-in "
        "(ideal, lan, scada, traffic, wan), got 'nope'",
        "profiles.b.rates: must be one of 'agent', 'profile', got 'fast'",
    ]


def test_an_invalid_file_end_to_end(tmp_path: Path) -> None:
    site = write(tmp_path, "bad.toml", BAD)
    args = ["run", "battery-v0", "--profile-file", str(site), "--profile", "a"]
    proc = subprocess.run(
        [sys.executable, "-m", "heron_simpy", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0] == f"heron-simpy: error: invalid profile file {site} (4 problems):"
    assert len(lines) == 5


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        pytest.param(
            "missing.toml", None, "profile file {path}: does not exist", id="missing"
        ),
        pytest.param(
            "bad.toml",
            '[profiles.a]\nsource = "x"\nfield = { obs_delay = }\n',
            "profile file {path}: TOML syntax error: Invalid value (at line 3, column 23)",
            id="syntax",
        ),
        pytest.param(
            "evil.yaml",
            "profiles:\n  a: !!python/object/apply:os.getcwd []\n",
            "profile file {path}: YAML error at line 2, column 6: could not determine a "
            "constructor for the tag",
            id="python-tag",
        ),
    ],
)
def test_file_level_errors_are_one_line(
    tmp_path: Path, capsys, name: str, text: str | None, message: str
) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    lines = _error_lines(["compare", "battery-v0", "--profile-file", str(path)], capsys)
    assert len(lines) == 1
    assert lines[0].startswith("heron-simpy: error: " + message.format(path=path))


def test_unknown_profile_name_lists_the_file_profiles(tmp_path: Path, capsys) -> None:
    site = write(tmp_path, "site.toml", SITE)
    argv = ["compare", "battery-v0", "--profile-file", str(site), "--profiles"]
    lines = _error_lines([*argv, "ideal,moon"], capsys)
    assert lines == [
        "heron-simpy: error: unknown timing profile 'moon'; valid: ideal, lan, "
        f"scada, traffic, wan; from {site}: site_a, site_b"
    ]


def test_run_needs_a_profile_when_the_file_has_several(tmp_path: Path, capsys) -> None:
    site = write(tmp_path, "site.toml", SITE)
    lines = _error_lines(["run", "battery-v0", "--profile-file", str(site)], capsys)
    assert lines == [
        f"heron-simpy: error: run --profile-file {site} defines 2 profiles; pick "
        "one with --profile NAME (site_a, site_b)"
    ]


def test_without_a_file_unknown_names_keep_their_message(capsys) -> None:
    lines = _error_lines(["run", "battery-v0", "--profile", "moon"], capsys)
    assert lines == [
        "heron-simpy: error: unknown timing profile 'moon'; valid: ideal, lan, "
        "scada, traffic, wan"
    ]
