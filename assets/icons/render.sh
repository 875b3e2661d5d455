#!/usr/bin/env bash
# Renders swarmkeeper.svg into the icon files the installers use, all committed beside it:
#   png/swarmkeeper-N.png  N = 16 24 32 48 64 128 256 512   (Linux hicolor sizes; .deb, window)
#   swarmkeeper.ico        16..256 in one file                (Windows .msi, jpackage --icon)
#   swarmkeeper.icns       16..512                            (macOS .dmg/.pkg, jpackage --icon)
#   swarmkeeper.png        512, what jpackage --icon takes on Linux
# Needs rsvg-convert (librsvg2-bin), icotool (icoutils) and png2icns (icnsutils): Debian packages.
# Run it again after changing the SVG; the build itself only reads the rendered files.
set -euo pipefail
cd "$(dirname "$0")"
for tool in rsvg-convert icotool png2icns; do
  command -v "$tool" >/dev/null || { echo "render.sh: needs $tool (apt-get install librsvg2-bin icoutils icnsutils)" >&2; exit 1; }
done
mkdir -p png
for n in 16 24 32 48 64 128 256 512; do
  rsvg-convert -w "$n" -h "$n" swarmkeeper.svg -o "png/swarmkeeper-$n.png"
done
cp png/swarmkeeper-512.png swarmkeeper.png
# ICO: 256 is stored as PNG (Vista and later), the small sizes as bitmaps.
icotool -c -o swarmkeeper.ico png/swarmkeeper-{16,24,32,48,64,128}.png -r png/swarmkeeper-256.png
# ICNS: png2icns picks the icon type from each PNG's size (16, 32, 48, 128, 256, 512).
png2icns swarmkeeper.icns png/swarmkeeper-{16,32,48,128,256,512}.png >/dev/null
ls -l swarmkeeper.png swarmkeeper.ico swarmkeeper.icns png/
