package fuzz

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/redact"
)

// ReplayFormat is the format key of replay files (see doc.go).
const ReplayFormat = "batchconform-replay/1"

// Step is one operation of a failing case: a stateless check (valid,
// violation, signature, secret) or a stateful model operation.
type Step struct {
	Op      string          `json:"op"`
	Action  string          `json:"action,omitempty"`
	Request json.RawMessage `json:"request,omitempty"`
	Args    json.RawMessage `json:"args,omitempty"`
	// Sent lists the requests a stateful operation sent, with the code
	// each got ("" = success): the request sequence, for reading (a replay
	// re-derives them from the arguments). At most 20 per step.
	Sent []Sent `json:"sent,omitempty"`
}

// Sent is one request of a stateful operation.
type Sent struct {
	Action  string          `json:"action"`
	Request json.RawMessage `json:"request"`
	Code    string          `json:"code,omitempty"`
}

func newStep(op, action string, req map[string]any, args any) Step {
	st := Step{Op: op, Action: action}
	if req != nil {
		st.Request, _ = json.Marshal(req)
	}
	if args != nil {
		st.Args, _ = json.Marshal(args)
	}
	return st
}

// Finding is a failed property with its (shrunk) case.
type Finding struct {
	Item    string
	Message string
	Steps   []Step
}

// Recorder collects counts and the most recent failure of a property run.
// rapid runs the minimized case last, so after a failed Check the recorded
// failure is the shrunk one.
type Recorder struct {
	Cases     int64
	Last      *Finding
	Exercised map[string]int64 // property item -> cases
	firstFail time.Time
	// Collect: record every failure (All) and keep going instead of
	// failing the property (no shrinking): for short passes that judge
	// every item at once.
	Collect bool
	All     map[string][]Finding
	// lastStep is the most recent stateless case (tests compare draws).
	lastStep string
	// Covered counts what the cases reached: "action:X", "rule:ID",
	// "signature:KIND", "op:NAME".
	Covered map[string]int64
}

func (r *Recorder) cover(keys ...string) {
	if r.Covered == nil {
		r.Covered = map[string]int64{}
	}
	for _, k := range keys {
		r.Covered[k]++
	}
}

func (r *Recorder) count(n int64) { r.Cases += n }

// touch records that a case checked these items.
func (r *Recorder) touch(items ...string) {
	if r.Exercised == nil {
		r.Exercised = map[string]int64{}
	}
	for _, it := range items {
		r.Exercised[it]++
	}
}

func (r *Recorder) fail(pe *PropError, steps []Step) {
	if r.firstFail.IsZero() {
		r.firstFail = time.Now()
	}
	r.Last = &Finding{Item: pe.Item, Message: pe.Msg, Steps: append([]Step(nil), steps...)}
	if r.Collect {
		if r.All == nil {
			r.All = map[string][]Finding{}
		}
		r.All[pe.Item] = append(r.All[pe.Item], *r.Last)
	}
}

// ReplayFile is the documented replay format (doc.go).
type ReplayFile struct {
	Format        string    `json:"format"`
	Dialect       string    `json:"dialect"`
	Property      string    `json:"property"`
	Kind          string    `json:"kind"` // stateless or stateful
	Seed          uint64    `json:"seed"`
	Target        string    `json:"target"`
	Faults        []string  `json:"faults,omitempty"`
	Found         time.Time `json:"found"`
	FoundSeconds  float64   `json:"found_after_seconds"`
	ShrinkSeconds float64   `json:"shrink_seconds"`
	Expectation   string    `json:"expectation"`
	Steps         []Step    `json:"steps"`
}

// Write writes the file (redacted) into dir and returns its path.
func (f *ReplayFile) Write(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("fuzz: %w", err)
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return "", fmt.Errorf("fuzz: encode replay: %w", err)
	}
	name := strings.NewReplacer("/", "_", ":", "_").Replace(f.Property)
	path := filepath.Join(dir, fmt.Sprintf("replay-%s-%d.json", name, f.Seed))
	if err := os.WriteFile(path, append(redact.Bytes(data), '\n'), 0o644); err != nil {
		return "", fmt.Errorf("fuzz: write replay: %w", err)
	}
	return path, nil
}

