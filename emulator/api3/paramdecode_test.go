package api3

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"

	tcbatch "github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// Wire shapes like the handlers' (and the ones the fast path leaves to
// encoding/json).
type pdState string

type pdKV struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

type pdInner struct {
	Command string            `json:"Command"`
	Count   *uint64           `json:"Count"`
	Envs    []pdKV            `json:"Envs"`
	Labels  map[string]string `json:"Labels"`
	Small   int8              `json:"Small"`
	Ratio   float32           `json:"Ratio"`
}

type pdCustom []pdKV

func (c *pdCustom) UnmarshalJSON(b []byte) error {
	*c = pdCustom{{Name: "custom", Value: string(b)}}
	return nil
}

type pdRequest struct {
	Name     string         `json:"Name"`
	State    pdState        `json:"State"`
	Priority int64          `json:"Priority"`
	Limit    *int64         `json:"Limit"`
	Size     uint64         `json:"Size"`
	On       bool           `json:"On"`
	Score    float64        `json:"Score"`
	Inner    pdInner        `json:"Inner"`
	Ptr      *pdInner       `json:"Ptr"`
	List     []pdInner      `json:"List"`
	IDs      []string       `json:"IDs"`
	Any      any            `json:"Any"`
	Raw      map[string]any `json:"Raw"`
	Custom   pdCustom       `json:"Custom"`
	Skipped  string         `json:"-"`
	NoTag    string
	hidden   string
}

type pdEmbedded struct {
	pdKV
	Extra string `json:"Extra"`
}

// pdList is like the handlers' listParams: an unexported struct embedded
// for its exported fields.
type pdList struct {
	Filters []pdKV `json:"Filters"`
	Offset  *int64 `json:"Offset"`
	Limit   *int64 `json:"Limit"`
}

type pdListRequest struct {
	JobIds []string `json:"JobIds"`
	pdList
}

// The outer Limit shadows the embedded one; pdKV and pdOther both promote
// Name at one depth (encoding/json takes the tagged one; the fast path
// leaves such a type to it).
type pdOther struct {
	Name string
}

type pdShadow struct {
	pdList
	Limit string `json:"Limit"`
}

type pdAmbiguous struct {
	pdKV
	pdOther
}

// pdTree refers to itself (the decoders of a type are compiled once, its
// own included).
type pdTree struct {
	Name string   `json:"Name"`
	Kids []pdTree `json:"Kids"`
	Next *pdTree  `json:"Next"`
}

// pdNumbers: every width of integer and float (written through unsafe
// pointers by size), named ones, slices longer than the kept array types
// (smallSlice) and of zero-size elements, and a struct of few fields that is
// decoded field by field against objects of many keys.
type (
	pdInt32   int32
	pdNumbers struct {
		I8    int8       `json:"I8"`
		I16   int16      `json:"I16"`
		I32   pdInt32    `json:"I32"`
		I     int        `json:"I"`
		U8    uint8      `json:"U8"`
		U16   uint16     `json:"U16"`
		U32   uint32     `json:"U32"`
		U     uint       `json:"U"`
		UP    uintptr    `json:"UP"`
		F32   float32    `json:"F32"`
		F64   float64    `json:"F64"`
		P8    *int8      `json:"P8"`
		Bools []bool     `json:"Bools"`
		Long  []int16    `json:"Long"`
		Empty []struct{} `json:"Empty"`
		Few   pdKV       `json:"Few"`
		Nest  [][]string `json:"Nest"`
	}
)

type pdStringOpt struct {
	N int64 `json:"N,string"`
}

const pdBase = `{"Name":"job","State":"RUNNING","Priority":-3,"Limit":20,"Size":18446744073709551615,"On":true,
"Score":1.5e3,"Inner":{"Command":"echo \u00e9\ud83d\ude00","Count":2,"Envs":[{"Name":"a","Value":"b"}],"Labels":{"k":"v"},
"Small":-128,"Ratio":0.25},"Ptr":{"Command":"x"},"List":[{"Command":"a"},{"Envs":[]}],"IDs":["a","b"],
"Any":{"n":1,"l":[1,"x",null,true,{"y":2.5}]},"Raw":{"z":null},"NoTag":"t","hidden":"h","Unknown":{"a":1}}`

