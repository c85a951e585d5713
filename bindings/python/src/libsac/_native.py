"""Finds and loads libsac.so, checks its ABI version and declares every function's signature once."""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path
from typing import List, Optional, Tuple

#: The SAC_ABI_VERSION of the sac.h this binding was written for.
ABI_VERSION = 0
MAX_ACTION_DIM = 64
MAX_HIDDEN_LAYERS = 8
MAX_ACTIONS = 65536

#: sac_algorithm values (sac_config.algorithm).
ALGO_CONTINUOUS = 0
ALGO_CONTINUOUS_V1 = 1
ALGO_DISCRETE = 2
ALGO_SOFT_Q = 3
#: sac_config.auto_alpha: let the algorithm decide whether alpha is learned.
AUTO_ALPHA_DEFAULT = -1

c_float_p = ctypes.POINTER(ctypes.c_float)
c_agent_p = ctypes.c_void_p


class sac_config(ctypes.Structure):
    """Mirror of `sac_config` in include/sac.h (field order and types must match exactly)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("obs_dim", ctypes.c_uint32),
        ("action_dim", ctypes.c_uint32),
        ("action_low", ctypes.c_float * MAX_ACTION_DIM),
        ("action_high", ctypes.c_float * MAX_ACTION_DIM),
        ("hidden_layers", ctypes.c_uint32),
        ("hidden_sizes", ctypes.c_uint32 * MAX_HIDDEN_LAYERS),
        ("actor_lr", ctypes.c_float),
        ("critic_lr", ctypes.c_float),
        ("alpha_lr", ctypes.c_float),
        ("gamma", ctypes.c_float),
        ("tau", ctypes.c_float),
        ("batch_size", ctypes.c_uint32),
        ("replay_capacity", ctypes.c_uint64),
        ("learning_starts", ctypes.c_uint64),
        ("initial_alpha", ctypes.c_float),
        ("auto_alpha", ctypes.c_int32),
        ("target_entropy", ctypes.c_float),
        ("seed", ctypes.c_uint64),
        # appended in 0.2.0
        ("algorithm", ctypes.c_int32),
        ("n_actions", ctypes.c_uint32),
        ("target_entropy_scale", ctypes.c_float),
        # appended in 0.3.0
        ("normalize_observations", ctypes.c_int32),
        ("obs_clip", ctypes.c_float),
        ("obs_epsilon", ctypes.c_float),
        ("target_update_interval", ctypes.c_uint32),
    ]


class sac_update_stats(ctypes.Structure):
    """Mirror of `sac_update_stats` in include/sac.h."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("critic_loss", ctypes.c_float),
        ("actor_loss", ctypes.c_float),
        ("alpha", ctypes.c_float),
        ("alpha_loss", ctypes.c_float),
        ("entropy", ctypes.c_float),
        ("mean_q", ctypes.c_float),
        # appended in 0.2.0
        ("value_loss", ctypes.c_float),
    ]


class sac_batch(ctypes.Structure):
    """Mirror of `sac_batch` in include/sac.h (pointers travel as addresses: c_void_p)."""

    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("n", ctypes.c_size_t),
        ("obs", ctypes.c_void_p),
        ("actions", ctypes.c_void_p),
        ("action_indices", ctypes.c_void_p),
        ("rewards", ctypes.c_void_p),
        ("next_obs", ctypes.c_void_p),
        ("terminated", ctypes.c_void_p),
    ]


