package harness

// Checked reads of a decoded JSON answer. A target under test may answer
// anything (issue 11: garbage, the wrong envelope, a success with no
// fields), so a spec never asserts a type with x.(string) or indexes a list
// it did not check: it reads through these helpers, which turn a missing or
// mistyped member into a failing check that names the member, what was
// expected, and a redacted excerpt of the answer — never a panic.
//
// Paths are member names joined by dots; a number selects a list element
// ("JobSet.0.JobId"). The empty path is the answer itself.

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	ginkgo "github.com/onsi/ginkgo/v2"

	"github.com/batchconform/batchconform/redact"
)

// errMissing marks a Lookup error for a member that is not there (its
// text is empty: the wrapped error says it).
var errMissing = errors.New("")

// answerExcerpt is how much of an answer a failure message quotes.
const answerExcerpt = 300

// Lookup reads the member at path, or says why it cannot (the error names
// the path, what was found instead, and a redacted excerpt of the answer).
func Lookup(answer any, path string) (any, error) {
	cur := answer
	if path == "" {
		return cur, nil
	}
	var walked []string
	for _, seg := range strings.Split(path, ".") {
		at := strings.Join(walked, ".")
		if at == "" {
			at = "the answer"
		}
		switch x := cur.(type) {
		case map[string]any:
			v, ok := x[seg]
			if !ok {
				return nil, fmt.Errorf("%w%w", errMissing, answerErr(answer, path, "it is missing (%s has no member %s)", at, seg))
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil {
				return nil, answerErr(answer, path, "%s is a list, not an object with member %s", at, seg)
			}
			if i < 0 || i >= len(x) {
				return nil, answerErr(answer, path, "%s has %d element(s), no element %d", at, len(x), i)
			}
			cur = x[i]
		default:
			return nil, answerErr(answer, path, "%s is %s, not an object or a list", at, describeJSON(cur))
		}
		walked = append(walked, seg)
	}
	return cur, nil
}

// StrOK reads a string member; ok is false if it is missing or not a string.
func StrOK(answer any, path string) (string, bool) {
	v, err := Lookup(answer, path)
	s, ok := v.(string)
	return s, err == nil && ok
}

// Str reads a string member, failing the spec if it is missing or not a
// string.
func Str(answer any, path string) string {
	ginkgo.GinkgoHelper()
	v := need(answer, path)
	s, ok := v.(string)
	if !ok {
		failAnswer(answer, path, "want a string, got %s", describeJSON(v))
	}
	return s
}

// NonEmpty reads a string member that must not be empty (an ID a create
// returned, for instance).
func NonEmpty(answer any, path string) string {
	ginkgo.GinkgoHelper()
	s := Str(answer, path)
	if s == "" {
		failAnswer(answer, path, "want a non-empty string, got \"\"")
	}
	return s
}

// Num reads a number member, failing the spec if it is missing or not a
// number.
func Num(answer any, path string) float64 {
	ginkgo.GinkgoHelper()
	v := need(answer, path)
	switch n := v.(type) {
	case float64:
		return n
	case json.Number:
		f, err := n.Float64()
		if err == nil {
			return f
		}
	}
	failAnswer(answer, path, "want a number, got %s", describeJSON(v))
	return 0
}

// Int reads an integer member (a number with no fraction).
func Int(answer any, path string) int64 {
	ginkgo.GinkgoHelper()
	f := Num(answer, path)
	if f != float64(int64(f)) {
		failAnswer(answer, path, "want an integer, got %v", f)
	}
	return int64(f)
}

// Obj reads an object member, failing the spec if it is missing or not an
// object.
func Obj(answer any, path string) map[string]any {
	ginkgo.GinkgoHelper()
	v := need(answer, path)
	m, ok := v.(map[string]any)
	if !ok {
		failAnswer(answer, path, "want an object, got %s", describeJSON(v))
	}
	return m
}

// List reads a list member, failing the spec if it is missing or not a
// list.
func List(answer any, path string) []any {
	ginkgo.GinkgoHelper()
	v := need(answer, path)
	l, ok := v.([]any)
	if !ok {
		failAnswer(answer, path, "want a list, got %s", describeJSON(v))
	}
	return l
}

// Objects reads a list member whose elements must all be objects.
func Objects(answer any, path string) []map[string]any {
	ginkgo.GinkgoHelper()
	l := List(answer, path)
	out := make([]map[string]any, 0, len(l))
	for i, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			failAnswer(answer, fmt.Sprintf("%s.%d", path, i), "want an object, got %s", describeJSON(e))
		}
		out = append(out, m)
	}
	return out
}

// ObjectsOpt is Objects for a list that may be absent: a missing or null
// member is an empty list (the Tencent SDK drops empty lists when it
// re-encodes an answer), one of another type still fails.
func ObjectsOpt(answer any, path string) []map[string]any {
	ginkgo.GinkgoHelper()
	if v, err := Lookup(answer, path); errors.Is(err, errMissing) || err == nil && v == nil {
		return nil
	}
	return Objects(answer, path)
}

// DecodeAnswer decodes a JSON object body for the accessors above, failing
// the spec with a redacted excerpt if it is not one.
func DecodeAnswer(what string, body []byte) map[string]any {
	ginkgo.GinkgoHelper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		reason := "null"
		if err != nil {
			reason = err.Error()
		}
		ginkgo.Fail(fmt.Sprintf("%s: the answer is not a JSON object (%s): %s", what, reason, excerpt(body)))
	}
	return m
}

func need(answer any, path string) any {
	ginkgo.GinkgoHelper()
	v, err := Lookup(answer, path)
	if err != nil {
		ginkgo.Fail(err.Error())
	}
	return v
}

func failAnswer(answer any, path, format string, a ...any) {
	ginkgo.GinkgoHelper()
	ginkgo.Fail(answerErr(answer, path, format, a...).Error())
}

func answerErr(answer any, path, format string, a ...any) error {
	b, err := json.Marshal(answer)
	if err != nil {
		b = []byte(fmt.Sprint(answer))
	}
	return fmt.Errorf("answer member %s: %s; answer: %s", path, fmt.Sprintf(format, a...), excerpt(b))
}

// excerpt is a redacted, bounded quote of an answer.
func excerpt(b []byte) string {
	s := redact.String(string(b))
	if len(s) > answerExcerpt {
		s = s[:answerExcerpt] + "…"
	}
	return s
}

// describeJSON names a decoded JSON value's type (and the value, when short).
func describeJSON(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 40 {
			x = x[:40] + "…"
		}
		return fmt.Sprintf("the string %q", x)
	case float64, json.Number:
		return fmt.Sprintf("the number %v", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case map[string]any:
		return fmt.Sprintf("an object of %d member(s)", len(x))
	case []any:
		return fmt.Sprintf("a list of %d element(s)", len(x))
	}
	return fmt.Sprintf("a %T", v)
}
