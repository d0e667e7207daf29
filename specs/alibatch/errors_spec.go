package alibatch

// One spec per error item that no rule provokes: lookups of resources that
// do not exist (404), refusals for a resource's state (409), bodies that are
// not JSON or not an object, IdempotentToken reuse, system images and
// registered ECS images, and the quotas (emulator tenants).

import (
	"fmt"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// Well-formed IDs of nothing.
const (
	ghostCluster  = "cls-000000000000000000bc0404"
	ghostJob      = "job-0000000000000000000000000bc00404"
	ghostImage    = "img-000000000000000000bc0404"
	ghostInstance = "ins-000000000000000000bc0404"
)

// notFoundParam says which path parameter of an action is made unknown.
func notFoundParam(action string) (string, string) {
	switch action {
	case "GetCluster", "DeleteCluster", "ChangeClusterDesiredVMCount", "ListClusterInstances":
		return "ClusterId", ghostCluster
	case "GetClusterInstance", "RecreateClusterInstance", "DeleteClusterInstance":
		return "InstanceId", ghostInstance
	case "GetTask", "ListInstances":
		return "TaskName", "ghost"
	case "GetInstance":
		return "InstanceId", "999"
	case "GetImage", "DeleteImage":
		return "ImageId", ghostImage
	}
	return "JobId", ghostJob
}

func errorItem(action, code string) fixtures.ErrorItem {
	for _, e := range cat.Errors {
		if e.Action == action && e.Code == code {
			return e
		}
	}
	panic(fmt.Sprintf("alibatch: no error item %s %s", action, code))
}

var _ = Describe("Alibaba BatchCompute errors", Ordered, ContinueOnFailure, func() {
	if !selected() {
		return
	}
	var (
		t   *harness.Target
		w   *world
		cli string // a Running cluster instance of the world's cluster
	)
	BeforeAll(func() {
		t = harness.T(Dialect)
		w = newWorld(t, "errs")
		cli = clusterInstance(t, w.clusterID)
	})
	valid := func(action string) generators.RESTRequest {
		GinkgoHelper()
		g := generators.NewREST(cat, generators.RESTRefs{ClusterID: w.clusterID, GroupName: "group1", ClusterInstanceID: cli,
			JobID: w.jobID, TaskName: "A", InstanceID: "0", ImageID: w.imageID, Bodies: w.bodies})
		r, err := g.Valid(action)
		Expect(err).NotTo(HaveOccurred())
		return r
	}

	for i := range cat.Errors {
		e := cat.Errors[i]
		if len(e.Provoke.Rules) > 0 {
			continue
		}
		ec := cat.ErrorCodes[e.Code]
		switch {
		case e.Code == "InvalidResource.NotFound" && e.Action == "CreateJob":
			harness.It(e.ID, harness.Items(e.ID), func() {
				b := generators.CloneMap(w.bodies["CreateJob"])
				harness.Obj(b, "DAG.Tasks.A")["ClusterId"] = "cls-bc0404ghost"
				harness.Check(e.ID)
				expectError(callJSON(t, "CreateJob", nil, nil, b), ec.Status, e.Code, ec.Message)
			})
		case e.Code == "InvalidResource.NotFound":
			harness.It(e.ID, harness.Items(e.ID), func() {
				r := valid(e.Action)
				k, v := notFoundParam(e.Action)
				r.Path[k] = v
				harness.Check(e.ID)
				expectError(call(t, r), ec.Status, e.Code, ec.Message)
			})
		case e.Code == "InvalidJsonFormat" || e.Code == "InvalidHttpBody":
			body := `{"Name": "x",`
			if e.Code == "InvalidHttpBody" {
				body = `["not", "an", "object"]`
			}
			harness.It(e.ID, harness.Items(e.ID), func() {
				r := valid(e.Action)
				a, _ := cat.Action(e.Action)
				harness.Check(e.ID)
				expectError(send(t, a.Method, r.URL(a), []byte(body), acs.Options{}), ec.Status, e.Code, ec.Message)
			})
		case e.Code == "IdempotentTokenMismatch":
			items := []string{e.ID, id("idempotency", fixtures.KindProtocol, "same-token-same-body"), id("idempotency", fixtures.KindProtocol, "IdempotentTokenMismatch")}
			harness.It(e.ID, harness.Items(items...), func() {
				token := "bc" + t.RunPrefix + "tok" + e.Action
				b := generators.CloneMap(w.bodies[e.Action])
				b["Name"] = t.Name("idem", 64)
				first := callJSON(t, e.Action, nil, map[string]string{"IdempotentToken": token}, b)
				expectOK(first, e.Action, nil)
				cleanupCreated(t, e.Action, idOf(first))
				harness.Check(items[1])
				again := callJSON(t, e.Action, nil, map[string]string{"IdempotentToken": token}, b)
				expectOK(again, e.Action, nil)
				Expect(idOf(again)).To(Equal(idOf(first)), "the same token and body return the original Id")
				harness.Check(e.ID)
				harness.Check(items[2])
				b["Description"] = "another body"
				expectError(callJSON(t, e.Action, nil, map[string]string{"IdempotentToken": token}, b), ec.Status, e.Code, ec.Message)
			})
		case e.Code == "StateConflict":
			harness.It(e.ID, harness.Items(e.ID), func() { conflict(t, w, cli, e, ec) })
		case e.Code == "Forbidden" && e.Action == "DeleteImage":
			harness.It(e.ID, harness.Items(e.ID), func() {
				harness.Check(e.ID)
				expectError(callJSON(t, "DeleteImage", map[string]string{"ImageId": "img-ubuntu"}, nil, nil), ec.Status, e.Code, ec.Message)
			})
		case e.Code == "InvalidResource.AlreadyExisting" && e.Action == "CreateImage":
			harness.It(e.ID, harness.Items(e.ID), func() {
				b := generators.CloneMap(w.bodies["CreateImage"])
				b["EcsImageId"] = "m-" + t.RunPrefix + "errs" + "w" // the world's image
				harness.Check(e.ID)
				r := callJSON(t, "CreateImage", nil, nil, b)
				cleanupCreated(t, "CreateImage", idOf(r))
				expectError(r, ec.Status, e.Code, ec.Message)
			})
		case e.Provoke.Config != "":
			harness.It(e.ID, harness.Items(e.ID), Label(fixtures.LabelEmulatorOnly), func() {
				t.RequireEmulator()
				harness.Check(e.ID)
				quota(t, w, e, ec)
			})
		default:
			harness.It(e.ID, harness.Items(e.ID), func() {
				harness.Check(e.ID)
				Fail("no provocation is written for " + e.ID)
			})
		}
	}
})

// conflict provokes a 409 for the state the error item names.
func conflict(t *harness.Target, w *world, cli string, e fixtures.ErrorItem, ec fixtures.ErrorCode) {
	GinkgoHelper()
	expect := func(r *acs.Response) { expectError(r, ec.Status, e.Code, ec.Message) }
	switch e.Action {
	case "DeleteCluster", "ChangeClusterDesiredVMCount":
		cid := w.newCluster("conflict-"+e.Action, 1)
		p := map[string]string{"ClusterId": cid}
		expectOK(callJSON(t, "DeleteCluster", p, nil, nil), "DeleteCluster", nil)
		harness.Check(e.ID)
		if e.Action == "DeleteCluster" {
			expect(callJSON(t, "DeleteCluster", p, nil, nil))
		} else {
			expect(callJSON(t, e.Action, p, nil, w.bodies["ChangeClusterDesiredVMCount"]))
		}
	case "DeleteClusterInstance", "RecreateClusterInstance":
		cid := w.newCluster("conflict-"+e.Action, 2)
		iid := clusterInstance(t, cid)
		p := map[string]string{"ClusterId": cid, "GroupName": "group1", "InstanceId": iid}
		expectOK(callJSON(t, "DeleteClusterInstance", p, nil, nil), "DeleteClusterInstance", nil)
		harness.Check(e.ID)
		expect(callJSON(t, e.Action, p, nil, nil))
	case "StartJob", "DeleteJob", "ChangeJobPriority":
		jid := w.newJob("conflict-"+e.Action, "sleep 30")
		st := waitJob(t, jid, 30e9, "Waiting", "Running")
		harness.Check(e.ID)
		var body any
		if e.Action == "ChangeJobPriority" {
			body = w.bodies["ChangeJobPriority"]
		}
		r := callJSON(t, e.Action, map[string]string{"JobId": jid}, nil, body)
		Expect(r.Status).To(Equal(http.StatusConflict), "%s of a %s job: %s", e.Action, st, r.Body)
		expect(r)
	case "StopJob":
		jid := w.newJob("conflict-stop", "echo done")
		waitJob(t, jid, 60e9, "Finished", "Failed")
		harness.Check(e.ID)
		expect(callJSON(t, "StopJob", map[string]string{"JobId": jid}, nil, nil))
	default:
		harness.Check(e.ID)
		Fail("no state provocation is written for " + e.ID)
	}
}

// quota provokes a configured refusal through a tenant of its own (the
// quota values are undocumented: the emulator's tenants configure them).
func quota(t *harness.Target, w *world, e fixtures.ErrorItem, ec fixtures.ErrorCode) {
	GinkgoHelper()
	cluster := func(groups, vms int) map[string]any {
		b := generators.CloneMap(w.bodies["CreateCluster"])
		b["Name"] = t.Name("quota", 64)
		gs := map[string]any{}
		for i := 1; i <= groups; i++ {
			gs[fmt.Sprintf("group%d", i)] = map[string]any{"DesiredVMCount": vms, "ResourceType": "OnDemand", "InstanceType": w.instanceType}
		}
		b["Groups"] = gs
		return b
	}
	var q harness.TenantConfig
	var body map[string]any
	switch e.Code {
	case "QuotaExhausted.MaxClusterCount":
		q.Quotas.ComputeEnvs = 1
		body = cluster(1, 1)
	case "QuotaExhausted.MaxClusterGroupCount":
		q.Quotas.ClusterGroups = 1
		body = cluster(2, 1)
	case "QuotaExhausted.MaxClusterGroupDesiredVMCount":
		q.Quotas.GroupDesiredVMs = 2
		body = cluster(1, 3)
	case "QuotaExhausted.Configs.Networks.VPC.OppositeRouterType":
		q.ForbiddenOppositeRouterTypes = []string{"VRouter"}
		body = cluster(1, 1)
		// Every Opposite* field is set: they are mandatory together.
		body["Configs"] = map[string]any{"Networks": map[string]any{"VPC": map[string]any{
			"CidrBlock": "192.168.0.0/16", "OppositeRouterId": "vrt-bc0001", "OppositeAccessPointId": "ap-bc0001",
			"OppositeRegionId": "cn-hangzhou", "OppositeRouterType": "VRouter",
		}}}
	default:
		Fail("no tenant configuration is written for " + e.Provoke.Config)
	}
	tt := t.NewTenant(q)
	if e.Code == "QuotaExhausted.MaxClusterCount" {
		first := callJSON(tt, "CreateCluster", nil, nil, body)
		expectOK(first, "CreateCluster", nil)
		DeferCleanup(func() { callJSON(tt, "DeleteCluster", map[string]string{"ClusterId": idOf(first)}, nil, nil) })
	}
	r := callJSON(tt, "CreateCluster", nil, nil, body)
	if r.Status < 300 {
		DeferCleanup(func() { callJSON(tt, "DeleteCluster", map[string]string{"ClusterId": idOf(r)}, nil, nil) })
	}
	expectError(r, ec.Status, e.Code, ec.Message)
}
