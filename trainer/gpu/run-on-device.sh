#!/usr/bin/env bash
# run-on-device.sh: the prepared GPU check of issue 22 (trainer/GPU.md): train ImpFlow with --device gpu on a machine
# that has a GPU, PyTorch 2.11 + CUDA 13, CMake and nvcc but no Java, and measure training steps/s there.
#
#   trainer/gpu/run-on-device.sh prepare DJL_GIT   here: build the carried layout target/gpu-carry (a jlinked Java 17,
#                                                  the trainer's jars without the CPU native, DJL 0.36.0's JNI sources
#                                                  from a clone of deepjavalibrary/djl, the generated JNI header)
#   trainer/gpu/run-on-device.sh dry-run           here: check the carried layout on this CPU (the carried Java and
#                                                  jars train with a CPU libtorch through DJL's override, the JNI
#                                                  found by its cache path), measure its size, print the device steps
#   trainer/gpu/run-on-device.sh device            there (device tool, carry ["target/gpu-carry"]): build DJL's JNI
#                                                  against the device's libtorch, measure steps/s on the GPU, train
#                                                  ImpFlow with --device gpu; results and the artifact go to $OUT
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CARRY="$ROOT/target/gpu-carry"
DJL_TAG=v0.36.0
DJL_API_VERSION=0.36.0
DATA="$ROOT/datasets/satellite.csv"          # d = 36, 6,435 rows (datasets/README.md)
# the measured configuration of the issue: d = 36, hidden 128, 4 blocks, batch 4,096
STEP_RATE_ARGS=(hidden=128 blocks=4 batch=4096 dtype=float32 arch=impflow)
CARRY_LIMIT_BYTES=$((64 * 1024 * 1024))
# Jars the train command does not need on CSV data (Kafka sources and their compression codecs, PNG charts), left
# behind to fit the device tool's 64 MiB; the dry run trains with the rest. Log4j is swapped for slf4j-simple: its
# core needs java.beans, whose module (java.desktop) would cost 12 MB of the runtime.
LEFT_BEHIND='pytorch-native-cpu|pytorch-jni|kafka-clients|zstd-jni|snappy-java|lz4-java|jfreechart|log4j-core|log4j-slf4j2'
MODULES=java.base,java.logging,java.management,java.naming,java.sql,java.xml,jdk.unsupported

die() { echo "run-on-device.sh: $*" >&2; exit 1; }

classpath_of() {  # the carried jars and classes, as a class path
  local dir="$1"
  echo "$dir/classes/trainer:$dir/classes/bench:$(find "$dir/lib" -name '*.jar' | sort | tr '\n' ':')"
}

