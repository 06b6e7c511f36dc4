#!/usr/bin/env bash
# Packs the device build of the product (`cmake --preset device`, targets sanavideo and sv_nodes_sana) for a GPU
# machine without Qt, FFmpeg or OpenImageIO: shared/tools/pack-for-device.sh copies `sanavideo` and the libraries
# it needs (the engine, the node SDK, Qt 6 Core + ICU, sentencepiece), and the SANA-Video node pack goes to
# DEST/lib/sanavideo/plugins, the folder PluginLoader::defaultSearchPaths() finds next to bin/ (as in the
# install layout), its libraries into DEST/lib with the others.
#
#   bench/pack_product.sh DEST [BUILD_DIR]        (BUILD_DIR defaults to build/device)
#   DEST/run.sh sanavideo nodes                   lists the SANA-Video nodes
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 DEST [BUILD_DIR]" >&2; exit 2; }
dest=$1
build=${2:-build/device}
packer=${SV_PACK_TOOL:-/work/shared/tools/pack-for-device.sh}
pack=$build/lib/sanavideo/plugins/libsv_nodes_sana.so
[ -f "$pack" ] || { echo "no node pack at $pack (build the sv_nodes_sana target)" >&2; exit 2; }
# The packer copies the pack's libraries too; the pack itself then moves from bin/ to the plugin folder.
bash "$packer" "$dest" "$build/cli/sanavideo" "$pack"
mkdir -p "$dest/lib/sanavideo/plugins"
mv "$dest/bin/$(basename "$pack")" "$dest/lib/sanavideo/plugins/"
if ldd "$dest/bin/sanavideo" | grep -qE 'libav(codec|format)|OpenImageIO|Qt6Widgets|Qt6Gui'; then
    echo "warning: $build/cli/sanavideo links FFmpeg, OpenImageIO or Qt GUI: not a device build" >&2
fi
echo "node pack: $dest/lib/sanavideo/plugins/$(basename "$pack") ($(du -sh "$dest" | cut -f1) in all)"
