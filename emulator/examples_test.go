package emulator_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator"
	catalog "github.com/batchconform/batchconform/fixtures/tencentbatch"
	"github.com/batchconform/batchconform/internal/examples"
	"github.com/batchconform/batchconform/internal/tcsign"
)

// rawCaller sends signed TC3 POSTs and returns the Response object or the
// error code.
func rawCaller(emu *emulator.Emulator) examples.Caller {
	c := &http.Client{Timeout: 30 * time.Second}
	return func(action, region string, body []byte) ([]byte, string, error) {
		if region == "" {
			region = "ap-guangzhou"
		}
		s := tcsign.TC3{SecretID: emu.SecretID, SecretKey: emu.SecretKey, Service: "batch", Action: action,
			Version: "2017-03-12", Region: region, Timestamp: time.Now()}
		req, err := s.NewPOST(emu.URL, "", body)
		if err != nil {
			return nil, "", err
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, "", err
		}
		if resp.StatusCode != 200 {
			return nil, "", fmt.Errorf("%s: HTTP %d: %s", action, resp.StatusCode, data)
		}
		var env struct {
			Response json.RawMessage
		}
		if err := json.Unmarshal(data, &env); err != nil {
			return nil, "", fmt.Errorf("%s: %w: %s", action, err, data)
		}
		var e struct {
			Error *struct{ Code, Message string }
		}
		_ = json.Unmarshal(env.Response, &e)
		if e.Error != nil {
			return env.Response, e.Error.Code, nil
		}
		return env.Response, "", nil
	}
}

// Every doc example is accepted and answers with the documented response
// shape; Describe examples are replayed with IDs created in the test.
func TestDocExamples(t *testing.T) {
	emu := start(t)
	call := rawCaller(emu)
	cat := catalog.Catalog()
	if len(cat.Examples) < 30 {
		t.Fatalf("catalog has %d examples", len(cat.Examples))
	}
	for _, ex := range cat.Examples {
		t.Run(ex.Detail+"/"+ex.Action, func(t *testing.T) {
			t.Parallel()
			body, cleanup, err := examples.Prepare(examples.Env{Call: call, Timeout: 30 * time.Second}, ex)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := cleanup(); err != nil {
					t.Errorf("cleanup: %v", err)
				}
			}()
			resp, code, err := call(ex.Action, examples.Region(ex), body)
			if err != nil {
				t.Fatal(err)
			}
			if code != "" {
				t.Fatalf("%s refused the example: %s\nrequest: %s\nresponse: %s", ex.Action, code, body, resp)
			}
			if problems := cat.CheckResponse(ex.Action, append(append([]byte(`{"Response":`), resp...), '}')); len(problems) > 0 {
				t.Fatalf("%s response breaks the documented schema:\n  %s\nresponse: %s", ex.Action, strings.Join(problems, "\n  "), resp)
			}
			// The documented response's fields are all present in ours.
			var doc, got map[string]any
			_ = json.Unmarshal(ex.Response, &doc)
			_ = json.Unmarshal(resp, &got)
			for k := range doc {
				if _, ok := got[k]; !ok {
					t.Errorf("documented response field %s missing", k)
				}
			}
		})
	}
}

// Seed 003's first example runs `python -c "fib..."`; under the local
// executor it really runs (CI installs python-is-python3, since Debian ships
// python3 only) and prints fib(20) = 6765.
func TestSeed003PythonExampleRuns(t *testing.T) {
	if _, err := exec.LookPath("python"); err != nil {
		t.Log("no `python` on PATH (install python-is-python3): the example is checked for acceptance only, by TestDocExamples")
		return
	}
	emu := start(t)
	call := rawCaller(emu)
	ex := findExample(t, "tencent-batch/SubmitJob/example/seed003-1")
	resp, code, err := call("SubmitJob", "", ex.Request)
	if err != nil || code != "" {
		t.Fatalf("SubmitJob: %v %s %s", err, code, resp)
	}
	var sub struct{ JobId string }
	_ = json.Unmarshal(resp, &sub)
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, _, err := call("DescribeJob", "", []byte(`{"JobId":"`+sub.JobId+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		var d struct{ JobState string }
		_ = json.Unmarshal(r, &d)
		if d.JobState == "SUCCEED" {
			break
		}
		if d.JobState == "FAILED" || time.Now().After(deadline) {
			t.Fatalf("job %s: %s", sub.JobId, r)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r, code, err := call("DescribeTaskLogs", "", []byte(`{"JobId":"`+sub.JobId+`","TaskName":"hello2"}`))
	if err != nil || code != "" {
		t.Fatalf("DescribeTaskLogs: %v %s", err, code)
	}
	var logs struct{ TaskInstanceLogSet []struct{ StdoutLog string } }
	_ = json.Unmarshal(r, &logs)
	if len(logs.TaskInstanceLogSet) != 1 {
		t.Fatalf("logs: %s", r)
	}
	out := logs.TaskInstanceLogSet[0].StdoutLog
	if i := strings.Index(out, "base64,"); i >= 0 {
		out = out[i+len("base64,"):]
	}
	dec, err := base64.StdEncoding.DecodeString(out)
	if err != nil || strings.TrimSpace(string(dec)) != "6765" {
		t.Fatalf("stdout = %q (%v), want 6765", dec, err)
	}
}

func findExample(t *testing.T, id string) struct {
	Request json.RawMessage
} {
	for _, ex := range catalog.Catalog().Examples {
		if ex.ID == id {
			return struct{ Request json.RawMessage }{ex.Request}
		}
	}
	t.Fatalf("no example %s", id)
	return struct{ Request json.RawMessage }{}
}
