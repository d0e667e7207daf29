package alibatch

// The specs' wire helpers: signed ACS requests through the harness target,
// evidence, and the checks every response shares (the documented status,
// the error shape, the request-id header).

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// send sends one signed request and records it as evidence.
func send(t *harness.Target, method, pathAndQuery string, body []byte, o acs.Options) *acs.Response {
	GinkgoHelper()
	return sendWith(t.ACS(), method, pathAndQuery, body, o)
}

func sendWith(c *acs.Client, method, pathAndQuery string, body []byte, o acs.Options) *acs.Response {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r, err := c.Do(ctx, method, pathAndQuery, body, o)
	Expect(err).NotTo(HaveOccurred(), "%s %s: transport error", method, pathAndQuery)
	var req any = string(body)
	if json.Valid(body) && len(body) > 0 {
		req = json.RawMessage(body)
	}
	var resp any = string(r.Body)
	if json.Valid(r.Body) && len(r.Body) > 0 {
		resp = json.RawMessage(r.Body)
	}
	harness.Evidence(map[string]any{"request": map[string]any{"method": method, "url": pathAndQuery, "body": req},
		"response": map[string]any{"status": r.Status, "body": resp}, "request_id": r.RequestID})
	return r
}

// call sends a generated request of an action.
func call(t *harness.Target, r generators.RESTRequest) *acs.Response {
	GinkgoHelper()
	a, ok := cat.Action(r.Action)
	Expect(ok).To(BeTrue(), "unknown action %s", r.Action)
	body, err := r.JSONBody()
	Expect(err).NotTo(HaveOccurred())
	return send(t, a.Method, r.URL(a), body, acs.Options{})
}

// callJSON sends an action with path parameters, query and a body value.
func callJSON(t *harness.Target, action string, path map[string]string, query map[string]string, body any) *acs.Response {
	GinkgoHelper()
	r := generators.RESTRequest{Action: action, Path: path, Query: query}
	if body != nil {
		b, err := json.Marshal(body)
		Expect(err).NotTo(HaveOccurred())
		Expect(json.Unmarshal(b, &r.Body)).To(Succeed())
	}
	return call(t, r)
}

// expectOK asserts the action's documented success status and decodes the
// body into out (when given).
func expectOK(r *acs.Response, action string, out any) {
	GinkgoHelper()
	a, _ := cat.Action(action)
	Expect(r.Status).To(Equal(a.Status), "%s answers %d on success (documented); got %d: %s", action, a.Status, r.Status, r.Body)
	if r.RequestID == "" {
		// Attributed to the request-id item wherever it shows, setup
		// included: an endpoint that drops the header fails that item,
		// not only the spec that happened to meet it first.
		harness.Check(proto("envelope", "request-id"))
	}
	Expect(r.RequestID).NotTo(BeEmpty(), "%s: every response carries x-acs-request-id", action)
	if out != nil {
		Expect(json.Unmarshal(r.Body, out)).To(Succeed(), "%s: body %s", action, r.Body)
	}
}

// expectError asserts an error answer: the status, the code, the message
// (a template's {Placeholders} match anything; "" skips it) and the
// documented shape with RequestId equal to the header.
func expectError(r *acs.Response, status int, code, message string) {
	GinkgoHelper()
	Expect(errorShape(r)).To(Succeed())
	e := r.Err()
	Expect(r.Status).To(Equal(status), "want %d %s; got %d %s", status, code, r.Status, r.Body)
	Expect(e.Code).To(Equal(code), "want code %s; got %s", code, r.Body)
	if message != "" {
		Expect(messageMatches(message, e.Message)).To(BeTrue(), "want message %q; got %q", message, e.Message)
	}
}

// errorShape checks {"Code","Message","RequestId","HostId"} (all strings) and
// the x-acs-request-id header equal to RequestId.
func errorShape(r *acs.Response) error {
	if r.Status < 400 {
		b := string(r.Body)
		if len(b) > 400 {
			b = b[:400] + "…"
		}
		return fmt.Errorf("status %d is not an error: %s", r.Status, b)
	}
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		return fmt.Errorf("error body is not a JSON object: %v: %q", err, r.Body)
	}
	for _, k := range []string{"Code", "Message", "RequestId", "HostId"} {
		if _, ok := m[k].(string); !ok {
			return fmt.Errorf("error body lacks string %s: %s", k, r.Body)
		}
	}
	if m["Code"] == "" {
		return fmt.Errorf("empty Code: %s", r.Body)
	}
	if r.RequestID == "" || m["RequestId"] != r.RequestID {
		return fmt.Errorf("RequestId %v and x-acs-request-id %q differ or are empty", m["RequestId"], r.RequestID)
	}
	return nil
}

var placeholderRE = regexp.MustCompile(`\\\{[A-Za-z]+\\\}`)

// messageMatches compares a message with a documented one whose
// {Placeholders} stand for any text.
func messageMatches(tmpl, got string) bool {
	if !strings.Contains(tmpl, "{") {
		return tmpl == got
	}
	re := "^" + placeholderRE.ReplaceAllString(regexp.QuoteMeta(tmpl), ".*") + "$"
	ok, _ := regexp.MatchString(re, got)
	return ok
}

// idOf decodes {"Id": ...}.
func idOf(r *acs.Response) string {
	var v struct{ Id string }
	_ = json.Unmarshal(r.Body, &v)
	return v.Id
}

// poll calls f every polling interval of the target until it returns true
// or the timeout passes.
func poll(t *harness.Target, timeout time.Duration, what string, f func() bool) {
	GinkgoHelper()
	// A target recognised as one whose resources never move (or one that
	// stopped answering) ends the wait with the breaker's one message.
	Eventually(func() bool { harness.StopIfStalled(t); return f() }).WithTimeout(timeout).WithPolling(t.PollInterval()).Should(BeTrue(), what)
}
