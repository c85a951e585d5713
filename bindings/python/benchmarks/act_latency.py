"""Python-side overhead of `Agent.act` over the C call it wraps.

    python bindings/python/benchmarks/act_latency.py [--obs-dim 17] [--action-dim 6] [--calls 20000]

Times, best of 5 repeats, for one observation: `Agent.act` (numpy in and out), the bare ctypes call
of sac_act on preallocated buffers, and their difference, the binding's overhead.
"""
import argparse
import ctypes
import time

import numpy as np

import libsac
from libsac._native import lib


def best_of(repeats, calls, body):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            body()
        best = min(best, (time.perf_counter() - start) / calls)
    return best * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--obs-dim", type=int, default=17)
    parser.add_argument("--action-dim", type=int, default=6)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    with libsac.Agent(obs_dim=args.obs_dim, action_dim=args.action_dim, replay_capacity=1000) as agent:
        obs = np.random.default_rng(0).standard_normal(args.obs_dim).astype(np.float32)
        action = np.empty(args.action_dim, dtype=np.float32)
        handle = agent._live
        obs_p, action_p = obs.ctypes.data, action.ctypes.data
        raw = best_of(args.repeats, args.calls, lambda: lib.sac_act(handle, obs_p, args.obs_dim, 1, action_p, args.action_dim))
        full = best_of(args.repeats, args.calls, lambda: agent.act(obs, deterministic=True))
        listed = best_of(args.repeats, args.calls // 4, lambda: agent.act(obs.tolist(), deterministic=True))
    print(f"act latency, (obs, act) = ({args.obs_dim}, {args.action_dim}), deterministic, best of {args.repeats}:")
    print(f"  ctypes call of sac_act             {raw:7.2f} us")
    print(f"  Agent.act(ndarray float32)         {full:7.2f} us")
    print(f"  Agent.act(list)                    {listed:7.2f} us")
    print(f"  binding overhead (ndarray)         {full - raw:7.2f} us")


if __name__ == "__main__":
    main()
