package tencentbatch

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/facade"
	"github.com/batchconform/batchconform/fixtures"
)

// The façade's own wire structures: the SDK v1.0.162 models lack fields of the
// current API definition (Commands, InstanceTypes, Notifications as a list…),
// so requests decode into these. Only what the façade uses is declared; the
// whole request is kept as JSON for the Describe*Info echoes.

type wPlacement struct {
	Zone      string `json:"Zone"`
	ProjectId int64  `json:"ProjectId"`
}

type wKV struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

type wTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type wFilter = facade.Filter

type wEventConfig struct {
	EventName string `json:"EventName"`
	EventVars []wKV  `json:"EventVars"`
}

type wNotification struct {
	TopicName    string         `json:"TopicName"`
	EventConfigs []wEventConfig `json:"EventConfigs"`
}

// wNotifications accepts a single Notification object (SDK v1.0.162 and the
// 2021 spec for compute environments) or a list (latest spec, seed 000).
type wNotifications []wNotification

func (n *wNotifications) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*n = nil
		return nil
	case b[0] == '{':
		var one wNotification
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*n = wNotifications{one}
		return nil
	}
	var many []wNotification
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*n = many
	return nil
}

type wCommandLine struct {
	Command string `json:"Command"`
}

type wApplication struct {
	DeliveryForm string         `json:"DeliveryForm"`
	Command      string         `json:"Command"`
	Commands     []wCommandLine `json:"Commands"`
	PackagePath  string         `json:"PackagePath"`
}

type wInstanceTypeOptions struct {
	CPU                uint64   `json:"CPU"`
	Memory             uint64   `json:"Memory"`
	InstanceCategories []string `json:"InstanceCategories"`
}

type wEnvData struct {
	InstanceType        string                `json:"InstanceType"`
	InstanceTypes       []string              `json:"InstanceTypes"`
	InstanceTypeOptions *wInstanceTypeOptions `json:"InstanceTypeOptions"`
	ImageId             string                `json:"ImageId"`
	Zones               []string              `json:"Zones"`
}

// wAnonEnv and its EnvData are values, not pointers: an absent or null
// object reads as an empty one, which means the same to taskSpec and
// checkTemplateEnv (no image, no instance type), and a submitted task costs
// no allocation for either.
type wAnonEnv struct {
	EnvType string   `json:"EnvType"`
	EnvData wEnvData `json:"EnvData"`
}

type wRedirect struct {
	StdoutRedirectPath     string `json:"StdoutRedirectPath"`
	StderrRedirectPath     string `json:"StderrRedirectPath"`
	StdoutRedirectFileName string `json:"StdoutRedirectFileName"`
	StderrRedirectFileName string `json:"StderrRedirectFileName"`
}

type wMapping struct {
	SourcePath      string `json:"SourcePath"`
	DestinationPath string `json:"DestinationPath"`
}

type wTask struct {
	TaskName         string       `json:"TaskName"`
	TaskInstanceNum  *uint64      `json:"TaskInstanceNum"`
	Application      wApplication `json:"Application"`
	ComputeEnv       wAnonEnv     `json:"ComputeEnv"`
	EnvId            string       `json:"EnvId"`
	RedirectInfo     *wRedirect   `json:"RedirectInfo"`
	InputMappings    []wMapping   `json:"InputMappings"`
	OutputMappings   []wMapping   `json:"OutputMappings"`
	EnvVars          []wKV        `json:"EnvVars"`
	FailedAction     string       `json:"FailedAction"`
	MaxRetryCount    uint64       `json:"MaxRetryCount"`
	Timeout          uint64       `json:"Timeout"`
	MaxConcurrentNum uint64       `json:"MaxConcurrentNum"`
	// ResourceMaxRetryCount bounds the anonymous node creation retries under
	// Job.StateIfCreateCvmFailed RUNNABLE (default 0).
	ResourceMaxRetryCount uint64 `json:"ResourceMaxRetryCount"`
}

type wDependence struct {
	StartTask string `json:"StartTask"`
	EndTask   string `json:"EndTask"`
}

