# Reads `go test -bench` output and prints, per benchmark, the median of each
# reported metric over its -count runs, then the ratio table (ratio-% of the
# interleaved emulator-vs-bare benchmarks, median of the runs, and the
# median ratio of their CPU time per request where reported). Used by
# `make bench`; the raw output is printed first, so nothing is hidden.
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	if (!(name in seen)) { seen[name] = 1; order[++n] = name }
	runs[name]++
	for (i = 3; i + 1 <= NF; i += 2) {
		unit = $(i + 1)
		if (!((name, unit) in useen)) { useen[name, unit] = 1; units[name] = units[name] " " unit }
		vals[name, unit, runs[name]] = $i
	}
}
function median(name, unit,    k, m, a, i, j, t) {
	m = 0
	for (k = 1; k <= runs[name]; k++) if ((name, unit, k) in vals) a[++m] = vals[name, unit, k] + 0
	for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	if (m == 0) return ""
	if (m % 2) return a[(m + 1) / 2]
	return (a[m / 2] + a[m / 2 + 1]) / 2
}
END {
	print ""
	print "== medians over the runs (make bench) =="
	printf "%-44s %5s  %s\n", "benchmark", "runs", "metric=median"
	for (k = 1; k <= n; k++) {
		name = order[k]; line = ""
		split(substr(units[name], 2), us, " ")
		for (i = 1; i in us; i++) line = line sprintf("  %s=%.6g", us[i], median(name, us[i]))
		printf "%-44s %5d %s\n", name, runs[name], line
	}
	print ""
	print "== emulator vs bare net/http, interleaved in one run (target: ratio >= 70%) =="
	printf "%-44s %12s %12s %9s %9s %s\n", "benchmark", "server req/s", "bare req/s", "ratio", "cpu ratio", "ratio per run"
	for (k = 1; k <= n; k++) {
		name = order[k]
		if (!((name, "ratio-%") in useen)) continue
		srv = ((name, "emu-req/s") in useen) ? "emu-req/s" : "full-req/s"
		per = ""
		for (r = 1; r <= runs[name]; r++) per = per sprintf(" %.1f", vals[name, "ratio-%", r])
		cpu = ((name, "cpu-ratio-%") in useen) ? sprintf("%8.1f%%", median(name, "cpu-ratio-%")) : sprintf("%9s", "-")
		printf "%-44s %12.0f %12.0f %8.1f%% %s %s\n", name, median(name, srv), median(name, "bare-req/s"), median(name, "ratio-%"), cpu, per
	}
}
