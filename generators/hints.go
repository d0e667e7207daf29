package generators

import "github.com/batchconform/batchconform/fixtures"

// Hints are the meaning the rules cannot carry: values an endpoint needs to
// accept a request beyond its rules. They are data, applied after the
// generic fill; "${Name}" placeholders take the Refs (Zone, EnvID, JobID,
// TaskName, TemplateID, NodeID, InstanceID; well-formed defaults otherwise).

// Hint sets Value at a concrete request path.
type Hint struct {
	Path  string
	Value any
}

// DefaultInstanceType is an instance type every documented region lists.
const DefaultInstanceType = "S5.MEDIUM4"

// nameHints give string members by name, wherever they appear: a zone must
// be a zone of the request's region; an instance type one the region offers;
// a task name one of the referenced job.
var nameHints = map[string]any{
	"Zone":          "${Zone}",
	"Zones":         "${Zone}",
	"InstanceType":  DefaultInstanceType,
	"InstanceTypes": DefaultInstanceType,
	"TaskName":      "${TaskName}",
}

// anonymousEnv is a managed compute environment a task can boot.
func anonymousEnv() map[string]any {
	return map[string]any{"EnvType": "MANAGED", "EnvData": map[string]any{"InstanceType": DefaultInstanceType}}
}

func task(name string) map[string]any {
	return map[string]any{
		"TaskName":        name,
		"TaskInstanceNum": int64(1),
		"Application":     map[string]any{"DeliveryForm": "LOCAL", "Command": "echo " + name},
		"ComputeEnv":      anonymousEnv(),
	}
}

// createHints give the value of a member when Prepare has to create it (the
// generic fill cannot know which task names a dependence may name): action ->
// star path -> value.
var createHints = map[string]map[string]any{
	"SubmitJob": {
		"Job.Dependences":   []any{map[string]any{"StartTask": "A", "EndTask": "B"}},
		"Job.Dependences.*": map[string]any{"StartTask": "A", "EndTask": "B"},
	},
}

// hints per action. SubmitJob: two tasks (A, B) of echo commands on
// anonymous environments, so the rules about task names, dependences and
// their references have something to refer to. Task templates: a runnable
// command on an anonymous environment. Task instance indexes: the first
// instance (0).
var hints = map[string][]Hint{
	"SubmitJob": {
		{"Job.JobName", "bcjob"},
		{"Job.Tasks", []any{task("A"), task("B")}},
	},
	"CreateTaskTemplate": {
		{"TaskTemplateInfo", task("A")},
	},
	"CreateComputeEnv": {
		{"ComputeEnv.EnvData", map[string]any{"InstanceType": DefaultInstanceType}},
	},
	"TerminateTaskInstance":  {{"TaskInstanceIndex", int64(0)}},
	"DescribeJobMonitorData": {{"TaskInstanceIndex", int64(0)}},
}

// hintsFor returns the hints of an action of a dialect: the tables above are
// Tencent Batch's; other dialects have their own (action names repeat across
// products, e.g. DescribeJobs).
func hintsFor(dialect, action string) []Hint {
	if dialect == fixtures.DialectTencentBatch || dialect == "" {
		return hints[action]
	}
	return dialectHints[dialect][action]
}

// dialectHints: per dialect, action -> hints (Batch's are in hints).
var dialectHints = map[string]map[string][]Hint{
	// Oceanus: a job of the emulator's seeded shared cluster (ClusterType 1
	// needs no ClusterId) and SQL type; names are valid job names.
	fixtures.DialectOceanus: {
		"CreateJob": {{"Name", "bcjob"}, {"JobType", int64(1)}, {"ClusterType", int64(1)}},
	},
}
