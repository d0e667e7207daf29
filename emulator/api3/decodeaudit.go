package api3

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
)

// DecodeAudit is what AuditDecodes saw: how many Request.Decode calls the
// fast path answered (decodeParams) and how many went to encoding/json, and
// every case where the fast path's value differs from json.Unmarshal's.
type DecodeAudit struct {
	Fast, Fallback int
	// Variants: bodies derived from a type's first fast body (each value
	// replaced by every JSON type, each key in lower case) also checked.
	Variants   int
	Mismatches []string
}

type decodeAuditor struct {
	mu   sync.Mutex
	a    DecodeAudit
	seen map[reflect.Type]bool
}

var auditor atomic.Pointer[decodeAuditor]

// AuditDecodes makes every Request.Decode, until stop, check the fast path
// against encoding/json: a value decoded from Params is compared with
// json.Unmarshal of the body into a fresh value of its type, and the first
// body of each type is also varied (every value replaced by every JSON type,
// every key in lower case) and each variant decoded both ways. The façades'
// tests turn it on for their whole run (TestMain), so every wire struct a
// handler declares, inline ones included, is held to encoding/json's
// reading with the bodies the tests send. Costly: tests only.
func AuditDecodes() (stop func() DecodeAudit) {
	d := &decodeAuditor{seen: map[reflect.Type]bool{}}
	auditor.Store(d)
	return func() DecodeAudit {
		auditor.CompareAndSwap(d, nil)
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.a
	}
}

// fallback counts a decode left to encoding/json.
func (d *decodeAuditor) fallback() {
	d.mu.Lock()
	d.a.Fallback++
	d.mu.Unlock()
}

// fast checks v, decoded from Params, against json.Unmarshal of body.
func (d *decodeAuditor) fast(body []byte, v any) {
	t := reflect.TypeOf(v).Elem()
	msg := compareDecode(body, t, reflect.ValueOf(v).Elem().Interface(), nil)
	d.mu.Lock()
	d.a.Fast++
	if msg != "" {
		d.a.Mismatches = append(d.a.Mismatches, msg)
	}
	first := !d.seen[t]
	d.seen[t] = true
	d.mu.Unlock()
	if !first {
		return
	}
	var bad []string
	variants := jsonVariants(string(body))
	for _, b := range variants {
		params, dup, err := decodeJSONDup([]byte(b))
		if err != nil || dup {
			continue
		}
		nv := reflect.New(t)
		perr := decodeParams(params, nv.Interface())
		if m := compareDecode([]byte(b), t, nv.Elem().Interface(), perr); m != "" {
			bad = append(bad, m)
		}
	}
	d.mu.Lock()
	d.a.Variants += len(variants)
	d.a.Mismatches = append(d.a.Mismatches, bad...)
	d.mu.Unlock()
}

// compareDecode returns how decodeParams' result got (error perr) differs
// from json.Unmarshal of body into a t, or "" when it does not: a fallback
// must leave the value zero, a fast decode must equal encoding/json's.
func compareDecode(body []byte, t reflect.Type, got any, perr error) string {
	short := string(body)
	if len(short) > 300 {
		short = short[:300] + "…"
	}
	if perr != nil {
		if perr != fallback {
			return fmt.Sprintf("%v %s: the fast path failed with %v instead of falling back", t, short, perr)
		}
		if !reflect.ValueOf(got).IsZero() {
			return fmt.Sprintf("%v %s: a fallback left the value changed", t, short)
		}
		return ""
	}
	want := reflect.New(t)
	if err := json.Unmarshal(body, want.Interface()); err != nil {
		return fmt.Sprintf("%v %s: the fast path decoded what json.Unmarshal refuses (%v)", t, short, err)
	}
	if !reflect.DeepEqual(got, want.Elem().Interface()) {
		return fmt.Sprintf("%v %s:\n fast path %#v\n json      %#v", t, short, got, want.Elem().Interface())
	}
	return ""
}

// jsonVariants returns base (a JSON object) with each value replaced by
// every JSON type in turn, and each key in lower case (json.Unmarshal
// matches it case-insensitively), one change per variant.
func jsonVariants(base string) []string {
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(base))
	d.UseNumber()
	if err := d.Decode(&m); err != nil || m == nil {
		return nil
	}
	repl := []any{nil, "s", json.Number("7"), json.Number("-7"), json.Number("2.5"), json.Number("300"), false,
		[]any{}, []any{"s"}, []any{json.Number("1")}, map[string]any{}, map[string]any{"Command": "c"}}
	var out []string
	emit := func() {
		b, err := json.Marshal(m)
		if err == nil {
			out = append(out, string(b))
		}
	}
	var walk func(v any, set func(any))
	walk = func(v any, set func(any)) {
		for _, r := range repl {
			set(r)
			emit()
		}
		set(v)
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(e, func(n any) { x[k] = n })
				if lk := strings.ToLower(k); lk != k {
					if _, taken := x[lk]; !taken {
						delete(x, k)
						x[lk] = e
						emit()
						delete(x, lk)
						x[k] = e
					}
				}
			}
		case []any:
			for i, e := range x {
				walk(e, func(n any) { x[i] = n })
			}
		}
	}
	for k, e := range m {
		walk(e, func(n any) { m[k] = n })
	}
	return out
}

// Err reports the audit's mismatches, and a run that decoded request bodies
// but none on the fast path (a wire struct or the handler fell off it).
func (a DecodeAudit) Err() error {
	switch {
	case len(a.Mismatches) > 0:
		return fmt.Errorf("api3: %d of %d fast decodes (and %d variants) differ from encoding/json:\n%s",
			len(a.Mismatches), a.Fast, a.Variants, strings.Join(a.Mismatches, "\n"))
	case a.Fast == 0 && a.Fallback > 0:
		return fmt.Errorf("api3: none of %d request bodies was decoded on the fast path", a.Fallback)
	}
	return nil
}

// RunAudited runs a test binary's tests (run: testing.M.Run) with
// AuditDecodes on, for a TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(api3.RunAudited(m.Run, testing.Verbose, os.Stdout, os.Stderr)) }
//
// It returns run's exit code, or 1 when the audit fails (the reason on
// errw); with -v (verbose, asked once the tests ran and the flags are
// parsed) the counts go to out.
func RunAudited(run func() int, verbose func() bool, out, errw io.Writer) int {
	stop := AuditDecodes()
	code := run()
	a := stop()
	if err := a.Err(); err != nil {
		fmt.Fprintln(errw, err)
		return 1
	}
	if verbose() {
		fmt.Fprintf(out, "decode audit: %d fast, %d through encoding/json, %d variants\n", a.Fast, a.Fallback, a.Variants)
	}
	return code
}
