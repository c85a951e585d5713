"""Build hook: compile libsac.so with SwiftPM and ship it inside the wheel as libsac/_native/libsac.so.

The repository root (two levels above this file) holds Package.swift. Set SAC_LIBRARY_PATH to an
existing libsac.so to bundle that file instead of building (e.g. on a machine without Swift).
"""
import os
import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class SwiftLibraryHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if self.target_name != "wheel":
            return
        library = os.environ.get("SAC_LIBRARY_PATH")
        if library:
            library = Path(library)
        else:
            repo = Path(self.root).resolve().parents[1]
            if not (repo / "Package.swift").is_file():
                raise RuntimeError(
                    f"cannot build libsac: no Package.swift in {repo}; install from a checkout of the "
                    "repository, or set SAC_LIBRARY_PATH to a built libsac.so")
            subprocess.run(
                ["swift", "build", "-c", "release", "-Xswiftc", "-static-stdlib", "--product", "sac"],
                cwd=repo, check=True)
            library = repo / ".build" / "release" / "libsac.so"
        if not library.is_file():
            raise RuntimeError(f"libsac.so not found at {library}")
        build_data["force_include"][str(library)] = "libsac/_native/libsac.so"
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