// For every body: whenever the fast path decodes, it gives exactly what
// json.Unmarshal gives, and it never decodes a body json.Unmarshal refuses.
func TestDecodeParamsAgreesWithEncodingJSON(t *testing.T) {
	bodies := append([]string{pdBase, `{}`, `{"Custom":null}`, `{"Custom":[{"Name":"a"}]}`, `{"name":"folded"}`,
		`{"NAME":"x","Name":"y"}`, `{"Skipped":"x"}`, `{"notag":"x"}`, `{"Small":128}`, `{"Small":1.0}`, `{"Size":-1}`,
		`{"Priority":1e2}`, `{"Ratio":1e39}`, `{"Limit":null,"Ptr":null,"List":null,"Any":null}`, `{"ſtate":"x"}`},
		jsonVariants(pdBase)...)
	bodies = append(bodies, `{"JobIds":["a"],"Filters":[{"Name":"n","Value":"v"}],"Offset":2,"Limit":"x"}`,
		`{"Limit":20,"Offset":null}`, `{"Name":"n","Value":"v","Extra":"e"}`, `{"limit":1}`,
		`{"Name":"r","Kids":[{"Name":"a","Kids":[{"Name":"b"}]},{}],"Next":{"Name":"n","Next":{"Name":"m","Kids":null}}}`,
		`{"Name":"r","Kids":[{"Next":{"Kids":[{"name":"folded"}]}}]}`, `{"Kids":[{"Next":{"Name":1}}]}`)
	bodies = append(bodies, pdNumberBodies...)
	types := []reflect.Type{reflect.TypeFor[pdRequest](), reflect.TypeFor[pdEmbedded](), reflect.TypeFor[pdStringOpt](),
		reflect.TypeFor[pdListRequest](), reflect.TypeFor[pdShadow](), reflect.TypeFor[pdAmbiguous](),
		reflect.TypeFor[map[string]any](), reflect.TypeFor[map[string]pdKV](), reflect.TypeFor[pdTree](),
		reflect.TypeFor[pdNumbers]()}
	fast := 0
	for _, body := range bodies {
		params, dup, err := decodeJSONDup([]byte(body))
		if err != nil || dup {
			continue
		}
		for _, typ := range types {
			viaJSON := reflect.New(typ)
			jerr := json.Unmarshal([]byte(body), viaJSON.Interface())
			viaParams := reflect.New(typ)
			perr := decodeParams(params, viaParams.Interface())
			switch {
			case perr != nil && !errors.Is(perr, fallback):
				t.Errorf("%v %s: the fast path failed with %v instead of falling back", typ, body, perr)
			case perr == nil && jerr != nil:
				t.Errorf("%v %s: the fast path decoded what json.Unmarshal refuses (%v)", typ, body, jerr)
			case perr == nil && !reflect.DeepEqual(viaParams.Elem().Interface(), viaJSON.Elem().Interface()):
				t.Errorf("%v %s:\n fast path %#v\n json      %#v", typ, body, viaParams.Elem().Interface(), viaJSON.Elem().Interface())
			case perr == nil:
				fast++
			case !viaParams.Elem().IsZero():
				t.Errorf("%v %s: a fallback left the value changed", typ, body)
			}
		}
	}
	if fieldsOf(reflect.TypeFor[pdListRequest]()) == nil || fieldsOf(reflect.TypeFor[pdAmbiguous]()) != nil {
		t.Error("an embedded unexported struct should be read by the fast path, two promoted fields of one name should not")
	}
	if fast < len(bodies) {
		t.Errorf("the fast path decoded only %d of %d bodies x types", fast, len(bodies)*len(types))
	}
}

