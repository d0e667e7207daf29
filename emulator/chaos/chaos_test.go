package chaos

import (
	"strings"
	"testing"
	"time"
)

func TestParseRejects(t *testing.T) {
	for _, tc := range []struct{ name, json, want string }{
		{"empty", `{"rules":[]}`, "no rules"},
		{"unknown field", `{"rules":[{"probability":1,"error":"InternalError","probabilty":1}]}`, "unknown field"},
		{"zero probability", `{"rules":[{"error":"InternalError"}]}`, "probability"},
		{"probability above 1", `{"rules":[{"probability":1.5,"error":"InternalError"}]}`, "probability"},
		{"undocumented code", `{"rules":[{"probability":1,"error":"InternalError.Made.Up"}]}`, "not a chaos error code"},
		{"bad latency", `{"rules":[{"probability":1,"latency":"soon"}]}`, "latency"},
		{"latency too long", `{"rules":[{"probability":1,"latency":"6m"}]}`, "latency"},
		{"negative latency", `{"rules":[{"probability":1,"latency":"-1s"}]}`, "latency"},
		{"drop and error", `{"rules":[{"probability":1,"drop":true,"error":"InternalError"}]}`, "exclude"},
		{"no effect", `{"rules":[{"probability":1}]}`, "does nothing"},
		{"message without error", `{"rules":[{"probability":1,"latency":"1ms","message":"x"}]}`, "message without error"},
		{"negative count", `{"rules":[{"probability":1,"error":"InternalError","count":-1}]}`, "count"},
		{"code of another service", `{"rules":[{"service":"batchcompute","probability":1,"error":"InternalError.CallCvm"}]}`, "not a chaos error code of service batchcompute"},
		{"unknown service", `{"rules":[{"service":"ecs","probability":1,"error":"InternalError"}]}`, "unknown service"},
		{"kill with error", `{"rules":[{"kill_instance":true,"probability":1,"error":"InternalError"}]}`, "kill_instance takes only"},
		{"kill with actions", `{"rules":[{"kill_instance":true,"probability":1,"actions":["SubmitJob"]}]}`, "kill_instance takes only"},
		{"duplicate name", `{"rules":[{"name":"a","probability":1,"error":"InternalError"},{"name":"a","probability":1,"drop":true}]}`, "duplicate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.json))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse(%s) = %v, want an error containing %q", tc.json, err, tc.want)
			}
		})
	}
}

