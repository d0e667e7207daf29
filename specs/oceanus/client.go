package oceanus

// How the specs reach the target: raw signed API 3.0 requests (any body,
// any action) and the official SDK's client for the actions v1.0.162 has.

import (
	"encoding/json"
	"fmt"
	"reflect"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"

	"github.com/batchconform/batchconform/specs/harness"
)

// raw sends req (a generators map) as a raw TC3-signed POST of this product.
func raw(t *harness.Target, action string, req map[string]any) *harness.Envelope {
	GinkgoHelper()
	body, err := json.Marshal(req)
	Expect(err).NotTo(HaveOccurred())
	env, err := t.Raw(harness.RawRequest{Action: action, Version: harness.OceanusVersion, Service: "oceanus", Body: body})
	Expect(err).NotTo(HaveOccurred(), "%s: transport error", action)
	Expect(env.DecodeErr).NotTo(HaveOccurred(), "%s: malformed envelope: %s", action, env.Body)
	Expect(env.Status).To(Equal(200), "%s: API answers are HTTP 200 envelopes: %s", action, env.Body)
	return env
}

// rawQuiet is raw returning what raw asserts as an error instead (for
// cleanup steps, which may run outside any spec: harness.Cleanup).
func rawQuiet(t *harness.Target, action string, req map[string]any) (*harness.Envelope, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	env, err := t.Raw(harness.RawRequest{Action: action, Version: harness.OceanusVersion, Service: "oceanus", Body: body})
	if err != nil {
		return nil, fmt.Errorf("%s: transport error: %w", action, err)
	}
	if env.DecodeErr != nil {
		return nil, fmt.Errorf("%s: malformed envelope: %w: %s", action, env.DecodeErr, env.Body)
	}
	if env.Status != 200 {
		return nil, fmt.Errorf("%s: API answers are HTTP 200 envelopes, got %d: %s", action, env.Status, env.Body)
	}
	return env, nil
}

// send uses the SDK client for the actions v1.0.162 has, raw requests for
// the rest.
func send(t *harness.Target, action string, req map[string]any) *harness.Envelope {
	GinkgoHelper()
	if a, ok := cat.Action(action); ok && a.InSDK {
		env, err := sdkCall(t, action, req)
		Expect(err).NotTo(HaveOccurred(), "%s through SDK v1.0.162", action)
		return env
	}
	return raw(t, action, req)
}

// sdkCall calls the SDK client's method named action with req decoded by
// the SDK's own FromJsonString (which, in v1.0.162, refuses keys it does not
// know: the request must be one the SDK can send). The answer is returned
// as the envelope the SDK saw.
func sdkCall(t *harness.Target, action string, req map[string]any) (*harness.Envelope, error) {
	c := t.Oceanus()
	m := reflect.ValueOf(c).MethodByName(action)
	if !m.IsValid() {
		return nil, fmt.Errorf("SDK v1.0.162 has no %s", action)
	}
	rv := reflect.New(m.Type().In(0).Elem())
	base := &tchttp.BaseRequest{}
	rv.Elem().FieldByName("BaseRequest").Set(reflect.ValueOf(base))
	base.Init().WithApiInfo("oceanus", "2019-04-22", action)
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	if err := rv.Interface().(interface{ FromJsonString(string) error }).FromJsonString(string(body)); err != nil {
		return nil, fmt.Errorf("%s: the SDK cannot carry %s: %w", action, body, err)
	}
	out := m.Call([]reflect.Value{rv})
	if errV := out[1].Interface(); errV != nil {
		err := errV.(error)
		code, msg, rid := harness.SDKError(err)
		if code == "" {
			return nil, err
		}
		eb, _ := json.Marshal(map[string]any{"Response": map[string]any{"Error": map[string]string{"Code": code, "Message": msg}, "RequestId": rid}})
		return harness.ParseEnvelope(200, nil, eb), nil
	}
	js := out[0].Interface().(interface{ ToJsonString() string }).ToJsonString()
	return harness.ParseEnvelope(200, nil, []byte(js)), nil
}

// ok sends a request that must succeed and returns its Response.
func ok(t *harness.Target, action string, req map[string]any) map[string]any {
	GinkgoHelper()
	env := send(t, action, req)
	b, _ := json.Marshal(req)
	Expect(env.Code()).To(BeEmpty(), "%s must be accepted: request %s\nresponse %s", action, b, env.Body)
	return decode(env)
}

// decode returns an envelope's Response as plain JSON values.
func decode(env *harness.Envelope) map[string]any {
	var out map[string]any
	raw, _ := json.Marshal(env.Response)
	_ = json.Unmarshal(raw, &out)
	return out
}

// evidence records a request and its answer.
func evidence(what string, req any, env *harness.Envelope) {
	b, _ := json.Marshal(req)
	harness.Evidence(map[string]any{"what": what, "request": json.RawMessage(b), "response": json.RawMessage(env.Body)})
}