// pdNumberBodies: each width at its bounds and one past them, long and
// empty lists, and objects of more keys than pdKV has fields (unknown ones,
// one case-folded).
var pdNumberBodies = []string{
	`{"I8":-128,"I16":32767,"I32":-2147483648,"I":9223372036854775807,"U8":255,"U16":65535,"U32":4294967295,"U":18446744073709551615,"UP":1,"F32":3.4028234e38,"F64":-0,"P8":127}`,
	`{"I8":128}`, `{"I8":-129}`, `{"I16":32768}`, `{"I32":2147483648}`, `{"I":9223372036854775808}`, `{"U8":256}`, `{"U16":-1}`,
	`{"U32":4294967296}`, `{"U":1.5}`, `{"F32":3.5e38}`, `{"F64":1e309}`, `{"P8":-129}`, `{"P8":null}`, `{"F32":1e-50,"F64":5e-324}`,
	`{"Bools":[true,false,true,false,true,false,true,false,true,false]}`, `{"Bools":[true,1]}`,
	`{"Long":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]}`, `{"Long":[1,2,3,4,5,6,7,8]}`, `{"Long":[1,2,3,4,5,6,7,8,32768]}`,
	`{"Empty":[{},{},{},{},{},{},{},{},{},{}]}`, `{"Empty":[{},{"a":1}]}`, `{"Empty":[]}`, `{"Empty":[1]}`,
	`{"Few":{"Name":"n","Value":"v","A":1,"B":2,"C":3,"D":4,"E":5}}`, `{"Few":{"Name":"n","A":1,"B":2,"C":3,"D":4,"vALUE":"f"}}`,
	`{"Few":{"X":1,"Y":2,"Z":3,"W":4,"V":5,"Name":null}}`, `{"Nest":[["a"],[],null,["b","c"]]}`, `{"Nest":[["a",1]]}`,
}

// The bodies of pdNumberBodies that pdNumbers decodes on the fast path (the
// others are out of range, of a wrong type or case-folded).
var pdNumberFast = map[int]bool{0: true, 13: true, 14: true, 15: true, 17: true, 18: true, 20: true, 21: true, 22: true, 24: true, 26: true, 27: true}

func TestDecodeParamsNumbersFast(t *testing.T) {
	for i, body := range pdNumberBodies {
		params, dup, err := decodeJSONDup([]byte(body))
		if err != nil || dup {
			t.Fatalf("%s: %v %v", body, dup, err)
		}
		var v pdNumbers
		err = decodeParams(params, &v)
		if (err == nil) != pdNumberFast[i] {
			t.Errorf("body %d %s: fast path error %v, want fast %v", i, body, err, pdNumberFast[i])
		}
	}
	// A value that is not zero, even by the sign of a zero float, is left
	// to encoding/json.
	params, _, _ := decodeJSONDup([]byte(`{"I8":1}`))
	if err := decodeParams(params, &pdNumbers{F64: math.Copysign(0, -1)}); err == nil {
		t.Error("a non-zero value was decoded on the fast path")
	}
}

// Decode uses the fast path only for Params parsed from the body without a
// duplicate key; the merge encoding/json does for a duplicate object is kept.
func TestRequestDecodeDuplicateKeys(t *testing.T) {
	body := `{"Inner":{"Command":"a"},"Inner":{"Small":1}}`
	params, dup, err := decodeJSONDup([]byte(body))
	if err != nil || !dup {
		t.Fatalf("decodeJSONDup: dup %v, err %v", dup, err)
	}
	r := &Request{Params: params, Body: json.RawMessage(body), paramsFromBody: !dup}
	var got pdRequest
	if err := r.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Inner.Command != "a" || got.Inner.Small != 1 {
		t.Fatalf("decoded %+v, want encoding/json's merge of both objects", got.Inner)
	}
	// A Request built by hand (Params and Body unrelated) decodes its Body.
	r = &Request{Params: map[string]any{"Name": "params"}, Body: json.RawMessage(`{"Name":"body"}`)}
	var n pdRequest
	if err := r.Decode(&n); err != nil || n.Name != "body" {
		t.Fatalf("decoded %q, %v; want the body's", n.Name, err)
	}
}

