package api3

import (
	"bytes"
	"net/url"
	"testing"

	"github.com/batchconform/batchconform/emulator/faults"
)

// The protocol faults of tencentbatch_more.go change exactly their one
// behaviour, and only for Tencent Batch: Oceanus shares this layer and
// must not see them.
func TestMoreFaults(t *testing.T) {
	oceanus := url.Values{"Action": {"CreateJob"}, "Version": {"2019-04-22"}, "Name": {"n"}}
	t.Run(faults.V1SHA1GetUnsigned, func(t *testing.T) {
		e := newEnv(t, Config{}, faults.V1SHA1GetUnsigned)
		job := url.Values{"JobId": {"j"}}
		if _, env, _ := do(t, e.v1Request(t, "GET", "HmacSHA1", job, "wrong")); code(env) != "" {
			t.Fatalf("v1 HmacSHA1 GET with a wrong key: got %q, want it accepted (the fault)", code(env))
		}
		for _, c := range []struct {
			method, sig string
			params      url.Values
		}{{"POST", "HmacSHA1", job}, {"GET", "HmacSHA256", job}, {"GET", "HmacSHA1", oceanus}} {
			if _, env, _ := do(t, e.v1Request(t, c.method, c.sig, c.params, "wrong")); code(env) != "AuthFailure.SignatureFailure" {
				t.Errorf("v1 %s %s %s with a wrong key: got %q", c.sig, c.method, c.params.Get("Version"), code(env))
			}
		}
		if _, env, _ := do(t, e.tc3Request(t, tc3{body: `{"JobId":"j"}`, key: "wrong"})); code(env) != "AuthFailure.SignatureFailure" {
			t.Errorf("TC3 with a wrong key: got %q", code(env))
		}
	})
	t.Run(faults.RequestIDReused, func(t *testing.T) {
		e := newEnv(t, Config{}, faults.RequestIDReused)
		_, ok, _ := do(t, e.tc3Request(t, tc3{body: `{"JobId":"j"}`}))
		_, bad, _ := do(t, e.tc3Request(t, tc3{body: `{}`}))
		if code(bad) != "MissingParameter" || bad.Response.RequestId != ok.Response.RequestId {
			t.Fatalf("error %q with RequestId %s after success %s: want the success's RequestId repeated",
				code(bad), bad.Response.RequestId, ok.Response.RequestId)
		}
		_, again, _ := do(t, e.tc3Request(t, tc3{body: `{"JobId":"j"}`}))
		if again.Response.RequestId == ok.Response.RequestId {
			t.Fatal("a success repeated a RequestId: only errors reuse it")
		}
	})
	t.Run(faults.ErrorWithData, func(t *testing.T) {
		e := newEnv(t, Config{}, faults.ErrorWithData)
		if _, _, b := do(t, e.tc3Request(t, tc3{body: `{}`})); !bytes.Contains(b, []byte(`"Data":null`)) {
			t.Fatalf("Batch error without Data: %s", b)
		}
		if _, _, b := do(t, e.tc3Request(t, tc3{body: `{"JobId":"j"}`})); bytes.Contains(b, []byte(`"Data"`)) {
			t.Fatalf("success changed: %s", b)
		}
		if _, env, b := do(t, e.v1Request(t, "GET", "HmacSHA256", url.Values{"Action": {"CreateJob"}, "Version": {"2019-04-22"}}, testKey)); code(env) != "MissingParameter" || bytes.Contains(b, []byte(`"Data"`)) {
			t.Fatalf("Oceanus error changed: %s", b)
		}
	})
	t.Run(faults.ErrorCodeCasing, func(t *testing.T) {
		e := newEnv(t, Config{}, faults.ErrorCodeCasing)
		if _, env, _ := do(t, e.tc3Request(t, tc3{body: `{"JobId":"j"}`, id: "AKIDunknown"})); code(env) != "AuthFailure.SecretIDNotFound" {
			t.Fatalf("got %q", code(env))
		}
		if _, env, _ := do(t, e.tc3Request(t, tc3{body: `{}`})); code(env) != "MissingParameter" {
			t.Fatalf("another code changed: %q", code(env))
		}
	})
	t.Run(faults.RegionNotChecked, func(t *testing.T) {
		e := newEnv(t, Config{}, faults.RegionNotChecked)
		if _, env, _ := do(t, e.tc3Request(t, tc3{body: `{"JobId":"j"}`, region: "xx-nowhere"})); code(env) != "" {
			t.Fatalf("got %q, want the region accepted (the fault)", code(env))
		}
	})
}