type wJob struct {
	JobName                string          `json:"JobName"`
	JobDescription         string          `json:"JobDescription"`
	Priority               int64           `json:"Priority"`
	Tasks                  []wTask         `json:"Tasks"`
	Dependences            []wDependence   `json:"Dependences"`
	Notifications          []wNotification `json:"Notifications"`
	TaskExecutionDependOn  string          `json:"TaskExecutionDependOn"`
	StateIfCreateCvmFailed string          `json:"StateIfCreateCvmFailed"`
	Tags                   []wTag          `json:"Tags"`
}

// ---- wire -> engine ----

func kvs(in []wKV) []engine.KV {
	out := make([]engine.KV, 0, len(in))
	for _, v := range in {
		out = append(out, engine.KV{Name: v.Name, Value: v.Value})
	}
	return out
}

func tags(in []wTag) []engine.KV {
	out := make([]engine.KV, 0, len(in))
	for _, v := range in {
		out = append(out, engine.KV{Name: v.Key, Value: v.Value})
	}
	return out
}

func notifications(in []wNotification) []engine.Notification {
	out := make([]engine.Notification, 0, len(in))
	for _, n := range in {
		en := engine.Notification{Topic: n.TopicName}
		for _, e := range n.EventConfigs {
			en.Events = append(en.Events, engine.EventConfig{Name: e.EventName, Vars: kvs(e.EventVars)})
		}
		out = append(out, en)
	}
	return out
}

func mappings(in []wMapping) []engine.Mapping {
	out := make([]engine.Mapping, 0, len(in))
	for _, m := range in {
		out = append(out, engine.Mapping{Source: m.SourcePath, Destination: m.DestinationPath})
	}
	return out
}

// taskName is a task's name, defaulting (the API leaves TaskName optional) to
// a stable name by position so that Describe* can address it.
func taskName(t *wTask, i int) string {
	if t.TaskName != "" {
		return t.TaskName
	}
	return "Task" + itoa(i)
}

func (t *wTask) command() string {
	if t.Application.Command != "" || len(t.Application.Commands) == 0 {
		return t.Application.Command
	}
	cmds := make([]string, 0, len(t.Application.Commands))
	for _, c := range t.Application.Commands {
		cmds = append(cmds, c.Command)
	}
	return strings.Join(cmds, "\n")
}

// Emulator bounds for values the docs leave unbounded, so that an absurd
// request is answered instead of exhausting the host: a task of more
// instances than maxInstancesPerTask is refused with
// InvalidParameterValue.TaskInstanceNum; counts and timeouts beyond these are
// clamped (they mean "practically unlimited" either way).
const (
	maxInstancesPerTask = 10000
	maxInstancesPerJob  = 50000
	maxCount            = 1 << 31
	maxTimeoutSeconds   = 100 * 365 * 86400
)

// taskSpec maps one wire task onto the engine's task.
func taskSpec(t *wTask, i int, priority int) engine.TaskSpec {
	n := 1
	if t.TaskInstanceNum != nil {
		n = int(min(*t.TaskInstanceNum, maxInstancesPerTask+1))
	}
	ts := engine.TaskSpec{
		Name:          taskName(t, i),
		InstanceNum:   n,
		EnvID:         t.EnvId,
		Command:       t.command(),
		DeliveryForm:  t.Application.DeliveryForm,
		PackagePath:   t.Application.PackagePath,
		Inputs:        mappings(t.InputMappings),
		Outputs:       mappings(t.OutputMappings),
		EnvVars:       kvs(t.EnvVars),
		FailedAction:  t.FailedAction,
		MaxRetry:      int(min(t.MaxRetryCount, maxCount)),
		Timeout:       time.Duration(min(t.Timeout, maxTimeoutSeconds)) * time.Second,
		MaxConcurrent: int(min(t.MaxConcurrentNum, maxCount)),
		Priority:      priority,
		// Ignored by the engine unless the task has an anonymous env.
		ResourceMaxRetry: int(min(t.ResourceMaxRetryCount, maxCount)),
	}
	if r := t.RedirectInfo; r != nil {
		ts.StdoutRedirect, ts.StderrRedirect = r.StdoutRedirectPath, r.StderrRedirectPath
		ts.StdoutFileName, ts.StderrFileName = r.StdoutRedirectFileName, r.StderrRedirectFileName
	}
	if t.EnvId == "" {
		d := &t.ComputeEnv.EnvData
		ts.ImageID = d.ImageId
		ts.InstanceType = firstInstanceType(d)
	}
	return ts
}