func FuzzDecodeParams(f *testing.F) {
	f.Add(pdBase)
	f.Add(`{"List":[{"Count":1}],"Any":[1.0,-0]}`)
	f.Add(`{"Filters":[{"Name":"n"}],"Offset":2,"Limit":"x"}`)
	for _, b := range pdNumberBodies {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body string) {
		params, dup, err := decodeJSONDup([]byte(body))
		if err != nil || dup || strings.TrimSpace(body) == "" {
			return // blank bodies are not decoded from Params (handler.params)
		}
		for _, typ := range []reflect.Type{reflect.TypeFor[pdRequest](), reflect.TypeFor[pdShadow](), reflect.TypeFor[pdTree](),
			reflect.TypeFor[pdNumbers]()} {
			viaJSON, viaParams := reflect.New(typ), reflect.New(typ)
			jerr := json.Unmarshal([]byte(body), viaJSON.Interface())
			if perr := decodeParams(params, viaParams.Interface()); perr == nil {
				if jerr != nil {
					t.Fatalf("%v: fast path decoded what json.Unmarshal refuses: %v", typ, jerr)
				}
				if !reflect.DeepEqual(viaParams.Elem().Interface(), viaJSON.Elem().Interface()) {
					t.Fatal(fmt.Sprintf("%v: fast path %#v\njson %#v", typ, viaParams.Elem().Interface(), viaJSON.Elem().Interface()))
				}
			}
		}
	})
}

// benchSubmitBody is the emulator benchmark's SubmitJob (two tasks, an edge).
const benchSubmitBody = `{"Placement":{"Zone":"ap-guangzhou-2"},"Job":{"JobName":"bench","Priority":1,"Tasks":[` +
	`{"TaskName":"a","TaskInstanceNum":1,"Application":{"DeliveryForm":"LOCAL","Command":"echo a"},` +
	`"ComputeEnv":{"EnvType":"MANAGED","EnvData":{"InstanceType":"S1.SMALL1","ImageId":"img-m4q71qnf"}}},` +
	`{"TaskName":"b","TaskInstanceNum":1,"Application":{"DeliveryForm":"LOCAL","Command":"echo b"},` +
	`"ComputeEnv":{"EnvType":"MANAGED","EnvData":{"InstanceType":"S1.SMALL1","ImageId":"img-m4q71qnf"}}}],` +
	`"Dependences":[{"StartTask":"a","EndTask":"b"}]}}`

