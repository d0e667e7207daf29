package harness

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/fixtures/alibatch"
	"github.com/batchconform/batchconform/fixtures/oceanus"
	"github.com/batchconform/batchconform/fixtures/tencentbatch"
	"github.com/batchconform/batchconform/internal/hostile"
)

// synth builds a well-formed value of a documented type (every member
// present, each of its documented kind).
func synth(c *fixtures.Catalog, typ, elem, ref string, depth int) any {
	switch typ {
	case "string":
		return "x"
	case "datetime":
		return "2016-11-01T15:25:03.020203Z"
	case "int64", "uint64", "float":
		return 1.0
	case "bool":
		return true
	case "object":
		o, ok := c.Objects[ref]
		if !ok || depth > 6 {
			return map[string]any{}
		}
		m := map[string]any{}
		for _, mem := range o.Members {
			if mem.Location == "" {
				m[mem.Name] = synth(c, mem.Type, mem.Elem, mem.Ref, depth+1)
			}
		}
		return m
	case "list":
		return []any{synth(c, elem, "", ref, depth+1)}
	case "map":
		return map[string]any{"k": synth(c, elem, "", ref, depth+1)}
	}
	return nil
}

// body renders an answer in the dialect's form.
func body(api3 bool, v any) []byte {
	if api3 {
		m, _ := v.(map[string]any)
		m["RequestId"] = "r-1"
		v = map[string]any{"Response": m}
	}
	b, _ := json.Marshal(v)
	return b
}

// TestAnswerShape: every read of every catalog, answered well-formed, is
// readable; answered with every value mistyped, or with nothing at all, it
// is not; one mistyped member among many is a finding for the action's
// specs, not an unreadable answer.
func TestAnswerShape(t *testing.T) {
	for _, c := range []*fixtures.Catalog{tencentbatch.Catalog(), alibatch.Catalog(), oceanus.Catalog()} {
		reads := 0
		for _, a := range c.Actions {
			method, action := a.Method, a.Name
			api3 := method == ""
			if !api3 {
				action = ""
			}
			name, output := readActionOf(c, method, strings.ReplaceAll(a.Path, "{", "x{"), "", action)
			if a.SubResource != "" || name == "" {
				continue
			}
			if name != a.Name {
				t.Errorf("%s %s: read as %s", c.Dialect, a.Name, name)
				continue
			}
			reads++
			good := synth(c, "object", "", output, 0)
			if judged, bad, why := answerShape(c, output, api3, body(api3, good)); bad {
				t.Errorf("%s %s: a well-formed answer judged unreadable (judged %v): %s", c.Dialect, a.Name, judged, why)
			}
			if _, bad, _ := answerShape(c, output, api3, body(api3, hostile.Mistype(good))); !bad {
				t.Errorf("%s %s: an answer with every value mistyped judged readable", c.Dialect, a.Name)
			}
			if carries := len(c.Objects[output].Members) > 2; carries {
				one := good.(map[string]any)
				for _, mem := range c.Objects[output].Members {
					if mem.Type == "string" && mem.Name != "RequestId" {
						one[mem.Name] = 42
						break
					}
				}
				if _, bad, why := answerShape(c, output, api3, body(api3, one)); bad {
					t.Errorf("%s %s: one mistyped member made the answer unreadable: %s", c.Dialect, a.Name, why)
				}
			}
		}
		if reads < 5 {
			t.Errorf("%s: only %d reads found in the catalog", c.Dialect, reads)
		}
	}
	c := tencentbatch.Catalog()
	if _, bad, why := answerShape(c, "DescribeJobResponse", true, []byte(`{"Response":{"RequestId":"r"}}`)); !bad || !strings.Contains(why, "none of the members") {
		t.Errorf("an answer with nothing in it: unreadable %v (%s)", bad, why)
	}
	if judged, _, _ := answerShape(c, "DescribeJobResponse", true, []byte(`{"Response":{"Error":{"Code":"X","Message":"m"},"RequestId":"r"}}`)); judged {
		t.Error("an error answer was judged")
	}
}

// TestReadActionOf: API 3.0 reads go by the action's verb, ACS reads by
// the catalog's GET routes (a sub-resource query picks its own action).
func TestReadActionOf(t *testing.T) {
	tc, ac := tencentbatch.Catalog(), alibatch.Catalog()
	cases := []struct {
		c                    *fixtures.Catalog
		method, path, query  string
		action, want, output string
	}{
		{tc, http.MethodPost, "/", "", "DescribeJob", "DescribeJob", "DescribeJobResponse"},
		{tc, http.MethodPost, "/", "", "SubmitJob", "", ""},
		{ac, http.MethodGet, "/jobs/job-1", "", "", "GetJob", "Job"},
		{ac, http.MethodGet, "/jobs/job-1", "description", "", "GetJobDescription", "CreateJobRequest"},
		{ac, http.MethodGet, "/jobs", "MaxItemCount=1", "", "ListJobs", "JobList"},
		{ac, http.MethodDelete, "/jobs/job-1", "", "", "", ""},
		{ac, http.MethodGet, "/no/such/route", "", "", "", ""},
	}
	for _, k := range cases {
		name, output := readActionOf(k.c, k.method, k.path, k.query, k.action)
		if name != k.want || output != k.output {
			t.Errorf("%s %s?%s %s: got %q %q, want %q %q", k.method, k.path, k.query, k.action, name, output, k.want, k.output)
		}
	}
}

// TestReadableTrips: one read action whose answers were never readable
// trips answers-readable after unreadableAfter answers; an action that was
// readable once, or fewer answers, does not.
func TestReadableTrips(t *testing.T) {
	c := alibatch.Catalog()
	RegisterCatalog(c)
	good, _ := json.Marshal(synth(c, "object", "", "Job", 0))
	bad, _ := json.Marshal(hostile.Mistype(synth(c, "object", "", "Job", 0)))
	cases := []struct {
		name    string
		answers [][]byte
		trip    bool
	}{
		{"never readable", repeat(bad, unreadableAfter), true},
		{"one short", repeat(bad, unreadableAfter-1), false},
		{"readable once", append([][]byte{good}, repeat(bad, 3*unreadableAfter)...), false},
		{"readable", repeat(good, 3*unreadableAfter), false},
	}
	for _, k := range cases {
		b := newBreaker(c.Dialect, func(string) bool { return true })
		for _, a := range k.answers {
			b.readAnswer(c.Dialect, http.MethodGet, "/jobs/job-1", "", "", a)
		}
		m, tripped := b.snapshot()[PreReadable]
		if tripped != k.trip {
			t.Errorf("%s: tripped %v, want %v (%s)", k.name, tripped, k.trip, m)
		}
		if tripped && (!strings.Contains(m, "GetJob") || !strings.Contains(m, "want a string")) {
			t.Errorf("%s: the message does not name the action and the mismatch: %s", k.name, m)
		}
		if tripped && !PreconditionBlocks(PreReadable, "state") {
			t.Errorf("%s: answers-readable does not fail the state items", k.name)
		}
	}
}

func repeat(b []byte, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}
