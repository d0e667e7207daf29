package harness

import (
	"net/http"
	"strings"
	"testing"
)

// TestCreatesAppearTrips: successful creates that never name what they
// created trip creates-appear after unnamedCreatesAfter of them; one create
// that named its resource, fewer of them, refusals and answers outside
// the envelope do not.
func TestCreatesAppearTrips(t *testing.T) {
	named := func(action string) answered {
		return answered{&Call{Action: action, Status: 200, Response: []byte(`{"Response":{"JobId":"job-1","RequestId":"r"}}`)},
			[]Leftover{{Type: "job", ID: "job-1"}}}
	}
	// The tracker read an ID of the wrong type (garbage-mistyped) or none.
	unnamed := func(action string) answered {
		return answered{&Call{Action: action, Status: 200, Response: []byte(`{"Response":{"JobId":42,"RequestId":"r"}}`)},
			[]Leftover{{Type: "job"}}}
	}
	refused := answered{&Call{Action: "SubmitJob", Status: 200,
		Response: []byte(`{"Response":{"Error":{"Code":"LimitExceeded","Message":"m"},"RequestId":"r"}}`)}, nil}
	notEnvelope := answered{&Call{Action: "SubmitJob", Status: 200, Response: []byte(`<html>`)}, nil}
	// An ACS create: a 201 whose Id the tracker could not read.
	acsUnnamed := answered{&Call{Method: http.MethodPost, Path: "/jobs", Status: 201, Response: []byte(`{}`)}, nil}
	acsServerError := answered{&Call{Method: http.MethodPost, Path: "/jobs", Status: 500, Response: []byte(`{}`)}, nil}
	n := unnamedCreatesAfter
	cases := []struct {
		name    string
		answers []answered
		want    string // substring of the trip message ("" = no trip)
	}{
		{"never named", repeatAnswered(unnamed("SubmitJob"), n), "none of 3 creates answered success named"},
		{"one short", repeatAnswered(unnamed("SubmitJob"), n-1), ""},
		{"named once", append([]answered{named("SubmitJob")}, repeatAnswered(unnamed("SubmitJob"), 3*n)...), ""},
		{"named later", append(repeatAnswered(unnamed("SubmitJob"), n-1), named("CreateComputeEnv"), unnamed("SubmitJob")), ""},
		{"refusals are not creates", repeatAnswered(refused, 3*n), ""},
		{"no envelope is not a create", repeatAnswered(notEnvelope, 3*n), ""},
		{"every action named", append(repeatAnswered(unnamed("SubmitJob"), n-1), unnamed("CreateComputeEnv")), "(CreateComputeEnv, SubmitJob)"},
		{"ACS creates", repeatAnswered(acsUnnamed, n), "POST /jobs answered"},
		{"ACS errors are not creates", repeatAnswered(acsServerError, 3*n), ""},
	}
	for _, k := range cases {
		b := newBreaker("tencent-batch", func(string) bool { return true })
		for _, a := range k.answers {
			b.createAnswered(a.call, a.created)
		}
		m, tripped := b.snapshot()[PreCreates]
		switch {
		case k.want == "" && tripped:
			t.Errorf("%s: tripped: %s", k.name, m)
		case k.want != "" && !tripped:
			t.Errorf("%s: did not trip", k.name)
		case k.want != "" && !strings.Contains(m, k.want):
			t.Errorf("%s: message %q does not say %q", k.name, m, k.want)
		}
	}
	if !PreconditionBlocks(PreCreates, "state") || PreconditionBlocks(PreCreates, "rule") {
		t.Errorf("creates-appear must fail the state items and only the items that need resources")
	}
}

type answered struct {
	call    *Call
	created []Leftover
}

func repeatAnswered(a answered, n int) []answered {
	out := make([]answered, n)
	for i := range out {
		out[i] = a
	}
	return out
}
