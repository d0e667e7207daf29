package alibatch_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator/acs"
	"github.com/batchconform/batchconform/emulator/alibatch"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
)

// FuzzOperations sends arbitrary bodies and queries to every write route and
// the list routes through the real façade (catalog validation, engine): no
// answer is a 5xx, every error has a Code.
func FuzzOperations(f *testing.F) {
	f.Add(uint8(0), "", []byte(`{"Name":"a","Type":"DAG","Priority":1,"JobFailOnInstanceFail":true,"DAG":{"Tasks":{"a":{"InstanceCount":1,"Timeout":10,"ClusterId":"x","Parameters":{"Command":{"CommandLine":"true","PackagePath":""},"StdoutRedirectPath":"oss://b/","StderrRedirectPath":"oss://b/"}}},"Dependencies":{"a":["a"]}}}`))
	f.Add(uint8(1), "IdempotentToken=abc", []byte(`{"Name":"c","ImageId":"img-ubuntu","InstanceType":"ecs.sn1ne.large","Groups":{"g":{"DesiredVMCount":1,"ResourceType":"OnDemand"}}}`))
	f.Add(uint8(2), "Marker=zzz&MaxItemCount=-1", []byte(``))
	f.Add(uint8(3), "", []byte(`{"Priority":"x"}`))
	f.Add(uint8(4), "", []byte(`{"Groups":{"g":{"DesiredVMCount":1e400}}}`))
	reg := tenants.NewRegistry(tenants.Tenant{SecretID: "AK", SecretKey: "SK"})
	eng, err := engine.New(engine.Config{Clock: engine.NewManualClock(time.Unix(1_800_000_000, 0)), Executor: engine.ExecutorSimulated, Tenants: reg})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = eng.Close() })
	h, err := acs.NewHandler(acs.Config{Service: alibatch.New(eng, reg, &faults.Set{}), Tenants: reg, SkipSignature: true,
		Now: func() time.Time { return time.Unix(1_800_000_000, 0) }})
	if err != nil {
		f.Fatal(err)
	}
	routes := []struct{ method, path string }{
		{"POST", "/jobs"}, {"POST", "/clusters"}, {"GET", "/jobs"}, {"PUT", "/jobs/job-x"}, {"PUT", "/clusters/cls-x"},
		{"POST", "/images"}, {"GET", "/clusters"}, {"GET", "/jobs/job-x/tasks/a/instances"}, {"GET", "/images"},
	}
	f.Fuzz(func(t *testing.T, route uint8, query string, body []byte) {
		rt := routes[int(route)%len(routes)]
		r := httptest.NewRequest(rt.method, "http://h"+rt.path, bytes.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Authorization", "acs AK:x")
		r.Header.Set("Date", time.Unix(1_800_000_000, 0).UTC().Format(http.TimeFormat))
		r.Header.Set("x-acs-version", acs.Version)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s?%s %q: %d %s", rt.method, rt.path, query, body, w.Code, w.Body)
		}
		if w.Code >= 400 && !bytes.Contains(w.Body.Bytes(), []byte(`"Code":"`)) {
			t.Fatalf("error without a code: %s", w.Body)
		}
	})
}