// firstInstanceType is the instance type an anonymous environment uses: the
// explicit one, the first of the ordered list, or one matching the options.
func firstInstanceType(d *wEnvData) string {
	switch {
	case d.InstanceType != "":
		return d.InstanceType
	case len(d.InstanceTypes) > 0:
		return d.InstanceTypes[0]
	case d.InstanceTypeOptions != nil:
		return typeFor(d.InstanceTypeOptions.CPU, d.InstanceTypeOptions.Memory, d.InstanceTypeOptions.InstanceCategories)
	}
	return ""
}

// ---- request echoes ----

// rawParams returns the request's parameters as a fresh generic JSON tree
// (numbers as json.Number), so an echo never aliases the request.
func rawParams(body []byte) map[string]any {
	m := map[string]any{}
	if len(body) == 0 {
		return m
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	_ = d.Decode(&m)
	return m
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// listOf normalises a value that may be one object or a list to a list.
func listOf(v any) []any {
	switch x := v.(type) {
	case nil:
		return []any{}
	case []any:
		return x
	case map[string]any:
		return []any{x}
	}
	return []any{}
}

// fill completes an echoed object with the catalog's output schema: every
// output_required member that the request left out gets its type's zero value
// (so the echo carries every documented field), and a null in a member that is
// not nullable becomes that zero value. It recurses into objects and lists of
// objects; depth bounds it against recursive definitions.
func fill(cat *fixtures.Catalog, obj map[string]any, objName string, depth int) {
	o, ok := cat.Object(objName)
	if !ok || o == nil || depth > 12 {
		return
	}
	for i := range o.Members {
		m := &o.Members[i]
		if m.Name == "RequestId" {
			continue
		}
		v, present := obj[m.Name]
		if (!present && m.OutputRequired) || (present && v == nil && !m.Nullable) {
			v = zeroOf(m)
			obj[m.Name] = v
		}
		switch normWire(m.Type) {
		case "object":
			if sub, ok := v.(map[string]any); ok && m.Ref != "" {
				fill(cat, sub, m.Ref, depth+1)
			}
		case "list":
			if m.Ref == "" {
				continue
			}
			for _, e := range asList(v) {
				if sub, ok := e.(map[string]any); ok {
					fill(cat, sub, m.Ref, depth+1)
				}
			}
		}
	}
}

func normWire(t string) string {
	switch t {
	case "int", "integer", "int64", "uint64", "float", "double":
		return "number"
	}
	return t
}

func zeroOf(m *fixtures.Member) any {
	switch m.Type {
	case "int", "integer", "int64", "uint64", "float", "double":
		return json.Number("0")
	case "bool":
		return false
	case "list":
		return []any{}
	case "object":
		return map[string]any{}
	case "datetime":
		return ts(time.Unix(0, 0))
	}
	if len(m.Enum) > 0 {
		// An enumerated member must hold a documented value; the first one
		// listed is the documented default where the docs give one (e.g.
		// a data disk's DiskType LOCAL_BASIC).
		return m.Enum[0]
	}
	return ""
}

// prune drops the top-level members the output object does not document
// (e.g. a NamedComputeEnv's ActionIfComputeNodeInactive in a create-info
// echo). With no such object in the catalog it keeps everything.
func prune(cat *fixtures.Catalog, obj map[string]any, objName string) {
	o, ok := cat.Object(objName)
	if !ok || o == nil || len(o.Members) == 0 {
		return
	}
	for k := range obj {
		if o.Member(k) == nil {
			delete(obj, k)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
