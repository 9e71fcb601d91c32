"""Killed builds never leave a broken PDF; merge rules and loaders hold for any input (hypothesis)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdfium2 as pdfium
from conftest import CONTENT, make_company
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guide.load import Position, load_yaml_file
from guide.merge import is_list_edit, merge_value


def _careerguide(*args: str, cwd: Path) -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("careerguide")), *args]
    return subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def _check_every_pdf_opens(out: Path) -> int:
    count = 0
    for pdf in out.rglob("*.pdf"):
        document = pdfium.PdfDocument(str(pdf))  # raises on a truncated or corrupt file
        assert len(document) >= 1, pdf
        document.close()
        count += 1
    return count


def test_sigkill_at_random_moments_leaves_only_complete_pdfs(tmp_path: Path, small_content: Path) -> None:
    for number in range(2):
        make_company(
            tmp_path, f"co-{number}", f"name: Company {number}\nbrand:\n  colors:\n    primary: '#2{number}4060'\n"
        )
    chance = random.Random(20261126)
    args = ("build", "--company", "co-0", "--company", "co-1", "--force", "-j", "2", "--out", "out", "--quiet")
    args = (*args, "--content", str(small_content))
    # One moment per run: a killed run costs two cores for up to 2.5 s.
    process = _careerguide(*args, cwd=tmp_path)
    time.sleep(chance.uniform(0.5, 2.5))  # a target takes about 1.5 s here: before, during and after its writes
    os.killpg(process.pid, signal.SIGKILL)  # the build and its workers, mid-write or not
    process.wait()
    _check_every_pdf_opens(tmp_path / "out")
    finished = _careerguide(*args, cwd=tmp_path)
    assert finished.wait(timeout=180) == 0
    assert _check_every_pdf_opens(tmp_path / "out") == 2 * 4  # 2 targets x (guide, deck, 2 cards)
    assert not list((tmp_path / "out").rglob("*.tmp"))


# --- merge rules, for any data -------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=5), inner, max_size=4),
    max_leaves=20,
)
mappings = st.dictionaries(st.text(min_size=1, max_size=5), values, max_size=5)


def _merge(base, over):
    return merge_value(base, over, {}, {})[0]


@given(mappings, mappings)
def test_merge_keeps_every_key_and_the_override_wins_for_scalars(base, over) -> None:
    import copy

    before = copy.deepcopy((base, over))
    merged = _merge(base, over)
    assert (base, over) == before  # nothing is changed in place
    assert set(merged) == set(base) | set(over)
    for key, value in over.items():
        merges = isinstance(value, dict) and isinstance(base.get(key), dict)
        edits = is_list_edit(value) and isinstance(base.get(key), list)
        if not merges and not edits:
            assert merged[key] == value
    for key in set(base) - set(over):
        assert merged[key] == base[key]


@given(mappings)
def test_merging_nothing_changes_nothing(base) -> None:
    assert _merge(base, {}) == base


@given(st.lists(values, max_size=5), st.lists(values, max_size=3), st.lists(values, max_size=3))
def test_list_edits_add_around_the_shared_list(shared, before, after) -> None:
    assert _merge(shared, {"prepend": before, "append": after}) == before + shared + after
    assert _merge(shared, {"append": after}) == shared + after
    assert _merge(shared, after) == after


# --- the YAML loader, for any text -----------------------------------------------

yaml_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"), min_size=1, max_size=40
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(
    st.dictionaries(
        st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True), st.lists(yaml_text, max_size=4) | yaml_text, max_size=6
    )
)
def test_loader_round_trips_plain_data_and_locates_every_value(tmp_path: Path, data) -> None:
    import json

    path = tmp_path / "round-trip.yaml"
    # JSON is YAML too; ruamel's own emitter writes some odd strings (like "?0") in a way it reads back differently.
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    positions: dict = {}
    loaded = load_yaml_file(path, ("x",), positions, tmp_path)
    assert loaded == data
    for key, value in data.items():
        position = positions[("x", key)]
        assert isinstance(position, Position) and position.line >= 1
        if isinstance(value, list):
            assert all(("x", key, index) in positions for index in range(len(value)))


@settings(max_examples=30)
@given(st.binary(max_size=200))
def test_loader_never_crashes_on_garbage(data) -> None:
    import tempfile

    from guide.errors import UserError

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "garbage.yaml"
        path.write_bytes(data)
        try:
            load_yaml_file(path, ("x",), {}, Path(folder))
        except UserError as error:
            assert all(problem.path == path for problem in error.problems)


def test_two_builds_into_one_folder_at_once_take_turns(tmp_path: Path, small_content: Path) -> None:
    make_company(tmp_path, "shared-out", "name: Shared\n")
    args = ("build", "--company", "shared-out", "--force", "-j", "1", "--out", "out", "--content", str(small_content))
    first, second = _careerguide(*args, cwd=tmp_path), _careerguide(*args, cwd=tmp_path)
    assert first.wait(timeout=120) == 0 and second.wait(timeout=120) == 0
    assert _check_every_pdf_opens(tmp_path / "out") == 4
    import json

    manifest = json.loads((tmp_path / "out" / "shared-out" / "manifest.json").read_text())
    for name, facts in manifest["outputs"].items():
        assert (tmp_path / "out" / "shared-out" / name).stat().st_size == facts["bytes"]
    assert not list((tmp_path / "out").rglob("*.tmp"))


def test_fail_fast_stops_at_the_first_bad_target(tmp_path: Path, monkeypatch, fake_layout) -> None:
    from click.testing import CliRunner

    from guide.cli import main

    make_company(tmp_path, "a-bad", "name: Bad\nlocale: xx\n")
    make_company(tmp_path, "b-good", "name: Good\n")
    monkeypatch.chdir(tmp_path)
    args = ["build", "--company", "a-bad", "--company", "b-good", "--out", "out", "-j", "1", "--content", str(CONTENT)]
    stopped = CliRunner().invoke(main, [*args, "--fail-fast"])
    assert stopped.exit_code == 1 and "unknown locale `xx`" in stopped.output
    assert not (tmp_path / "out" / "b-good").exists()
    carried_on = CliRunner().invoke(main, args)
    assert carried_on.exit_code == 1
    assert (tmp_path / "out" / "b-good" / "career-guide.pdf").is_file()
