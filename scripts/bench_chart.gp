# Speedup chart of a tweann_nif benchmark report (written by
# test/benchmark/bench_report.erl, `make bench').
#
#   gnuplot -e "datafile='x.dat'; outfile='x.svg'; nbars=40; ..." scripts/bench_chart.gp
#
# datafile: tab-separated rows, one horizontal bar per row, top to bottom:
#   1 label        the benchmark (left of the plot)
#   2 speedup      time on the baseline path / time on the NIF
#   3 colour       rgb integer, one per baseline path
#   4 times        text right of the plot: the speedup and both absolute times
# Variables (-e):
#   datafile, outfile, nbars, charttitle
#   xmin, xmax     the speedup axis (log); xmin is 1 unless a speedup is below 1
#   lmarg, rmarg   left and right margins in characters, wide enough for the
#                  longest label and the longest times text
#   timeshead      the heading of the right-hand column
#   nkeys, keyN, colN (N = 1..nkeys)  the legend: one entry per baseline path
if (!exists("datafile")) datafile = 'bench.dat'
if (!exists("outfile")) outfile = 'bench.svg'
if (!exists("nbars")) nbars = 20
if (!exists("charttitle")) charttitle = 'tweann_nif: NIF speedup'
if (!exists("xmin")) xmin = 1
if (!exists("xmax")) xmax = 1000
if (!exists("lmarg")) lmarg = 60
if (!exists("rmarg")) rmarg = 40
if (!exists("timeshead")) timeshead = 'speedup, NIF vs baseline'
if (!exists("nkeys")) nkeys = 0

# Width: the two text columns plus a plot area of about 560 px.
width = int(6.5 * (lmarg + rmarg) + 560)
height = 170 + nbars * 17
set terminal svg size width, height noenhanced font "sans,10" background rgb "white"
set encoding utf8
set output outfile
set datafile separator "\t"
set label 2 charttitle at screen 0.5, screen 1 - 20.0 / height center font "sans,11"
set lmargin lmarg
set rmargin rmarg
set tmargin at screen 1 - 100.0 / height
set bmargin at screen 60.0 / height
set xlabel "speedup of the NIF (log scale): time on the baseline path / time on the NIF"
set logscale x
set xrange [xmin:xmax]
set format x "%gx"
set yrange [nbars - 0.5:-0.5]
set ytics nomirror scale 0 font "sans,9"
set y2range [nbars - 0.5:-0.5]
set y2tics scale 0 font "monospace,8"
set grid xtics
set key at screen 0.5, screen 1 - 34.0 / height center top horizontal samplen 2 spacing 1.2 font "sans,9"
set label 1 timeshead at graph 1, graph 1 offset 1.2, 0.9 left font "monospace,8"
set style fill solid 0.85 noborder
set arrow from 1, graph 0 to 1, graph 1 nohead dashtype 2 lc rgb "#444444"
# A bar runs from parity (1x) to its speedup, leftwards when below 1.
lo(r) = r < 1 ? r : 1
hi(r) = r < 1 ? 1 : r
plot datafile using (hi($2)):0:(lo($2)):(hi($2)):($0 - 0.38):($0 + 0.38):($3):ytic(1) \
         with boxxyerror lc rgb variable notitle, \
     datafile using (1):0:y2tic(4) axes x1y2 with points pt -1 notitle, \
     for [i=1:nkeys] keyentry with boxes fc rgb value(sprintf("col%d", i)) \
         title value(sprintf("key%d", i))
