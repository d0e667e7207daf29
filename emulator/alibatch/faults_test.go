package alibatch_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	clientacs "github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/emulator/faults"
	catalog "github.com/batchconform/batchconform/fixtures/alibatch"
)

// Every Alibaba fault declares items of the Alibaba catalog, and there are at
// least 25 of them (issue 9).
func TestAlibabaFaultsDeclareCatalogItems(t *testing.T) {
	cat := catalog.Catalog()
	n := 0
	for _, f := range faults.All() {
		if !strings.HasPrefix(f.Name, "ali-") {
			continue
		}
		n++
		if len(f.Items) == 0 || f.Doc == "" {
			t.Errorf("fault %s has no items or no doc", f.Name)
		}
		for _, id := range f.Items {
			if _, ok := cat.Item(id); !ok {
				t.Errorf("fault %s declares %s, which the catalog does not have", f.Name, id)
			}
		}
	}
	if n < 25 {
		t.Fatalf("%d Alibaba faults, want at least 25", n)
	}
}

// The behaviour faults implemented in code really change the answer (the
// rule-skipping ones are generic: validate's Skip, tested there).
func TestAlibabaBehaviourFaults(t *testing.T) {
	ctx := context.Background()
	job := func(name string) map[string]any {
		return dagJob(name, nil, map[string]any{"a": task("sleep 600", map[string]any{"InstanceCount": 1})})
	}
	for _, c := range []struct {
		fault string
		probe func(t *testing.T, emu *emulator.Emulator, c *clientacs.Client) bool // true: the contract held
	}{
		{faults.AliSkipSignatureCheck, func(t *testing.T, emu *emulator.Emulator, c *clientacs.Client) bool {
			bad := *c
			bad.Signer.AccessKeySecret = "wrong"
			r, err := bad.Do(ctx, "GET", "/jobs", nil, clientacs.Options{})
			return err == nil && r.Status == 400
		}},
		{faults.AliAcceptAnyDate, func(t *testing.T, emu *emulator.Emulator, c *clientacs.Client) bool {
			r, err := c.Do(ctx, "GET", "/jobs", nil, clientacs.Options{Date: time.Now().Add(-time.Hour)})
			return err == nil && r.Status == 400
		}},
		{faults.AliNoRequestIDHeader, func(t *testing.T, emu *emulator.Emulator, c *clientacs.Client) bool {
			r, err := c.Do(ctx, "GET", "/jobs", nil, clientacs.Options{})
			return err == nil && r.RequestID != ""
		}},
		{faults.AliBareErrorBody, func(t *testing.T, emu *emulator.Emulator, c *clientacs.Client) bool {
			r, err := c.Do(ctx, "GET", "/jobs/job-nope", nil, clientacs.Options{})
			return err == nil && strings.Contains(string(r.Body), `"RequestId"`) && strings.Contains(string(r.Body), `"HostId"`)
		}},
		{faults.AliIgnoreIdempotentToken, func(t *testing.T, emu *emulator.Emulator, c *clientacs.Client) bool {
			a := do(t, c, "POST", "/jobs?IdempotentToken=x1", job("i1"), 201)["Id"]
			b := do(t, c, "POST", "/jobs?IdempotentToken=x1", job("i1"), 201)["Id"]
			return a == b
		}},
		{faults.AliDeleteRunningJob, func(t *testing.T, emu *emulator.Emulator, c *clientacs.Client) bool {
			id := do(t, c, "POST", "/jobs", job("d1"), 201)["Id"].(string)
			r, err := c.Do(ctx, "DELETE", "/jobs/"+id, nil, clientacs.Options{})
			return err == nil && r.Status == http.StatusConflict
		}},
		{faults.AliStopFinishedJob, func(t *testing.T, emu *emulator.Emulator, c *clientacs.Client) bool {
			id := do(t, c, "POST", "/jobs", dagJob("f1", nil, map[string]any{"a": task("true", map[string]any{"InstanceCount": 1})}), 201)["Id"].(string)
			waitState(t, c, id, "Finished")
			r, err := c.Do(ctx, "POST", "/jobs/"+id+"/stop", nil, clientacs.Options{})
			return err == nil && r.Status == http.StatusConflict
		}},
		{faults.AliStoppedAsFailed, func(t *testing.T, emu *emulator.Emulator, c *clientacs.Client) bool {
			id := do(t, c, "POST", "/jobs", job("s1"), 201)["Id"].(string)
			do(t, c, "POST", "/jobs/"+id+"/stop", nil, 201)
			return waitState(t, c, id, "Stopped", "Failed")["State"] == "Stopped"
		}},
		{faults.AliIgnoreMarker, func(t *testing.T, emu *emulator.Emulator, c *clientacs.Client) bool {
			for i := 0; i < 3; i++ {
				do(t, c, "POST", "/images", map[string]any{"Name": "img", "EcsImageId": "m-" + string(rune('a'+i)), "Platform": "Linux"}, 201)
			}
			p1 := do(t, c, "GET", "/images?MaxItemCount=1", nil, 200)
			p2 := do(t, c, "GET", "/images?MaxItemCount=1&Marker="+p1["NextMarker"].(string), nil, 200)
			return p1["Items"].([]any)[0].(map[string]any)["Id"] != p2["Items"].([]any)[0].(map[string]any)["Id"]
		}},
	} {
		t.Run(c.fault, func(t *testing.T) {
			clean, cc := start(t)
			if !c.probe(t, clean, cc) {
				t.Fatalf("the contract does not hold without the fault")
			}
			faulty, fc := start(t, emulator.WithFaults(c.fault))
			if c.probe(t, faulty, fc) {
				t.Fatalf("fault %s changes nothing the probe sees", c.fault)
			}
		})
	}
}