prepare() {
  local djl_git="${1:-}"
  [[ -n "$djl_git" ]] || die "prepare needs a git clone of deepjavalibrary/djl (holding tag $DJL_TAG) as its argument"
  git -C "$djl_git" rev-parse -q --verify "$DJL_TAG^{commit}" >/dev/null || die "$djl_git has no tag $DJL_TAG"
  export MAVEN_ARGS="${MAVEN_ARGS:-}"
  # install writes trainer/target/classpath.txt, the trainer's runtime class path (as for the launcher)
  (cd "$ROOT" && ./mvnw -B -q -pl trainer,bench -am install -DskipTests) \
    || die "the Maven build failed; run it without -q to see why"
  rm -rf "$CARRY" && mkdir -p "$CARRY/lib" "$CARRY/classes" "$CARRY/djl"
  tr ':' '\n' <"$ROOT/trainer/target/classpath.txt" | grep -v -E "$LEFT_BEHIND" | xargs -I{} cp {} "$CARRY/lib/"
  local slf4j; slf4j="$(cd "$ROOT" && ./mvnw -B -q help:evaluate -Dexpression=slf4j.version -DforceStdout -N)"
  (cd "$ROOT" && ./mvnw -B -q -N dependency:copy -Dartifact="org.slf4j:slf4j-simple:$slf4j" \
     -DoutputDirectory="$CARRY/lib") || die "could not fetch org.slf4j:slf4j-simple:$slf4j"
  cp -r "$ROOT/trainer/target/classes" "$CARRY/classes/trainer"
  mkdir -p "$CARRY/classes/bench/io/impflow/bench/training" "$CARRY/classes/bench/io/impflow/bench/quality"
  cp "$ROOT"/bench/target/classes/io/impflow/bench/training/*.class "$CARRY/classes/bench/io/impflow/bench/training/"
  cp "$ROOT"/bench/target/classes/io/impflow/bench/quality/Stopwatch*.class "$CARRY/classes/bench/io/impflow/bench/quality/"
  # Java 17 for a machine without Java; headers kept (the JNI build needs jni.h), native symbols stripped
  jlink --add-modules "$MODULES" --strip-debug --no-man-pages --compress=2 --output "$CARRY/jre"
  strip --strip-unneeded "$CARRY/jre/lib/server/libjvm.so"
  # DJL's JNI sources at the tag pytorch-jni 2.7.1-0.36.0 was built from, and its JNI header (javac -h needs Java)
  git -C "$djl_git" archive "$DJL_TAG" engines/pytorch/pytorch-native/CMakeLists.txt \
    engines/pytorch/pytorch-native/src/main/native api/src/main/native | tar -x -C "$CARRY/djl"
  local src; src="$(mktemp -d)"
  git -C "$djl_git" archive "$DJL_TAG" engines/pytorch/pytorch-engine/src/main/java | tar -x -C "$src"
  javac -h "$CARRY/djl/engines/pytorch/pytorch-native/build/include" -d "$src/classes" \
    -cp "$(cat "$ROOT/trainer/target/classpath.txt")" -sourcepath "$src/engines/pytorch/pytorch-engine/src/main/java" \
    "$src/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"
  rm -rf "$src"
  git -C "$djl_git" rev-parse "$DJL_TAG^{commit}" >"$CARRY/djl/COMMIT"
  echo "prepared $CARRY: $(du -sh "$CARRY" | cut -f1)"
}

# --- on the device --------------------------------------------------------------------------------------------
# run_to LOG CMD...: CMD with its output appended to LOG; the dry run prints it instead
run_to() {
  local log="$1"; shift
  if [[ "${DRY:-0}" == 1 ]]; then printf '+ %s >> %s\n' "$*" "$log"; else "$@" >>"$log" 2>&1; fi
}
run() { if [[ "${DRY:-0}" == 1 ]]; then printf '+ %s\n' "$*"; else "$@"; fi; }

device() {
  local out="${OUT:?device mode writes its results to \$OUT (the device tool sets it)}" work=/tmp/impflow-gpu
  [[ -x "$CARRY/jre/bin/java" ]] || die "$CARRY is missing: run 'prepare' here and name target/gpu-carry in carry"
  local py=python3 torch_dir torch_version cuda_tag prefix
  if [[ "${DRY:-0}" == 1 ]]; then
    torch_dir='$TORCH_DIR' torch_version='$TORCH_VERSION' cuda_tag='$CUDA_TAG' prefix='$TORCH_CMAKE_PREFIX'
    echo "# from python3's torch there: TORCH_DIR, TORCH_VERSION (2.11.0), CUDA_TAG (cu130), TORCH_CMAKE_PREFIX;"
    echo "# nvidia-smi and torch.cuda.get_device_name(0) into \$OUT/device.txt"
  else
    torch_dir="$($py -c 'import torch, os; print(os.path.dirname(torch.__file__))')"
    torch_version="$($py -c 'import torch; print(torch.__version__.split("+")[0])')"
    cuda_tag="cu$($py -c 'import torch; print((torch.version.cuda or "").replace(".", ""))')"
    prefix="$($py -c 'import torch; print(torch.utils.cmake_prefix_path)')"
    mkdir -p "$out" "$work"
    { nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
      echo "torch $($py -c 'import torch; print(torch.__version__, torch.cuda.get_device_name(0))')"
    } >"$out/device.txt" 2>&1
  fi
  local native="$CARRY/djl/engines/pytorch/pytorch-native" cache="$work/djl-cache" jre="$CARRY/jre"
  # 1. DJL's JNI against the device's libtorch. DJL 0.36.0's sources target libtorch 2.7.1; if 2.11 removed the
  #    deprecated guard they use (torch warns it will go), the second try swaps in the replacement torch names.
  local cmake_args=(-S "$native" -B "$work/jni" -DCMAKE_BUILD_TYPE=Release -DUSE_CUDA=1 -DCMAKE_PREFIX_PATH="$prefix"
    -DJAVA_HOME="$jre" -DJAVA_INCLUDE_PATH="$jre/include" -DJAVA_INCLUDE_PATH2="$jre/include/linux"
    -DJAVA_JVM_LIBRARY="$jre/lib/server/libjvm.so")
  if ! { run_to "$out/jni-build.log" cmake "${cmake_args[@]}" \
         && run_to "$out/jni-build.log" cmake --build "$work/jni" -j "$(nproc)"; }; then
    run sed -i 's/torch::AutoNonVariableTypeMode/at::AutoDispatchBelowADInplaceOrView/g' "$native"/src/main/native/*.cc
    run_to "$out/jni-build.log" cmake --build "$work/jni" -j "$(nproc)" \
      || die "DJL's JNI did not build against libtorch $torch_version: $out/jni-build.log"
  fi
  # 2. DJL's LibUtils takes a JNI already in its cache folder <version>-<flavor>-<classifier> before extracting one
  local jni_dir="$cache/pytorch/$torch_version-$cuda_tag-linux-x86_64"
  run mkdir -p "$jni_dir"
  run cp "$work/jni/libdjl_torch.so" "$jni_dir/$DJL_API_VERSION-libdjl_torch.so"
  # 3. DJL loads the device's libtorch: torch/lib of the pip package, whose RPATHs find the nvidia-* libraries
  local java=("$jre/bin/java" -Xmx16g -Dai.djl.offline=true -DENGINE_CACHE_DIR="$cache" -cp "$(classpath_of "$CARRY")")
  local env=(env PYTORCH_LIBRARY_PATH="$torch_dir/lib" PYTORCH_VERSION="$torch_version" PYTORCH_FLAVOR="$cuda_tag"
    LD_LIBRARY_PATH="$torch_dir/lib" OPT_OUT_TRACKING=true)
  # 4. steps/s on the GPU, then on the device's CPU with one torch thread (as this project's CPU numbers)
  run_to "$out/step-rate-gpu.txt" "${env[@]}" "${java[@]}" io.impflow.bench.training.TrainingStepRate "$DATA" gpu \
    "${STEP_RATE_ARGS[@]}" steps=20 warmup=3 || echo "GPU step-rate run failed: $out/step-rate-gpu.txt"
  run_to "$out/step-rate-device-cpu.txt" "${env[@]}" OMP_NUM_THREADS=1 "${java[@]}" -Dai.djl.pytorch.num_threads=1 \
    -Dai.djl.pytorch.num_interop_threads=1 io.impflow.bench.training.TrainingStepRate "$DATA" cpu \
    "${STEP_RATE_ARGS[@]}" steps=2 warmup=1 || echo "CPU step-rate run failed: $out/step-rate-device-cpu.txt"
  # 5. an artifact trained on the GPU, to be scored back on the CPU machine (trainer/GPU.md)
  run_to "$out/train-gpu.log" "${env[@]}" "${java[@]}" io.impflow.trainer.cli.ImpflowCli train --data "$DATA" \
    --label-column y --device gpu --arch impflow --blocks 4 --hidden 128 --batch-size 4096 --time-budget 120 \
    --seed 1 --out "$out/model" || echo "GPU training failed: $out/train-gpu.log"
  [[ "${DRY:-0}" == 1 ]] || { cat "$out"/device.txt "$out"/step-rate-*.txt; tail -3 "$out/train-gpu.log"; }
}

dry_run() {
  [[ -x "$CARRY/jre/bin/java" ]] || die "$CARRY is missing: run 'prepare DJL_GIT' first"
  local tree carry total
  tree="$(cd "$ROOT" && git ls-files -z | xargs -0 du -cb | tail -1 | cut -f1)"
  carry="$(du -sb "$CARRY" | cut -f1)"
  total=$((tree + carry))
  printf 'carried layout %s: %.1f MiB (jre %s, jars %s, classes %s, djl sources %s); with the tracked tree %.1f MiB of 64\n' \
    "$CARRY" "$(echo "$carry / 1048576" | bc -l)" "$(du -sh "$CARRY/jre" | cut -f1)" "$(du -sh "$CARRY/lib" | cut -f1)" \
    "$(du -sh "$CARRY/classes" | cut -f1)" "$(du -sh "$CARRY/djl" | cut -f1)" "$(echo "$total / 1048576" | bc -l)"
  (( total <= CARRY_LIMIT_BYTES )) || die "the carried layout and the tree exceed 64 MiB"
  # The carried Java and jars on this CPU, the way the device will run them: no bundled native on the class path,
  # libtorch through PYTORCH_LIBRARY_PATH, the JNI from DJL's cache path. Here the libtorch is DJL's CPU 2.7.1 and
  # the JNI its CPU build, taken from the Maven repository the build used.
  local m2 native_jar jni_jar work
  m2="$(cd "$ROOT" && ./mvnw -B -q help:evaluate -Dexpression=settings.localRepository -DforceStdout 2>/dev/null)"
  native_jar="$(find "$m2/ai/djl/pytorch/pytorch-native-cpu" -name '*-linux-x86_64.jar' | head -1)"
  jni_jar="$(find "$m2/ai/djl/pytorch/pytorch-jni" -name 'pytorch-jni-*.jar' | head -1)"
  work="$(mktemp -d)"
  unzip -q -j "$native_jar" 'pytorch/cpu/linux-x86_64/*' -d "$work/libtorch"
  mkdir -p "$work/djl-cache/pytorch/2.7.1-cpu-linux-x86_64"
  unzip -q -p "$jni_jar" jnilib/linux-x86_64/cpu/libdjl_torch.so \
    >"$work/djl-cache/pytorch/2.7.1-cpu-linux-x86_64/$DJL_API_VERSION-libdjl_torch.so"
  local java=("$CARRY/jre/bin/java" -Xmx4g -Dai.djl.offline=true -DENGINE_CACHE_DIR="$work/djl-cache"
    -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -cp "$(classpath_of "$CARRY")")
  local env=(env PYTORCH_LIBRARY_PATH="$work/libtorch" PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cpu OMP_NUM_THREADS=1
    OPT_OUT_TRACKING=true)
  echo "== the carried layout trains here (CPU, short run): ./impflow-free java -cp <carried> ImpflowCli train"
  "${env[@]}" "${java[@]}" io.impflow.trainer.cli.ImpflowCli train --data "$DATA" --label-column y --device cpu \
    --arch impflow --blocks 4 --hidden 128 --batch-size 1024 --max-steps 2 --epochs 1 --seed 1 \
    --out "$work/model" 2>&1 | grep -E 'training|wrote model|ERROR|Exception' | head -5
  [[ -f "$work/model/manifest.json" ]] || die "the carried layout did not train here"
  echo "== the carried step-rate tool here (CPU, one torch thread, ${STEP_RATE_ARGS[*]}):"
  "${env[@]}" "${java[@]}" io.impflow.bench.training.TrainingStepRate "$DATA" cpu "${STEP_RATE_ARGS[@]}" \
    steps="${DRY_STEPS:-2}" warmup=1 2>&1 | grep -E '^(engine|djl_device|cuda|gpu_count|config|timed_steps)='
  rm -rf "$work"
  echo "== what 'device' would run there:"
  DRY=1 OUT='$OUT' device
}

case "${1:-}" in
  prepare) shift; prepare "$@" ;;
  dry-run) dry_run ;;
  device) device ;;
  *) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
