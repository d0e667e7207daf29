package harness

import (
	"time"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/emulator/oceanus"
)

// The embedded emulator's timing. The suite waits out every lifecycle it
// checks, so the time a run takes against the embedded emulator is mostly
// the emulator's state holds: they are shorter there than the emulator's
// defaults (which suit people polling it by hand or from slow clients), and
// the specs poll at a sixth of the hold (PollInterval), so every state is
// still seen several times and a slow poll that misses one is judged by the
// same gap rules as against any target. Only the embedded emulator (and the
// one `run --procs` shares among its shards) gets these: a live target or a
// separately started emulator keeps its own timing.
const (
	// embeddedHold is Tencent Batch's and Alibaba BatchCompute's least time
	// in each observable state (default 120 ms). Against the emulator the
	// state specs judge a state missed between two polls by the real time
	// between them and this hold (a slow poll on a loaded machine is not a
	// skipped state). The floor is the lab's interventions: it acts on a
	// node while it is CREATED or ABNORMAL, an instance while it is
	// STARTING, which lasts one hold; at 40 ms and a load of 17 on 2 cores
	// they came too late five times in a row (2 of 4 runs failed), at 60 ms
	// every run passed (and 30 ms failed at a load of 10). But at 60 ms a
	// merged tree failed 74 Tencent state items at a load of 23 (E9: the
	// node had recovered before TerminateComputeNode, five times), and CI's
	// mutation gate runs its clean run beside four fault runs on 2 cores:
	// so 120 ms, until the lab's interventions stopped depending on the
	// poll's timing. They do now: J6, J8, J9, J10, E5, E9 and J17 run on
	// tenants whose nodes or instances hold the state acted on
	// (state_holds), and the Alibaba lab repeats a round that missed a
	// move. At 80 ms (issue 12: Alibaba's run is bound by holds, 10.4 s ->
	// 7.4 s) the mutation gate's clean run beside four fault runs passed
	// twice (load 5 and 9, one beside `go test -race` of the Tencent and
	// Alibaba specs, which passed too), and 8 latency-proxy runs passed.
	embeddedHold = 80 * time.Millisecond
	// minPollInterval bounds PollInterval from below whatever the hold.
	minPollInterval = 5 * time.Millisecond
)

// embeddedOceanus holds Oceanus's transitional states a fifth of their
// defaults (job status 3: 200 ms instead of 1 s), ten polls or more each.
// A new cluster's initializing (ClusterCreate) is only waited out, never
// observed or provoked by a check: 100 ms, where a scaling, which the
// refusal specs provoke calls into, keeps its 400 ms (issue 12).
var embeddedOceanus = oceanus.Timing{
	Operation:     200 * time.Millisecond,
	FailAfter:     200 * time.Millisecond,
	ResourceSync:  100 * time.Millisecond,
	Savepoint:     100 * time.Millisecond,
	ClusterOp:     400 * time.Millisecond,
	ClusterCreate: 100 * time.Millisecond,
}

// EmbeddedOptions are the options of the emulator a run embeds: the run's
// faults and the embedded timing above.
func EmbeddedOptions(faults []string) []emulator.Option {
	return []emulator.Option{
		emulator.WithFaults(faults...),
		emulator.WithStateHold(embeddedHold),
		emulator.WithOceanusTiming(embeddedOceanus),
	}
}

// RealHold is an emulator's state hold in real time as its admin info
// tells it (0: not told, or a manual clock, where nothing moves by itself).
func RealHold(info emulator.Info) time.Duration {
	if info.Clock.Manual || info.StateHold == "" {
		return 0
	}
	h, err := time.ParseDuration(info.StateHold)
	if err != nil || h <= 0 {
		return 0
	}
	if info.Clock.Scale > 0 {
		h = time.Duration(float64(h) / info.Clock.Scale)
	}
	return h
}