func mustSet(t *testing.T, js string) *Set {
	t.Helper()
	c, err := Parse([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(&c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Every documented code is answered with its own message; matching is by
// tenant, service and action, and the first hitting rule decides.
func TestDecideMatches(t *testing.T) {
	for _, code := range codeNames(ServiceTencentBatch) {
		s := mustSet(t, `{"rules":[{"tenant":"AKIDa","service":"batch","actions":["SubmitJob"],"probability":1,"error":"`+code+`"},
			{"name":"slow","actions":["DescribeJobs"],"probability":1,"latency":"250ms"}]}`)
		if e := s.Decide("AKIDa", "batch", "SubmitJob"); e.Code != code || e.Message != Codes[code] || e.Rule != "rule-1" {
			t.Errorf("%s: matching request got %+v", code, e)
		}
		for _, miss := range [][3]string{{"AKIDb", "batch", "SubmitJob"}, {"AKIDa", "oceanus", "SubmitJob"}, {"AKIDa", "batch", "DeleteJob"}} {
			if e := s.Decide(miss[0], miss[1], miss[2]); !e.None() {
				t.Errorf("%s: %v matched: %+v", code, miss, e)
			}
		}
		if e := s.Decide("AKIDz", "batch", "DescribeJobs"); e.Latency != 250*time.Millisecond || e.Code != "" || e.Rule != "slow" {
			t.Errorf("latency rule: %+v", e)
		}
	}
}

// The same seed gives the same sequence of hits; the hit rate follows the
// probability; another seed gives another sequence.
func TestSeedReplays(t *testing.T) {
	run := func(seed string) (string, int) {
		s := mustSet(t, `{"seed":`+seed+`,"rules":[{"probability":0.3,"error":"InternalError.CallCvm"}]}`)
		var b strings.Builder
		hits := 0
		for i := 0; i < 2000; i++ {
			if s.Decide("t", "batch", "SubmitJob").None() {
				b.WriteByte('.')
			} else {
				b.WriteByte('x')
				hits++
			}
		}
		return b.String(), hits
	}
	a, hits := run("42")
	b, _ := run("42")
	c, _ := run("43")
	if a != b {
		t.Fatal("same seed, different sequences")
	}
	if a == c {
		t.Fatal("different seeds, same sequence")
	}
	if hits < 500 || hits > 700 { // 2000 × 0.3 = 600, σ ≈ 20
		t.Fatalf("probability 0.3 hit %d of 2000", hits)
	}
}

// Count makes a burst: exactly N hits, then the rule is spent; the status
// counts them; Off switches everything off.
func TestCountBurstAndOff(t *testing.T) {
	s := mustSet(t, `{"rules":[{"name":"burst","probability":1,"error":"RequestLimitExceeded","count":3}]}`)
	for i := 0; i < 3; i++ {
		if e := s.Decide("t", "batch", "DescribeJobs"); e.Code != "RequestLimitExceeded" {
			t.Fatalf("request %d: %+v", i, e)
		}
	}
	if e := s.Decide("t", "batch", "DescribeJobs"); !e.None() {
		t.Fatalf("4th request still hit: %+v", e)
	}
	st := s.Status()
	if !st.On || st.Hits["burst"] != 3 {
		t.Fatalf("status %+v", st)
	}
	s.Off()
	if st := s.Status(); st.On {
		t.Fatalf("status after Off: %+v", st)
	}
	var nilSet *Set
	if !nilSet.Decide("t", "batch", "X").None() || nilSet.Status().On {
		t.Fatal("nil set is not inert")
	}
}

// A bad replacement leaves the previous configuration in force.
func TestReplaceIsAtomic(t *testing.T) {
	s := mustSet(t, `{"rules":[{"probability":1,"error":"InternalError"}]}`)
	if err := s.Replace(Config{Rules: []Rule{{Probability: 2, Error: "InternalError"}}}); err == nil {
		t.Fatal("invalid replacement accepted")
	}
	if e := s.Decide("t", "batch", "X"); e.Code != "InternalError" {
		t.Fatalf("previous configuration lost: %+v", e)
	}
}

// Add appends rules without resetting counts; a clashing name is refused
// whole; Add on an off set switches it on.
func TestAdd(t *testing.T) {
	s, _ := New(nil)
	if err := s.Add(Config{Rules: []Rule{{Name: "a", Tenant: "t1", Probability: 1, Error: "InternalError", Count: 1}}}); err != nil {
		t.Fatal(err)
	}
	if e := s.Decide("t1", "batch", "X"); e.Rule != "a" {
		t.Fatalf("first rule: %+v", e)
	}
	if err := s.Add(Config{Rules: []Rule{{Name: "a", Probability: 1, Drop: true}}}); err == nil {
		t.Fatal("duplicate name added")
	}
	if err := s.Add(Config{Rules: []Rule{{Name: "b", Tenant: "t2", Probability: 1, Error: "InternalError.CallCam"}}}); err != nil {
		t.Fatal(err)
	}
	st := s.Status()
	if len(st.Config.Rules) != 2 || st.Hits["a"] != 1 {
		t.Fatalf("after Add: %+v", st)
	}
	if e := s.Decide("t1", "batch", "X"); !e.None() {
		t.Fatalf("spent rule hit again: %+v", e)
	}
	if e := s.Decide("t2", "batch", "X"); e.Code != "InternalError.CallCam" {
		t.Fatalf("added rule: %+v", e)
	}
}

// Each service answers only its own documented codes, with its own message:
// a rule without a service skips the services that do not document its
// code, and Alibaba's InternalError carries the ACS message.
func TestServiceCodes(t *testing.T) {
	for svc, codes := range ServiceCodes {
		for code, msg := range codes {
			s := mustSet(t, `{"rules":[{"service":"`+svc+`","probability":1,"error":"`+code+`"}]}`)
			if e := s.Decide("t", svc, "X"); e.Code != code || e.Message != msg {
				t.Errorf("%s %s: %+v", svc, code, e)
			}
		}
	}
	s := mustSet(t, `{"rules":[{"name":"db","probability":1,"error":"InternalError.DB"},{"name":"any","probability":1,"error":"InternalError"}]}`)
	if e := s.Decide("t", ServiceOceanus, "CreateJob"); e.Rule != "db" || e.Code != "InternalError.DB" {
		t.Errorf("oceanus: %+v", e)
	}
	for _, svc := range []string{ServiceTencentBatch, ServiceAliBatch} {
		if e := s.Decide("t", svc, "CreateJob"); e.Rule != "any" || e.Message != ServiceCodes[svc]["InternalError"] {
			t.Errorf("%s got another dialect's code or message: %+v", svc, e)
		}
	}
	if st := s.Status(); st.Hits["db"] != 1 || st.Hits["any"] != 2 {
		t.Errorf("hits %+v", st.Hits)
	}
}

// kill_instance rules hit instances (per tenant, with count and
// probability) and never requests; request rules never kill instances.
func TestInstanceDies(t *testing.T) {
	s := mustSet(t, `{"rules":[{"name":"kill","tenant":"t1","kill_instance":true,"probability":1,"count":2},
		{"name":"req","probability":1,"error":"InternalError"}]}`)
	for i := 0; i < 2; i++ {
		if r := s.InstanceDies("t1"); r != "kill" {
			t.Fatalf("instance %d lived (%q)", i, r)
		}
	}
	if r := s.InstanceDies("t1"); r != "" {
		t.Fatalf("count spent, still killed by %q", r)
	}
	if r := s.InstanceDies("t2"); r != "" {
		t.Fatalf("another tenant's instance killed by %q", r)
	}
	if e := s.Decide("t1", ServiceTencentBatch, "SubmitJob"); e.Rule != "req" {
		t.Fatalf("a request matched %+v", e)
	}
	var nilSet *Set
	if nilSet.InstanceDies("t1") != "" {
		t.Fatal("nil set killed an instance")
	}
}
