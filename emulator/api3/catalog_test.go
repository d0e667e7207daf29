package api3

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"

	batch "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/batch/v20170312"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"

	"github.com/batchconform/batchconform/emulator/tenants"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// catalogProduct serves the real Tencent Batch catalog and accepts whatever
// passes validation.
type catalogProduct struct{ cat *fixtures.Catalog }

func (p catalogProduct) Catalog() *fixtures.Catalog { return p.cat }
func (p catalogProduct) Handle(context.Context, *Request) (any, *Error) {
	return map[string]any{"JobId": "job-abcdefgh"}, nil
}

// TestRealCatalogThroughSDK: the documented errors of the "done when"
// list, through the SDK in every method/signature mode, validated by the real
// catalog.
func TestRealCatalogThroughSDK(t *testing.T) {
	cat := tencentbatch.Catalog()
	if len(cat.Rules) == 0 {
		t.Fatal("the embedded Tencent Batch catalog has no rules or examples")
	}
	h, err := NewHandler(Config{Products: []Product{catalogProduct{cat}},
		Tenants: tenants.NewRegistry(tenants.Tenant{SecretID: testID, SecretKey: testKey})})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{}
	e.srv = newServer(t, h)
	for _, m := range sdkModes {
		t.Run(m.method+"/"+m.sign, func(t *testing.T) {
			c := sdkClient(t, e, m.method, m.sign, testID, testKey)
			if _, err := c.SubmitJob(submitRequest("ok", [2]string{"A", "B"})); err != nil {
				t.Fatalf("valid SubmitJob: %v", err)
			}
			if _, err := c.SubmitJob(submitRequest(strings.Repeat("j", 61))); sdkCode(err) != "InvalidParameter.JobNameTooLong" {
				t.Fatalf("61-char JobName: %v", err)
			}
			if _, err := c.SubmitJob(submitRequest("c", [2]string{"A", "B"}, [2]string{"B", "A"})); sdkCode(err) != "InvalidParameterValue.DependenceUnfeasible" {
				t.Fatalf("cyclic DAG: %v", err)
			}
			dj := batch.NewDescribeJobRequest()
			dj.JobId = common.StringPtr("job-12345678")
			if _, err := sdkClient(t, e, m.method, m.sign, testID, "bad").DescribeJob(dj); sdkCode(err) != "AuthFailure.SignatureFailure" {
				t.Fatalf("bad signature: %v", err)
			}
		})
	}
}

// flatten writes params the way the SDK's GET/form encoding does.
func flatten(prefix string, v any, out url.Values) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			flatten(join(prefix, k), e, out)
		}
	case []any:
		for i, e := range x {
			flatten(join(prefix, strconv.Itoa(i)), e, out)
		}
	case json.Number:
		out.Set(prefix, string(x))
	case bool:
		out.Set(prefix, strconv.FormatBool(x))
	case string:
		out.Set(prefix, x)
	}
}

// prune drops empty objects and lists and nulls, which flattening cannot carry.
func prune(v any) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if p, ok := prune(e); ok {
				out[k] = p
			}
		}
		return out, len(out) > 0
	case []any:
		var out []any
		for _, e := range x {
			if p, ok := prune(e); ok {
				out = append(out, p)
			}
		}
		return out, len(out) > 0
	case nil:
		return nil, false
	}
	return v, true
}

// TestFlattenedEqualsJSON: every doc example request decodes to the same
// parameters from its JSON form and from its flattened (GET/form) form.
func TestFlattenedEqualsJSON(t *testing.T) {
	cat := tencentbatch.Catalog()
	if len(cat.Examples) == 0 {
		t.Fatal("the embedded Tencent Batch catalog has no rules or examples")
	}
	ty := newTyper(cat)
	n := 0
	for _, ex := range cat.Examples {
		if len(ex.Request) == 0 {
			continue
		}
		a, ok := cat.Action(ex.Action)
		if !ok {
			t.Fatalf("%s: no action %s", ex.ID, ex.Action)
		}
		m, err := decodeJSON(ex.Request)
		if err != nil {
			t.Fatalf("%s: %v", ex.ID, err)
		}
		pruned, _ := prune(m)
		if pruned == nil {
			pruned = map[string]any{}
		}
		vals := url.Values{}
		flatten("", pruned, vals)
		flat, err := ty.decodeFlat(vals, a.Input, nil)
		if err != nil {
			t.Fatalf("%s: flattened: %v", ex.ID, err)
		}
		want, _ := json.Marshal(pruned)
		got, _ := json.Marshal(flat)
		if string(got) != string(want) {
			t.Errorf("%s:\nflattened %s\njson      %s", ex.ID, got, want)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no examples")
	}
}
