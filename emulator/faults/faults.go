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

// Fault is one named contract violation.
type Fault struct {
	Name  string
	Doc   string
	Items []string // catalog item IDs this fault violates
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
		{AcceptCyclicDAG, "SubmitJob accepts a job whose Dependences form a cycle", []string{
			"tencent-batch/SubmitJob/rule/Job.Dependences.acyclic",
			"tencent-batch/SubmitJob/error/InvalidParameterValue.DependenceUnfeasible"}},
		{SkipSignatureCheck, "API 3.0 requests are accepted whatever their signature", []string{
			"tencent-batch/auth/protocol/SignatureFailure"}},
		{IgnoreOffset, "Describe* list actions ignore Offset and always start at the first item", []string{
			"tencent-batch/DescribeJobs/rule/Offset.range"}},
		{FailedAsSucceed, "a task instance whose command exits non-zero is reported SUCCEED", []string{
			"tencent-batch/task-instance/transition/RUNNING->FAILED"}},
		{ErrorsAsHTTP400, "API 3.0 errors are answered with HTTP 400 instead of 200", []string{
			"tencent-batch/envelope/protocol/error-http-200"}},
		{NoMaxLenJobName, "SubmitJob accepts a JobName longer than 60 characters", []string{
			"tencent-batch/SubmitJob/rule/Job.JobName.maxlen",
			"tencent-batch/SubmitJob/error/InvalidParameter.JobNameTooLong"}},
		{SkipRunning, "task instances go from STARTING straight to their end state, never RUNNING", []string{
			"tencent-batch/task-instance/transition/STARTING->RUNNING"}},
		{IgnoreClientToken, "a repeated ClientToken creates a new resource", []string{
			"tencent-batch/SubmitJob/protocol/ClientToken.idempotent"}},
		{AcceptExpiredSig, "a request timestamp more than 5 minutes off is accepted", []string{
			"tencent-batch/auth/protocol/SignatureExpire"}},
		{WrongCodeEnvNotFound, "an unknown EnvId answers ResourceNotFound instead of ResourceNotFound.ComputeEnv", []string{
			"tencent-batch/DescribeComputeEnv/error/ResourceNotFound.ComputeEnv"}},
		{NumbersAsStrings, "numeric response fields are sent as JSON strings", []string{
			"tencent-batch/DescribeJob/schema/response"}},
		{DeleteRunningJob, "DeleteJob deletes a job that is still running", []string{
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
