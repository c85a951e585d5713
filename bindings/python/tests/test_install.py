"""`pip install ./bindings/python` into a fresh virtualenv gives a working, self-contained package."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import libsac

HERE = Path(__file__).resolve().parent
BINDING = HERE.parent  # bindings/python
BUILT_LIBRARY = (HERE / ".." / ".." / ".." / ".build" / "release" / "libsac.so").resolve()
HEADER_VERSION = re.search(r'#define SAC_VERSION_STRING "(.*)"',
                           (HERE / ".." / ".." / ".." / "include" / "sac.h").read_text()).group(1)


def clean_environment():
    env = {k: v for k, v in os.environ.items()
           if k not in ("SAC_LIBRARY_PATH", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.mark.slow
def test_pip_install_into_a_fresh_venv_bundles_the_library(tmp_path):
    if not BUILT_LIBRARY.is_file():
        pytest.fail(f"{BUILT_LIBRARY} is missing: run `make lib` first")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"

    # The build hook bundles SAC_LIBRARY_PATH instead of compiling; pip fetches hatchling and numpy.
    build_env = clean_environment()
    build_env["SAC_LIBRARY_PATH"] = str(BUILT_LIBRARY)
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", str(BINDING)], cwd=tmp_path,
                             env=build_env, capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stdout + install.stderr

    probe = ("import libsac, libsac._native as n; "
             "print(libsac.__version__); print(libsac.__file__); print(n.lib._name)")
    result = subprocess.run([str(python), "-c", probe], cwd=tmp_path, env=clean_environment(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    version, package_file, library_file = result.stdout.split("\n")[:3]
    assert version == libsac.__version__ == HEADER_VERSION
    site_packages = venv.resolve() / "lib"
    assert Path(package_file).resolve().is_relative_to(site_packages), package_file
    assert Path(library_file).resolve().is_relative_to(site_packages), library_file  # the bundled copy
    assert Path(library_file).name == "libsac.so"
    assert Path(library_file).read_bytes() == BUILT_LIBRARY.read_bytes()

    # The package works on its own: an agent learns one step, and the console script runs.
    smoke = ("import libsac\n"
             "a = libsac.Agent(obs_dim=2, action_dim=1, hidden_sizes=(8,), batch_size=4, replay_capacity=8,"
             " learning_starts=4)\n"
             "for _ in range(4): a.observe([0, 1], a.act([0, 1]), 1.0, [1, 0], False)\n"
             "print(a.update().critic_loss >= 0)\n")
    result = subprocess.run([str(python), "-c", smoke], cwd=tmp_path, env=clean_environment(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    result = subprocess.run([str(venv / "bin" / "libsac"), "--version"], cwd=tmp_path, env=clean_environment(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"libsac {HEADER_VERSION}"


def test_package_version_is_the_library_version():
    pyproject = (BINDING / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^version = "(.*)"', pyproject, flags=re.M).group(1) == HEADER_VERSION == libsac.__version__
