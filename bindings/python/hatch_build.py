"""Build hook: compile libsac.so with SwiftPM and ship it inside the wheel as libsac/_native/libsac.so.

The Swift package (Package.swift, Sources, include, Tests) is found two levels above this file in a
checkout of the repository, or in swift/ beside it in an sdist, which carries a copy of it. Set
SAC_LIBRARY_PATH to an existing libsac.so to bundle that file instead of building (e.g. on a machine
without Swift).
"""
import os
import subprocess
import sysconfig
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
            root = Path(self.root).resolve()
            packages = [root / "swift", root.parents[1]]  # an unpacked sdist, then a checkout
            repo = next((p for p in packages if (p / "Package.swift").is_file()), None)
            if repo is None:
                raise RuntimeError(
                    f"cannot build libsac: no Package.swift in {' or '.join(map(str, packages))}; install "
                    "from a checkout of the repository or from the sdist, or set SAC_LIBRARY_PATH to a built "
                    "libsac.so")
            subprocess.run(
                ["swift", "build", "-c", "release", "-Xswiftc", "-static-stdlib", "--product", "sac"],
                cwd=repo, check=True)
            library = repo / ".build" / "release" / "libsac.so"
        if not library.is_file():
            raise RuntimeError(f"libsac.so not found at {library}")
        build_data["force_include"][str(library)] = "libsac/_native/libsac.so"
        build_data["pure_python"] = False
        # The library is loaded with ctypes, not as an extension module: any Python 3 on this platform
        # can use the wheel. (`make wheel` then has auditwheel turn linux_x86_64 into the manylinux tag.)
        platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
        build_data["tag"] = f"py3-none-{platform}"