_SIGNATURES = {
    "sac_version_string": ([], ctypes.c_char_p),
    "sac_abi_version": ([], ctypes.c_int),
    "sac_status_string": ([ctypes.c_int], ctypes.c_char_p),
    "sac_last_error": ([], ctypes.c_char_p),
    "sac_config_default": ([ctypes.POINTER(sac_config), ctypes.c_size_t], ctypes.c_int),
    "sac_agent_create": ([ctypes.POINTER(sac_config), ctypes.POINTER(c_agent_p)], ctypes.c_int),
    "sac_agent_destroy": ([c_agent_p], None),
    "sac_agent_config": ([c_agent_p, ctypes.POINTER(sac_config), ctypes.c_size_t], ctypes.c_int),
    "sac_act": ([c_agent_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t],
                ctypes.c_int),
    "sac_act_batch": ([c_agent_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_int,
                       ctypes.c_void_p, ctypes.c_size_t], ctypes.c_int),
    "sac_observe": ([c_agent_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_float,
                     ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int], ctypes.c_int),
    "sac_act_discrete": ([c_agent_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_void_p], ctypes.c_int),
    "sac_act_discrete_batch": ([c_agent_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_int,
                                ctypes.c_void_p, ctypes.c_size_t], ctypes.c_int),
    "sac_observe_discrete": ([c_agent_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int32, ctypes.c_float,
                              ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int], ctypes.c_int),
    "sac_replay_size": ([c_agent_p, ctypes.POINTER(ctypes.c_uint64)], ctypes.c_int),
    "sac_agent_set_threads": ([c_agent_p, ctypes.c_uint32], ctypes.c_int),
    "sac_update": ([c_agent_p, ctypes.c_uint32, ctypes.POINTER(sac_update_stats)], ctypes.c_int),
    "sac_update_from_batch": ([c_agent_p, ctypes.POINTER(sac_batch), ctypes.POINTER(sac_update_stats)],
                              ctypes.c_int),
    "sac_observe_batch": ([c_agent_p, ctypes.POINTER(sac_batch)], ctypes.c_int),
    "sac_agent_obs_normalization": ([c_agent_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                                     ctypes.POINTER(ctypes.c_uint64)], ctypes.c_int),
    "sac_agent_counters": ([c_agent_p, ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_uint64)],
                           ctypes.c_int),
    "sac_to_json": ([c_agent_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)],
                    ctypes.c_int),
    "sac_from_json": ([ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(c_agent_p)], ctypes.c_int),
    "sac_save_json": ([c_agent_p, ctypes.c_char_p, ctypes.c_int], ctypes.c_int),
    "sac_load_json": ([ctypes.c_char_p, ctypes.POINTER(c_agent_p)], ctypes.c_int),
    "sac_save_replay": ([c_agent_p, ctypes.c_char_p], ctypes.c_int),
    "sac_load_replay": ([c_agent_p, ctypes.c_char_p], ctypes.c_int),
}


def _candidates() -> List[Tuple[str, Optional[Path]]]:
    here = Path(__file__).resolve().parent
    candidates: List[Tuple[str, Optional[Path]]] = []
    env = os.environ.get("SAC_LIBRARY_PATH")
    if env:
        candidates.append(("$SAC_LIBRARY_PATH", Path(env)))
    candidates.append(("bundled with the package", here / "_native" / "libsac.so"))
    # A source checkout: bindings/python/src/libsac -> the repository's release build.
    if len(here.parents) > 3:
        candidates.append(("the repository's release build", here.parents[3] / ".build" / "release" / "libsac.so"))
    found = ctypes.util.find_library("sac")
    candidates.append(("ctypes.util.find_library('sac')", Path(found) if found else None))
    return candidates


def _load() -> ctypes.CDLL:
    tried = []
    for label, path in _candidates():
        if path is None:
            tried.append(f"  {label}: nothing found")
            continue
        # find_library returns a bare soname ("libsac.so.0") that the loader resolves itself.
        if path.is_absolute() and not path.is_file():
            tried.append(f"  {label}: {path} does not exist")
            continue
        try:
            library = ctypes.CDLL(str(path))
        except OSError as error:
            tried.append(f"  {label}: {path}: {error}")
            continue
        _check_abi(library, path)
        _declare(library)
        return library
    raise ImportError("libsac: could not load libsac.so. Tried, in order:\n" + "\n".join(tried) +
                      "\nBuild it with `make lib` in the repository, install the package with "
                      "`pip install ./bindings/python`, or set SAC_LIBRARY_PATH to the file.")


def _check_abi(library: ctypes.CDLL, path: Path) -> None:
    try:
        version = library.sac_abi_version
    except AttributeError:
        raise ImportError(f"libsac: {path} is not libsac (no sac_abi_version)") from None
    version.argtypes, version.restype = [], ctypes.c_int
    if version() != ABI_VERSION:
        raise ImportError(f"libsac: {path} has ABI version {version()}, but this binding was written for "
                          f"ABI version {ABI_VERSION}; install matching versions of the library and the package")


def _declare(library: ctypes.CDLL) -> None:
    for name, (argtypes, restype) in _SIGNATURES.items():
        function = getattr(library, name)
        function.argtypes = argtypes
        function.restype = restype


lib = _load()
