"""The package stands alone: `pip install .` into a fresh virtual environment, then `news-pipeline run`
from another folder writes the same tables as a run in this process.

Nothing is downloaded: the new environment sees this environment's packages (a `.pth` file naming
the folders this interpreter imports them from; `--system-site-packages` would not, when this
environment is itself a virtual one), so pip installs only this project (`--no-deps
--no-build-isolation --no-index`), built with this environment's setuptools (pinned in
requirements.lock: one that builds wheels by itself). Skipped only where no virtual environment can
be created.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from pipeline import __version__
from pipeline.paths import ROOT
from pipeline.run import runner
from pipeline.settings import Settings
from tests.test_run import STORIES, outputs, write_raw

# The child processes see neither this checkout nor settings meant for this process.
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIPELINE_SETTINGS")}


def this_environment() -> list[str]:
    """The folders this interpreter imports packages from, in order, without the checkout."""
    folders = []
    for entry in sys.path:
        path = Path(entry or ".").resolve()
        # the checkout itself is left out (the installed copy must be the one imported); a virtual
        # environment inside it (.venv, as `make` makes) is kept
        if path.is_dir() and path != ROOT.resolve() and str(path) not in folders:
            folders.append(str(path))
    return folders


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("install")
    env = tmp / "venv"
    try:
        venv.create(env, with_pip=False)
    except Exception as exc:  # no venv module, no write access, ...: nothing to test here
        pytest.skip(f"cannot create a virtual environment here: {exc}")
    python = str(env / "bin" / "python")
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], capture_output=True, text=True, check=True, env=ENV
    ).stdout.strip()  # fmt: skip
    (Path(purelib) / "_this_environment.pth").write_text("".join(f"{p}\n" for p in this_environment()))
    src = tmp / "src"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(ROOT / "pipeline", src / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    pip = [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", str(src)]
    done = subprocess.run(pip, capture_output=True, text=True, env=ENV, cwd=tmp)
    assert done.returncode == 0, done.stdout + done.stderr
    return env


def test_installed_command_runs_from_any_folder_like_the_checkout(installed, tmp_path):
    raw = write_raw(tmp_path / "raw", STORIES)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    command = [str(installed / "bin" / "news-pipeline"), "run", "--input", str(raw), "--output", "out"]
    done = subprocess.run(command, cwd=elsewhere, capture_output=True, text=True, env=ENV)
    assert done.returncode == runner.OK, done.stderr
    assert (elsewhere / "data" / "interim" / "cache").is_dir()  # the default work folder is under the current one

    probe = "import pipeline, pipeline.paths as p; print(pipeline.__version__, p.PACKAGE, p.SCHEMAS.is_dir())"
    python = str(installed / "bin" / "python")
    version, package, schemas = subprocess.run(
        [python, "-c", probe], cwd=elsewhere, capture_output=True, text=True, check=True, env=ENV
    ).stdout.split()  # fmt: skip
    assert version == __version__ and Path(package).is_relative_to(installed) and schemas == "True"

    assert runner.run(raw, tmp_path / "here", Settings(), work=tmp_path / "work") == runner.OK
    assert outputs(elsewhere / "out") == outputs(tmp_path / "here")  # tables, report and manifest, byte for byte


# Started from the installed environment: the scheduler and its worker processes import the installed package,
# as workers on other machines would; the run then goes to that scheduler by its address.
CLUSTER = """
import subprocess, sys
from dask.distributed import LocalCluster
with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
    import pipeline
    sys.exit(subprocess.run([sys.argv[1], "run", "--engine", "dask", "--scheduler", cluster.scheduler_address,
                             "--input", sys.argv[2], "--output", "out", "--work", "work"]).returncode)
"""


def test_installed_package_runs_on_a_dask_cluster_started_from_it(installed, tmp_path):
    pytest.importorskip("distributed")
    raw = write_raw(tmp_path / "raw", STORIES)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    python, command = str(installed / "bin" / "python"), str(installed / "bin" / "news-pipeline")
    done = subprocess.run([python, "-c", CLUSTER, command, str(raw)], cwd=elsewhere, capture_output=True, text=True, env=ENV)
    assert done.returncode == runner.OK, done.stderr[-3000:]
    assert runner.run(raw, tmp_path / "here", Settings(), work=tmp_path / "work") == runner.OK
    assert outputs(elsewhere / "out") == outputs(tmp_path / "here")
