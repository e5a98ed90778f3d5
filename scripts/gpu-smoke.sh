#!/usr/bin/env bash
# Trains the cnn family on this machine's GPU route (CUDA, else WebGPU on a discrete GPU) and prints the backend and
# samples per second; exits 3, saying why, where no GPU route loads. FOLDWISE_BACKEND picks the route
# (auto | tensorflow-gpu | webgpu); GPU_SMOKE_IMAGES and GPU_SMOKE_EPOCHS size the run.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx test/bench/gpu/smoke.ts "$@"
