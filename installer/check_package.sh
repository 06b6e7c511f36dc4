#!/bin/sh
# Container-free check of a built .deb: unpack it into a scratch root (no dpkg database, no root needed) and run the
# installed programs from there, so a broken RPATH, a missing library or a missing file shows up.
#   installer/check_package.sh build/release/sanavideo-studio_*.deb
set -eu
deb=${1:?usage: check_package.sh PACKAGE.deb}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
echo "== contents"
dpkg-deb -c "$deb" | awk '{print $6}' > "$root/contents.txt"
cat "$root/contents.txt"
echo "== sanavideo --help"
"$root/usr/bin/sanavideo" --help
if grep -q 'lib/sanavideo/plugins/.*\.so$' "$root/contents.txt"; then
  echo "== sanavideo nodes (the packaged node pack, found next to the executable)"
  "$root/usr/bin/sanavideo" nodes > "$root/nodes.txt"
  head -5 "$root/nodes.txt"
  test -s "$root/nodes.txt"
  test -f "$root/usr/share/sanavideo/graphs/text-to-video.json"
  echo "== sanavideo version (the installed engine, shared by the node pack: one engine per process)"
  "$root/usr/bin/sanavideo" version | tee "$root/version.txt"
  grep -q "^engine: $root/usr/.*lib/sanavideo/libsv_core.so" "$root/version.txt"  # the packaged one
  grep -q "node pack sana-video: .*shares this engine" "$root/version.txt"
fi
echo "== sanavideo-studio --version"
QT_QPA_PLATFORM=offscreen "$root/usr/bin/sanavideo-studio" --version
test -f "$root/usr/share/applications/sanavideo-studio.desktop"
test -f "$root/usr/share/icons/hicolor/256x256/apps/sanavideo-studio.png"
echo "== screenshot of the installed editor (offscreen)"
HOME="$root/home" QT_QPA_PLATFORM=offscreen "$root/usr/bin/sanavideo-studio" --screenshot "$root/shot.png" >/dev/null
test -s "$root/shot.png"
echo "package OK: $deb"
