#!/usr/bin/env bash
# plot.sh: draws the bandwidth figures of bench/transfers.lua (device-local buffers: ours,
# the raw vkCmdCopyBuffer and memcpy, each way) against the transfer size, log-log, as a PNG.
# Needs gnuplot (Debian: apt-get install gnuplot-nox), a benchmark dependency only.
#   bash bench/plot.sh [DATA [PNG]]   (defaults: build/bench/transfers.dat, build/bench/transfers.png)
set -euo pipefail
data=${1:-build/bench/transfers.dat}
png=${2:-build/bench/transfers.png}
command -v gnuplot >/dev/null || { echo "plot.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 1; }
title=$(sed -n '1s/.*(GB\/s), //p' "$data")
gnuplot <<GP
set terminal pngcairo size 900,560 noenhanced
set output "$png"
set title "Transfers between ll.ndarray and a device-local buffer: $title"
set logscale xy 2
set xlabel "bytes per transfer"
set ylabel "GB/s"
set format x "%.0b %B"
set key right bottom
set grid
plot "$data" using 1:2 with linespoints lw 2 title "ours, fromHost", \
     "" using 1:3 with linespoints lw 2 title "ours, toHost", \
     "" using 1:4 with linespoints dt 2 title "vkCmdCopyBuffer host-visible -> device-local", \
     "" using 1:5 with linespoints dt 2 title "vkCmdCopyBuffer device-local -> host-visible", \
     "" using 1:6 with linespoints dt 3 title "memcpy into mapped memory", \
     "" using 1:7 with linespoints dt 3 title "memcpy out of mapped memory"
GP
echo "$png"