// LoadReplay reads a replay file.
func LoadReplay(path string) (*ReplayFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fuzz: %w", err)
	}
	var f ReplayFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("fuzz: %s: %w", path, err)
	}
	if f.Format != ReplayFormat {
		return nil, fmt.Errorf("fuzz: %s: format %q, want %q", path, f.Format, ReplayFormat)
	}
	if len(f.Steps) == 0 {
		return nil, fmt.Errorf("fuzz: %s: no steps", path)
	}
	return &f, nil
}

// Replay re-runs a replay file against a fresh target: nil when every
// expectation now holds, the failed expectation otherwise.
func (s *Suite) Replay(f *ReplayFile, fac Factory) (*PropError, error) {
	t, err := fac.New()
	if err != nil {
		return nil, err
	}
	defer t.Close()
	if f.Kind == "stateful" {
		if s.profile.replay == nil {
			return nil, fmt.Errorf("fuzz: %s has no stateful model to replay", s.Cat.Dialect)
		}
		return s.profile.replay(s, t, f.Steps), nil
	}
	refs, err := s.Setup(t)
	if err != nil {
		return nil, err
	}
	for i, st := range f.Steps {
		var a stepArgs
		if len(st.Args) > 0 {
			if err := json.Unmarshal(st.Args, &a); err != nil {
				return nil, fmt.Errorf("fuzz: step %d args: %w", i+1, err)
			}
		}
		body := string(st.Request)
		if a.Refs != nil {
			// The IDs of the run that found the case are replaced by this
			// target's (a fresh emulator's IDs differ).
			body = strings.NewReplacer(pairs(*a.Refs, refs)...).Replace(body)
		}
		var req map[string]any
		if err := json.Unmarshal([]byte(body), &req); err != nil {
			return nil, fmt.Errorf("fuzz: step %d request: %w", i+1, err)
		}
		req = normalize(req)
		var pe *PropError
		switch st.Op {
		case OpValid:
			pe = s.CheckValid(t, st.Action, req)
		case OpViolation:
			pe = s.CheckViolation(t, a.Rule, st.Action, req, a.Code)
		case OpSignature:
			if a.Fault == nil {
				return nil, fmt.Errorf("fuzz: step %d: signature step without fault", i+1)
			}
			pe = s.CheckSignature(t, *a.Fault, st.Action, req)
		case OpSecret:
			secret, _ := generators.Get(req, a.SecretPath)
			sv, _ := secret.(string)
			if sv == "" {
				return nil, fmt.Errorf("fuzz: step %d: no secret at %q", i+1, a.SecretPath)
			}
			pe = s.CheckSecret(t, st.Action, req, sv)
		default:
			return nil, fmt.Errorf("fuzz: step %d: unknown op %q", i+1, st.Op)
		}
		if pe != nil {
			return pe, nil
		}
	}
	return nil, nil
}

func pairs(old, cur generators.Refs) []string {
	var out []string
	for _, p := range [][2]string{{old.EnvID, cur.EnvID}, {old.JobID, cur.JobID}, {old.TemplateID, cur.TemplateID},
		{old.NodeID, cur.NodeID}, {old.InstanceID, cur.InstanceID}} {
		if p[0] != "" && p[1] != "" {
			out = append(out, p[0], p[1])
		}
	}
	if len(out) == 0 {
		out = []string{"\x00", "\x00"}
	}
	return out
}

// normalize turns JSON numbers that are integers into int64 (the
// generators' shape) so a replayed request marshals as it was sent.
func normalize(m map[string]any) map[string]any {
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case float64:
			if x == float64(int64(x)) {
				return int64(x)
			}
		case map[string]any:
			for k, e := range x {
				x[k] = walk(e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		}
		return v
	}
	return walk(m).(map[string]any)
}
