"""Loads an actorgrad checkpoint into the equivalent torch.nn.Sequential and compares outputs.

The safetensors file is parsed here by hand (8-byte little-endian header length, JSON header,
little-endian data), so the check does not depend on the `safetensors` package or on actorgrad.
"""
import json
import struct
import sys

import numpy as np
import torch

out = sys.argv[1]
raw = open(f"{out}/mnist.safetensors", "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n])
meta = header.pop("__metadata__")
dt = {"F32": np.float32, "F64": np.float64}
state = {}
for name, t in header.items():
    a, b = t["data_offsets"]
    arr = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=dt[t["dtype"]]).reshape(t["shape"])
    state[name] = torch.from_numpy(arr.copy())
model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
missing, unexpected = model.load_state_dict(state, strict=True)
x = torch.from_numpy(np.load(f"{out}/x.npy"))
ours = np.load(f"{out}/logits.npy")
with torch.no_grad():
    theirs = model(x).numpy()
err = np.abs(theirs - ours).max() / np.abs(theirs).max()
print("torch", torch.__version__, "| keys", sorted(state), "| epoch", meta["epoch"], "step", meta["step"])
print(f"max |torch - actorgrad| / max |torch| = {err:.3e};  argmax agreement {np.mean(theirs.argmax(1) == ours.argmax(1)) * 100:.1f}%")
assert err < 1e-5, err
print("OK: the checkpoint loads into torch.nn.Sequential with strict=True and computes the same logits")
