#!/usr/bin/env bash
# Regenerates Sources/Models/Proto/onnx.pb.swift from proto/onnx.proto (ONNX's own onnx.proto,
# copied from the onnx package). Builds swift-protobuf's protoc-gen-swift once, at the version
# Package.swift names, in .build-protoc (git-ignored); needs protoc (Debian's protobuf-compiler).
set -euo pipefail
cd "$(dirname "$0")/.."
version=1.39.0
if ! command -v protoc >/dev/null; then
    apt-get update -qq && apt-get install -y -qq protobuf-compiler
fi
src=.build-protoc/swift-protobuf
if [ ! -x "$src/.build/release/protoc-gen-swift" ]; then
    rm -rf "$src"
    git clone -q https://github.com/apple/swift-protobuf "$src"
    git -C "$src" checkout -q "$version"
    (cd "$src" && swift build -c release --product protoc-gen-swift)
fi
out=Sources/Models/Proto
protoc --plugin=protoc-gen-swift="$src/.build/release/protoc-gen-swift" \
    --swift_opt=Visibility=Internal --swift_out="$out" -I proto proto/onnx.proto
echo "wrote $out/onnx.pb.swift"
