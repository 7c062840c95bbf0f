# Speedup chart of a tweann_nif benchmark report (written by
# test/benchmark/bench_report.erl, `make bench').
#
#   gnuplot -e "datafile='x.dat'; outfile='x.svg'; nbars=40; charttitle='...'" scripts/bench_chart.gp
#
# datafile: tab-separated rows "label<TAB>speedup<TAB>rgb colour (integer)",
# one horizontal bar per row, top to bottom; speedup = time on the slower
# path / time on the NIF (log scale; the dashed line is parity).
if (!exists("datafile")) datafile = 'bench.dat'
if (!exists("outfile")) outfile = 'bench.svg'
if (!exists("nbars")) nbars = 20
if (!exists("charttitle")) charttitle = 'tweann_nif: NIF speedup'

set terminal svg size 1200, (140 + nbars * 16) noenhanced font "sans,10" background rgb "white"
set output outfile
set datafile separator "\t"
set title charttitle
set lmargin 62
set rmargin 6
set xlabel "speedup of the NIF (x, log scale): time of the slower path / time of the NIF"
set logscale x
set xrange [0.1:*]
set yrange [nbars - 0.5:-0.5]
set ytics nomirror scale 0 font "sans,9"
set grid xtics
set key off
set style fill solid 0.85 noborder
set arrow from 1, graph 0 to 1, graph 1 nohead dashtype 2 lc rgb "#444444"
plot datafile using ($2):0:(0.1):($2):($0 - 0.38):($0 + 0.38):($3):ytic(1) \
         with boxxyerror lc rgb variable, \
     datafile using ($2):0:(sprintf(" %.1fx", $2)) with labels left font "sans,8"