// BenchmarkDecodeJSON: parsing a SubmitJob body into Params (the first of
// the handler's steps after the signature).
// With the catalog's member names known (what a handler registers) and
// without, in one run.
func BenchmarkDecodeJSON(b *testing.B) {
	body := []byte(benchSubmitBody)
	prev := knownNames.Load()
	defer knownNames.Store(prev)
	for _, mode := range []string{"known-names", "no-names"} {
		b.Run(mode, func(b *testing.B) {
			knownNames.Store(nil)
			if mode == "known-names" {
				addKnownNames(tcbatch.Catalog())
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := decodeJSONDup(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A known member name parses to the same string as any other key.
func TestKnownNamesParseTheSame(t *testing.T) {
	prev := knownNames.Load()
	defer knownNames.Store(prev)
	knownNames.Store(nil)
	without, _, err := decodeJSONDup([]byte(benchSubmitBody))
	if err != nil {
		t.Fatal(err)
	}
	addKnownNames(tcbatch.Catalog())
	if n := knownNames.Load(); n == nil || (*n)["TaskName"] != "TaskName" {
		t.Fatal("the Tencent Batch catalog's member TaskName is not a known name")
	}
	with, _, err := decodeJSONDup([]byte(benchSubmitBody))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(with, without) {
		t.Fatalf("with known names %v, without %v", with, without)
	}
	// 89 when every key and value was allocated on its own; 42 with known
	// names, enum values and small numbers shared and strings cut from one
	// copy of the body (24 of them are the 12 objects' maps); 44 with the
	// arrays' stack grown afresh (a handler's parse keeps it in its arena:
	// BenchmarkDecodeBodyJSON).
	if allocs := testing.AllocsPerRun(20, func() { _, _, _ = decodeJSONDup([]byte(benchSubmitBody)) }); allocs > 45 {
		t.Errorf("%v allocations per parse with known names, want at most 45", allocs)
	}
}

// BenchmarkDecodeBodyJSON: the handler's parse of a SubmitJob body (strings
// cut from the body, known names and small numbers shared).
func BenchmarkDecodeBodyJSON(b *testing.B) {
	prev := knownNames.Load()
	defer knownNames.Store(prev)
	addKnownNames(tcbatch.Catalog())
	body := []byte(benchSubmitBody)
	b.ReportAllocs()
	for b.Loop() {
		a := arenas.Get().(*mapArena)
		if _, _, err := decodeBodyJSON(body, a); err != nil {
			b.Fatal(err)
		}
		a.release()
	}
}

// TestMapArenaBounds: released maps come back empty; a map grown past one
// group is not kept, nor more than arenaMaps maps.
func TestMapArenaBounds(t *testing.T) {
	a := &mapArena{}
	big := `{` + strings.Repeat(`"k":{},`, 0)
	for i := range arenaMapMax + 1 {
		big += fmt.Sprintf(`"k%d":%d,`, i, i)
	}
	big = strings.TrimSuffix(big, ",") + `}`
	if _, _, err := parseOwnedJSONDup([]byte(big), MaxDepth, a); err != nil {
		t.Fatal(err)
	}
	many := "[" + strings.TrimSuffix(strings.Repeat(`{"a":1},`, arenaMaps+10), ",") + "]"
	if _, _, err := parseOwnedJSONDup([]byte(many), MaxDepth, a); err != nil {
		t.Fatal(err)
	}
	a.release()
	if len(a.used) != 0 || len(a.free) != arenaMaps {
		t.Fatalf("after release: %d used, %d free, want 0 and %d", len(a.used), len(a.free), arenaMaps)
	}
	for _, m := range a.free {
		if len(m) != 0 {
			t.Fatalf("a released map holds %v", m)
		}
	}
}

// Wire structs of the shape of tencentbatch's SubmitJob (wire.go; importing
// the façade here would be a cycle), for BenchmarkDecodeParams.
type (
	bsKV   struct{ Name, Value string }
	bsTask struct {
		TaskName        string  `json:"TaskName"`
		TaskInstanceNum *uint64 `json:"TaskInstanceNum"`
		Application     struct {
			DeliveryForm string `json:"DeliveryForm"`
			Command      string `json:"Command"`
			Commands     []struct {
				Command string `json:"Command"`
			} `json:"Commands"`
			PackagePath string `json:"PackagePath"`
		} `json:"Application"`
		ComputeEnv *struct {
			EnvType string `json:"EnvType"`
			EnvData *struct {
				InstanceType        string   `json:"InstanceType"`
				InstanceTypes       []string `json:"InstanceTypes"`
				InstanceTypeOptions *struct {
					CPU    uint64 `json:"CPU"`
					Memory uint64 `json:"Memory"`
				} `json:"InstanceTypeOptions"`
				ImageId string   `json:"ImageId"`
				Zones   []string `json:"Zones"`
			} `json:"EnvData"`
		} `json:"ComputeEnv"`
		EnvId            string `json:"EnvId"`
		EnvVars          []bsKV `json:"EnvVars"`
		FailedAction     string `json:"FailedAction"`
		MaxRetryCount    uint64 `json:"MaxRetryCount"`
		Timeout          uint64 `json:"Timeout"`
		MaxConcurrentNum uint64 `json:"MaxConcurrentNum"`
	}
	bsSubmit struct {
		Placement struct {
			Zone      string `json:"Zone"`
			ProjectId int64  `json:"ProjectId"`
		} `json:"Placement"`
		Job struct {
			JobName        string   `json:"JobName"`
			JobDescription string   `json:"JobDescription"`
			Priority       int64    `json:"Priority"`
			Tasks          []bsTask `json:"Tasks"`
			Dependences    []struct {
				StartTask string `json:"StartTask"`
				EndTask   string `json:"EndTask"`
			} `json:"Dependences"`
			TaskExecutionDependOn string `json:"TaskExecutionDependOn"`
			Tags                  []bsKV `json:"Tags"`
		} `json:"Job"`
		ClientToken string `json:"ClientToken"`
	}
)

// BenchmarkDecodeParams: decoding a SubmitJob's parsed Params into its wire
// struct (the step after BenchmarkDecodeBodyJSON).
func BenchmarkDecodeParams(b *testing.B) {
	params, dup, err := decodeJSONDup([]byte(benchSubmitBody))
	if err != nil || dup {
		b.Fatal(dup, err)
	}
	var want bsSubmit
	if err := json.Unmarshal([]byte(benchSubmitBody), &want); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var p bsSubmit
		if err := decodeParams(params, &p); err != nil {
			b.Fatal(err)
		}
	}
	var got bsSubmit
	if err := decodeParams(params, &got); err != nil || !reflect.DeepEqual(got, want) {
		b.Fatalf("decoded %+v (%v), want %+v", got, err, want)
	}
}

// Nested arrays come off the parser's shared stack whole and at their
// length, survive collections, and leave the arena's stack empty.
func TestParserArrays(t *testing.T) {
	body := `{"a":["x","y",[["z",123,[]],[]],4.5e1,"` + strings.Repeat("w", 40) + `"],"n":1234567,"s":"plain"}`
	a := arenas.Get().(*mapArena)
	m, _, err := decodeBodyJSON([]byte(body), a)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.GC()
	want := map[string]any{"a": []any{"x", "y", []any{[]any{"z", json.Number("123"), []any{}}, []any{}}, json.Number("4.5e1"),
		strings.Repeat("w", 40)}, "n": json.Number("1234567"), "s": "plain"}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("parsed %#v\nwant %#v", m, want)
	}
	if s, ok := m["s"].(string); !ok || s != "plain" {
		t.Fatalf("m[s] = %#v", m["s"])
	}
	if n, ok := m["n"].(json.Number); !ok || n != "1234567" || reflect.TypeOf(m["n"]) != reflect.TypeFor[json.Number]() {
		t.Fatalf("m[n] = %#v", m["n"])
	}
	if l, ok := m["a"].([]any); !ok || len(l) != 5 || l[1] != "y" {
		t.Fatalf("m[a] = %#v", m["a"])
	}
	a.release()
	if len(a.stack) != 0 {
		t.Fatalf("the arena kept %d stack elements", len(a.stack))
	}
}

// SetJSONBody prepares a Request as the handler does: a JSON object is
// decoded from its Params, a duplicate key or a blank body is not, an empty
// body is {}.
func TestSetJSONBody(t *testing.T) {
	for _, tc := range []struct {
		body     string
		fromBody bool
		wantBody string
	}{
		{`{"Name":"x"}`, true, `{"Name":"x"}`},
		{`{"Name":"x","Name":"y"}`, false, `{"Name":"x","Name":"y"}`},
		{``, true, `{}`},
		{`  `, false, `  `},
	} {
		var r Request
		if err := r.SetJSONBody([]byte(tc.body)); err != nil {
			t.Fatalf("%q: %v", tc.body, err)
		}
		if r.paramsFromBody != tc.fromBody || string(r.Body) != tc.wantBody || r.Params == nil {
			t.Errorf("%q: paramsFromBody %v, Body %q, Params %v", tc.body, r.paramsFromBody, r.Body, r.Params)
		}
	}
	var r Request
	if err := r.SetJSONBody([]byte(`[1]`)); err == nil {
		t.Error("a body that is not an object was accepted")
	}
}

// RunAudited gives a TestMain the tests' own exit code when the audit
// holds, 1 with the reason when it does not (here: a body decoded only
// through encoding/json), and the counts with -v.
func TestRunAudited(t *testing.T) {
	var v struct{ N json.Number }
	for _, c := range []struct {
		name    string
		run     func() int
		verbose bool
		code    int
		out     string
		errw    string
	}{
		{"nothing decoded", func() int { return 0 }, true, 0, "decode audit: 0 fast, 0 through encoding/json", ""},
		{"the tests' code", func() int { return 3 }, false, 3, "", ""},
		{"only through encoding/json", func() int {
			r := &Request{}
			if err := r.SetJSONBody([]byte(`{"N":1}`)); err != nil {
				t.Fatal(err)
			}
			if err := r.Decode(&v); err != nil {
				t.Fatal(err)
			}
			return 0
		}, true, 1, "", "none of 1 request bodies was decoded on the fast path"},
	} {
		var out, errw strings.Builder
		code := RunAudited(c.run, func() bool { return c.verbose }, &out, &errw)
		if code != c.code || !strings.Contains(out.String(), c.out) || !strings.Contains(errw.String(), c.errw) || c.out == "" && out.Len() > 0 || c.errw == "" && errw.Len() > 0 {
			t.Errorf("%s: code %d, out %q, errors %q; want %d, %q, %q", c.name, code, out.String(), errw.String(), c.code, c.out, c.errw)
		}
	}
}
