// Package faults is the registry of named, deliberate contract violations. A
// fault is switched on by `batchconform emulate --fault NAME`, the
// BATCHCONFORM_FAULTS environment variable or an emulator.Start option, and is
// invisible through every API (the admin API never reveals it). Each fault
// declares the catalog items it violates, so the mutation gate can tell which
// spec ought to kill it.
package faults

import (
	"fmt"
	"sort"
	"strings"
)

// Fault is one named contract violation. Write it with keyed fields: fields
// may be added.
type Fault struct {
	Name  string
	Doc   string
	Items []string // catalog item IDs this fault violates
}

// Dialect is the dialect key of the fault's items (the prefix of an item ID,
// `<dialect>/<subject>/<kind>/<detail>`), so every dialect registers its faults
// here without a field to keep in step. It is "" when the items are missing or
// name more than one dialect (the mutation gate reports such a fault as
// malformed).
func (f Fault) Dialect() string {
	d := ""
	for _, id := range f.Items {
		p, _, _ := strings.Cut(id, "/")
		if p == "" || (d != "" && p != d) {
			return ""
		}
		d = p
	}
	return d
}

// Names of the faults. Code that implements a fault checks Set.On(Name).
const (
	AcceptCyclicDAG      = "accept-cyclic-dag"
	SkipSignatureCheck   = "skip-signature-check"
	IgnoreOffset         = "ignore-offset"
	FailedAsSucceed      = "failed-as-succeed"
	ErrorsAsHTTP400      = "errors-as-http-400"
	NoMaxLenJobName      = "no-maxlen-jobname"
	SkipRunning          = "skip-running"
	IgnoreClientToken    = "ignore-client-token"
	AcceptExpiredSig     = "accept-expired-signature"
	WrongCodeEnvNotFound = "wrong-code-env-not-found"
	NumbersAsStrings     = "numbers-as-strings"
	DeleteRunningJob     = "delete-running-job"
)

var registry = map[string]Fault{}

// Register adds a fault to the registry; it panics on a duplicate name (a
// programming error caught by any test).
func Register(f Fault) {
	if _, dup := registry[f.Name]; dup {
		panic("faults: duplicate " + f.Name)
	}
	registry[f.Name] = f
}

func init() {
	for _, f := range []Fault{
		{Name: AcceptCyclicDAG, Doc: "SubmitJob accepts a job whose Dependences form a cycle", Items: []string{
			"tencent-batch/SubmitJob/rule/Job.Dependences.acyclic",
			"tencent-batch/SubmitJob/error/InvalidParameterValue.DependenceUnfeasible"}},
		{Name: SkipSignatureCheck, Doc: "API 3.0 requests are accepted whatever their signature", Items: []string{
			"tencent-batch/auth/protocol/SignatureFailure"}},
		{Name: IgnoreOffset, Doc: "Describe* list actions ignore Offset and always start at the first item", Items: []string{
			"tencent-batch/DescribeJobs/rule/Offset.range"}},
		{Name: FailedAsSucceed, Doc: "a task instance whose command exits non-zero is reported SUCCEED", Items: []string{
			"tencent-batch/task-instance/transition/RUNNING->FAILED"}},
		{Name: ErrorsAsHTTP400, Doc: "API 3.0 errors are answered with HTTP 400 instead of 200", Items: []string{
			"tencent-batch/envelope/protocol/error-http-200"}},
		{Name: NoMaxLenJobName, Doc: "SubmitJob accepts a JobName longer than 60 characters", Items: []string{
			"tencent-batch/SubmitJob/rule/Job.JobName.maxlen",
			"tencent-batch/SubmitJob/error/InvalidParameter.JobNameTooLong"}},
		{Name: SkipRunning, Doc: "task instances go from STARTING straight to their end state, never RUNNING", Items: []string{
			"tencent-batch/task-instance/transition/STARTING->RUNNING"}},
		{Name: IgnoreClientToken, Doc: "a repeated ClientToken creates a new resource", Items: []string{
			"tencent-batch/SubmitJob/protocol/ClientToken.idempotent"}},
		{Name: AcceptExpiredSig, Doc: "a request timestamp more than 5 minutes off is accepted", Items: []string{
			"tencent-batch/auth/protocol/SignatureExpire"}},
		{Name: WrongCodeEnvNotFound, Doc: "an unknown EnvId answers ResourceNotFound instead of ResourceNotFound.ComputeEnv", Items: []string{
			"tencent-batch/DescribeComputeEnv/error/ResourceNotFound.ComputeEnv"}},
		{Name: NumbersAsStrings, Doc: "numeric response fields are sent as JSON strings", Items: []string{
			"tencent-batch/DescribeJob/schema/response"}},
		{Name: DeleteRunningJob, Doc: "DeleteJob deletes a job that is still running", Items: []string{
			"tencent-batch/DeleteJob/error/UnsupportedOperation"}},
	} {
		Register(f)
	}
}

// All returns every registered fault, sorted by name.
func All() []Fault {
	out := make([]Fault, 0, len(registry))
	for _, f := range registry {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ForDialects returns the registered faults of the given dialects (all of
// them for "all" or no argument), sorted by name.
func ForDialects(dialects ...string) []Fault {
	want := map[string]bool{}
	for _, d := range dialects {
		if d == "all" {
			want = nil
			break
		}
		want[d] = true
	}
	var out []Fault
	for _, f := range All() {
		if len(want) == 0 || want[f.Dialect()] {
			out = append(out, f)
		}
	}
	return out
}

// Lookup returns a registered fault.
func Lookup(name string) (Fault, bool) {
	f, ok := registry[name]
	return f, ok
}

// Set is the set of faults switched on. The zero value and nil have none on.
// It is read-only after construction, so safe for concurrent use.
type Set struct{ on map[string]bool }

// NewSet validates the names and returns the set; an unknown name is an error
// (a typo must not silently run a clean emulator).
func NewSet(names ...string) (*Set, error) {
	s := &Set{on: map[string]bool{}}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if _, ok := registry[n]; !ok {
			return nil, fmt.Errorf("faults: unknown fault %q (known: %s)", n, strings.Join(names2(), ", "))
		}
		s.on[n] = true
	}
	return s, nil
}

// Parse reads a comma-separated list (the BATCHCONFORM_FAULTS form).
func Parse(list string) (*Set, error) { return NewSet(strings.Split(list, ",")...) }

// On reports whether the named fault is switched on.
func (s *Set) On(name string) bool { return s != nil && s.on[name] }

// Names lists the faults switched on, sorted.
func (s *Set) Names() []string {
	if s == nil {
		return nil
	}
	var out []string
	for n := range s.on {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func names2() []string {
	var out []string
	for _, f := range All() {
		out = append(out, f.Name)
	}
	return out
}
