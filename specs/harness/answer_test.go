package harness

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/batchconform/batchconform/redact"
)

// The checked reads name the member, what was found instead and a redacted
// excerpt of the answer, for every way an answer can be wrong.
func TestLookupSaysWhy(t *testing.T) {
	redact.Value("answer-test-secret-value")
	var ans any
	if err := json.Unmarshal([]byte(`{"RequestId":"r-1","JobSet":[{"JobId":"job-1","Status":4}],"Token":"answer-test-secret-value","Name":7}`), &ans); err != nil {
		t.Fatal(err)
	}
	if v, err := Lookup(ans, "JobSet.0.JobId"); err != nil || v != "job-1" {
		t.Fatalf("JobSet.0.JobId = %v, %v; want job-1", v, err)
	}
	if s, ok := StrOK(ans, "JobSet.0.JobId"); !ok || s != "job-1" {
		t.Fatalf("StrOK = %q, %v", s, ok)
	}
	if _, ok := StrOK(ans, "Name"); ok {
		t.Fatal("StrOK accepted a number as a string")
	}
	for _, c := range []struct{ path, want string }{
		{"JobId", "it is missing (the answer has no member JobId)"},
		{"JobSet.1.JobId", "JobSet has 1 element(s), no element 1"},
		{"JobSet.first", "JobSet is a list, not an object with member first"},
		{"JobSet.0.Status.Code", "JobSet.0.Status is the number 4, not an object or a list"},
	} {
		_, err := Lookup(ans, c.path)
		if err == nil {
			t.Errorf("%s: no error", c.path)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "answer member "+c.path+": ") || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %q does not name the member and say %q", c.path, msg, c.want)
		}
		if strings.Contains(msg, "answer-test-secret-value") || !strings.Contains(msg, `"RequestId":"r-1"`) {
			t.Errorf("%s: the excerpt is missing or not redacted: %q", c.path, msg)
		}
	}
	long := map[string]any{"Blob": strings.Repeat("x", 2*answerExcerpt)}
	if _, err := Lookup(long, "Missing"); err == nil || len(err.Error()) > answerExcerpt+200 {
		t.Errorf("a long answer is not cut: %v", err)
	}
}

func TestDescribeJSON(t *testing.T) {
	for v, want := range map[string]string{
		`null`: "null", `"a"`: `the string "a"`, `1.5`: "the number 1.5", `true`: "the boolean true",
		`{"a":1}`: "an object of 1 member(s)", `[1,2]`: "a list of 2 element(s)",
	} {
		var x any
		if err := json.Unmarshal([]byte(v), &x); err != nil {
			t.Fatal(err)
		}
		if got := describeJSON(x); got != want {
			t.Errorf("describeJSON(%s) = %q, want %q", v, got, want)
		}
	}
}

// A missing member is told apart from a mistyped one (ObjectsOpt reads the
// first as an empty list).
func TestLookupMissingIsMarked(t *testing.T) {
	ans := map[string]any{"Set": "not a list", "Null": nil}
	if _, err := Lookup(ans, "Absent"); !errors.Is(err, errMissing) {
		t.Errorf("a missing member: %v is not marked missing", err)
	}
	if _, err := Lookup(ans, "Set.0"); err == nil || errors.Is(err, errMissing) {
		t.Errorf("a mistyped member: %v is marked missing", err)
	}
	if got := ObjectsOpt(ans, "Absent"); got != nil {
		t.Errorf("ObjectsOpt of a missing member = %v", got)
	}
	if got := ObjectsOpt(ans, "Null"); got != nil {
		t.Errorf("ObjectsOpt of a null member = %v", got)
	}
}
