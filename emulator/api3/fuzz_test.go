package api3

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/batchconform/batchconform/emulator/validate"
)

// FuzzDecode feeds arbitrary bytes to the three request decoders (JSON body,
// form body, GET query) and the validators behind them. Properties: nothing
// panics; a decoded JSON body is an object; a query that decodes yields
// parameters that survive a JSON round trip and then decode to the same JSON
// (the JSON and flattened forms agree).
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"JobId":"job-1"}`, `{}`, ``, `[]`, `{"a":`, "{\"x\":\"\xff\"}", `{"Placement":{"Zone":"z"},"Job":{"Priority":1e400,"Tasks":[{"Application":{"Command":"c","DeliveryForm":"L"}}]}}`,
		strings.Repeat("[", 100), `{"Job":{"Tasks":[null,1,"x",{}],"Dependences":[{"StartTask":"A","EndTask":"A"}]}}`,
		"Job.Tasks.0.TaskName=a&Job.Tasks.1.TaskName=b&Job.Priority=3&Placement.Zone=z",
		"JobIds.0=a&JobIds.1=b&Filters.0.Name=n&Filters.0.Values.0=v&Limit=10&Offset=-1",
		"Job=x&Job.JobName=y", `{"a":"\ud800\u0041","b":"\ud83d\ude00","c":"\u00e9\n\"","d":[1.5e-3,-0,true,false,null]}`, `{"a":1,"a":2}`, ` {"x":[]} `, `"s"`, `01`, `{"a":"\x"}`, "Job.Tasks.01.TaskName=a", "a..b=1", "%zz=1", "Job.Tasks.0.RestartComputeNode=TrUe",
	} {
		f.Add(s)
	}
	p := newFake(f, fakeCatalog)
	ty := newTyper(p.cat)
	actions := []string{"SubmitJob", "DescribeJobs", "DescribeJob"}
	f.Fuzz(func(t *testing.T, s string) {
		// Differential: the hand-written parser agrees with encoding/json
		// (UseNumber) on every valid UTF-8 input within the depth limit.
		if utf8.ValidString(s) {
			mine, err1 := parseJSON([]byte(s), 1<<30)
			d := json.NewDecoder(strings.NewReader(s))
			d.UseNumber()
			var std any
			err2 := d.Decode(&std)
			if err2 == nil && len(strings.TrimLeft(s[d.InputOffset():], " \t\r\n")) != 0 {
				err2 = errDecode // trailing data
			}
			if (err1 == nil) != (err2 == nil) {
				t.Fatalf("parseJSON err %v, encoding/json err %v for %q", err1, err2, s)
			}
			if err1 == nil {
				a, _ := json.Marshal(mine)
				b, _ := json.Marshal(std)
				if string(a) != string(b) {
					t.Fatalf("parseJSON %s, encoding/json %s for %q", a, b, s)
				}
			}
		}
		// The handler's parse, whose strings are cut from the body itself
		// and whose maps are lent by an arena, gives what the copying parse
		// gives: with fresh maps, and again with the maps of a released
		// parse (of a seed with many objects, then of s itself).
		if utf8.ValidString(s) {
			copied, dup2, err2 := parseJSONDup([]byte(s), MaxDepth)
			a := &mapArena{}
			for round, prev := range []string{"", `{"a":{"b":{"c":1,"d":[{"e":2},{"f":3}]}},"g":{"h":4}}`, s} {
				if prev != "" {
					_, _, _ = parseOwnedJSONDup([]byte(prev), MaxDepth, a)
					a.release()
					a = arenas.Get().(*mapArena)
				}
				owned, dup1, err1 := parseOwnedJSONDup([]byte(s), MaxDepth, a)
				if (err1 == nil) != (err2 == nil) || dup1 != dup2 || !reflect.DeepEqual(owned, copied) {
					t.Fatalf("round %d: owned parse %v %v %v, copying parse %v %v %v for %q", round, owned, dup1, err1, copied, dup2, err2, s)
				}
				a.release()
				a = arenas.Get().(*mapArena)
			}
			a.release()
		}
		if m, err := decodeJSON([]byte(s)); err == nil {
			if m == nil {
				t.Fatal("nil map without error")
			}
			for _, a := range actions {
				_ = validate.CheckShape(p.cat, a, m, validate.Options{})
				_ = validate.Check(p.cat, a, m, validate.Options{})
			}
		}
		vals, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		for _, a := range actions {
			in := p.cat.Objects[mustAction(t, p, a)].Name
			m, err := ty.decodeFlat(vals, in, isV1Common)
			if err != nil {
				continue
			}
			_ = validate.CheckShape(p.cat, a, m, validate.Options{})
			_ = validate.Check(p.cat, a, m, validate.Options{})
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatalf("marshal %#v: %v", m, err)
			}
			back, err := decodeJSON(b)
			if err != nil {
				t.Fatalf("round trip of %s: %v", b, err)
			}
			b2, _ := json.Marshal(back)
			if string(b) != string(b2) {
				t.Fatalf("round trip changed %s to %s", b, b2)
			}
		}
	})
}

func mustAction(t *testing.T, p *fakeProduct, name string) string {
	a, ok := p.cat.Action(name)
	if !ok {
		t.Fatalf("no action %s", name)
	}
	return a.Input
}

// FuzzSignature feeds arbitrary Authorization headers, timestamps and bodies
// to the TC3 parser and verifier. Properties: nothing panics; a header built by
// the signer for the body verifies; the same header never verifies a different
// body; whatever the parser accepts re-serialises to a header it accepts again.
func FuzzSignature(f *testing.F) {
	f.Add("TC3-HMAC-SHA256 Credential=AKID/2026-11-22/batch/tc3_request, SignedHeaders=content-type;host, Signature="+strings.Repeat("0", 64), int64(1795333862), []byte(`{"JobId":"job-1"}`), "application/json")
	f.Add("TC3-HMAC-SHA256 Credential=a/b/c/d", int64(0), []byte{}, "")
	f.Add("TC3-HMAC-SHA256 ,,,", int64(-1), []byte("x"), "APPLICATION/JSON ")
	f.Add("TC3-HMAC-SHA256 Credential=AKID/2026-11-22/batch/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature="+strings.Repeat("a", 64), int64(1<<62), []byte("\xff"), "application/json; charset=utf-8")
	f.Fuzz(func(t *testing.T, authz string, ts int64, body []byte, ct string) {
		hd := http.Header{"Content-Type": {ct}, "X-Tc-Action": {"DescribeJob"}}
		in := TC3Input{Method: "POST", Path: "/", Header: hd.Get, Host: "127.0.0.1:1", Payload: body, Timestamp: strconv.FormatInt(ts, 10)}
		if a, err := ParseTC3Authorization(authz); err == nil {
			_ = TC3Signature("key", a.Date, a.Service, a.SignedHeaders, in)
			again := TC3Algorithm + " Credential=" + a.SecretID + "/" + a.Date + "/" + a.Service + "/tc3_request, SignedHeaders=" +
				strings.Join(a.SignedHeaders, ";") + ", Signature=" + a.Signature
			if _, err := ParseTC3Authorization(again); err != nil {
				t.Fatalf("parsed %q but not its re-serialisation %q: %v", authz, again, err)
			}
		}
		signed := []string{"content-type", "host"}
		sig := TC3Signature("key", "2026-11-22", "batch", signed, in)
		h := TC3Algorithm + " Credential=AKID/2026-11-22/batch/tc3_request, SignedHeaders=content-type;host, Signature=" + sig
		a, err := ParseTC3Authorization(h)
		if err != nil {
			t.Fatalf("own header rejected: %v", err)
		}
		if !equalStrings(TC3Signature("key", a.Date, a.Service, a.SignedHeaders, in), a.Signature) {
			t.Fatal("own signature does not verify")
		}
		in.Payload = append(append([]byte(nil), body...), 'x')
		if equalStrings(TC3Signature("key", a.Date, a.Service, a.SignedHeaders, in), a.Signature) {
			t.Fatal("signature verifies a different body")
		}
		// v1 over the same bytes as a query.
		if vals, err := url.ParseQuery(string(body)); err == nil {
			_ = V1Signature("key", "HmacSHA256", V1StringToSign("GET", "h", "/", vals))
		}
	})
}
