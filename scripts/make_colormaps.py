#!/usr/bin/python3
"""make_colormaps.py: writes lua/node_kit_colormaps.lua, the colour tables of the built-in
node lluvia/viz/colormap/ColorMap, from the colour maps as matplotlib defines them (Debian's
python3-matplotlib): each map sampled at 256 points, i / 255 for i = 0 .. 255, every channel
rounded to 8 bits, alpha 255, as base64 of the 1024 bytes.
    /usr/bin/python3 scripts/make_colormaps.py > lua/node_kit_colormaps.lua
"""
import base64
import sys

import matplotlib

NAMES = ["viridis", "plasma", "inferno", "magma", "cividis", "gray", "Purples", "Blues",
         "Greens", "Oranges", "Reds", "Spectral", "coolwarm", "bwr", "seismic", "twilight",
         "hsv"]


def table(name):
    cmap = matplotlib.colormaps[name]
    out = bytearray()
    for i in range(256):
        r, g, b, _ = cmap(i / 255.0)
        out += bytes([round(r * 255), round(g * 255), round(b * 255), 255])
    return base64.b64encode(bytes(out)).decode("ascii")


def main():
    w = sys.stdout.write
    w("-- node_kit_colormaps.lua: the colour tables of lluvia/viz/colormap/ColorMap, made by\n")
    w("-- scripts/make_colormaps.py (matplotlib %s's definitions, 256 samples, RGBA8 as base64).\n"
      % matplotlib.__version__)
    w("-- Not for editing by hand: run the script again.\n")
    w("local ll = ...\n\n")
    w("ll._nodeKit.colorMaps = {\n")
    for name in NAMES:
        w('  %s = "%s",\n' % (name.lower(), table(name)))
    w("}\n")


main()
