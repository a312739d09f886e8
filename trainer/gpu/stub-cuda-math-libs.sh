#!/usr/bin/env bash
# stub-cuda-math-libs.sh LIBTORCH_DIR OUT_DIR: stand-ins for the CUDA libraries that Maven Central does not serve
# for JavaCPP's CUDA libtorch (cuBLAS, cuBLASLt, cuSPARSE, cuSOLVER, cuDNN), so that the GPU recipe's loading path
# (DJL's cu128 JNI on that libtorch, ./impflow build --gpu) can be checked on a machine without a GPU or CUDA
# installation (trainer/GPU.md). Each stub has the soname and symbol version the libtorch asks for and defines every
# function it imports from that library as abort(): loading succeeds, CPU work never calls them, any GPU work would
# stop the process at once. Never for real use: on a GPU host, IMPFLOW_CUDA_LIBS names the real libraries.
set -euo pipefail

[[ $# -eq 2 ]] || { sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
lib_dir="$1" out="$2"
[[ -f "$lib_dir/libtorch_cuda.so" ]] || { echo "stub-cuda-math-libs.sh: no libtorch_cuda.so in $lib_dir" >&2; exit 1; }
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# every imported symbol, as NAME@LIBRARY
readelf --dyn-syms -W "$lib_dir"/lib*.so | awk '$7 == "UND" {print $8}' | sed 's/ (.*//' | sort -u >"$work/imports"
for soname in libcublas.so.12 libcublasLt.so.12 libcusparse.so.12 libcusolver.so.11 libcudnn.so.9; do
  grep "@$soname\$" "$work/imports" | cut -d@ -f1 >"$work/names" || true
  [[ -s "$work/names" ]] || continue
  { echo '#include <stdlib.h>'; sed 's/.*/void &(void) { abort(); }/' "$work/names"; } >"$work/stub.c"
  { echo "$soname { global:"; sed 's/$/;/' "$work/names"; echo "local: *; };"; } >"$work/stub.map"
  gcc -shared -fPIC -o "$out/$soname" "$work/stub.c" -Wl,-soname,"$soname" -Wl,--version-script="$work/stub.map"
  echo "$out/$soname: $(wc -l <"$work/names") function(s)"
done
