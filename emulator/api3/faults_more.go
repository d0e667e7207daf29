package api3

// Hooks of the protocol and error-code faults of
// emulator/faults/tencentbatch_more.go. They are resolved once in NewHandler
// into plain fields, so a request pays nothing for a fault that is off.

import (
	"sync"

	"github.com/batchconform/batchconform/emulator/faults"
)

// recodeFault: one action answers a documented error code with another one
// (its generic parent or a sibling).
type recodeFault struct{ action, from, to string }

// recodeFaults are the error-code faults, by fault name.
var recodeFaults = map[string]recodeFault{
	faults.RecodeJobSubmitInfoNotFound:  {"DescribeJobSubmitInfo", "ResourceNotFound.Job", "ResourceNotFound"},
	faults.RecodeDescribeTaskNotFound:   {"DescribeTask", "ResourceNotFound.Task", "ResourceNotFound.TaskInstance"},
	faults.RecodeDeleteEnvForbid:        {"DeleteComputeEnv", "UnsupportedOperation.ComputeNodeForbidTerminate", "UnsupportedOperation"},
	faults.RecodeDeleteJobInUse:         {"DeleteJob", "ResourceInUse.Job", "ResourceInUse"},
	faults.RecodeModifyEnvNotEnough:     {"ModifyComputeEnv", "UnsupportedOperation.NotEnoughComputeNodesToTerminate", "UnsupportedOperation.ComputeNodeForbidTerminate"},
	faults.RecodeJobQuota:               {"SubmitJob", "LimitExceeded.JobQuota", "LimitExceeded"},
	faults.RecodeTaskLogsInstance:       {"DescribeTaskLogs", "ResourceNotFound.TaskInstance", "ResourceNotFound.Task"},
	faults.RecodeRetryJobsUnsupported:   {"RetryJobs", "UnsupportedOperation", "FailedOperation"},
	faults.RecodeDeleteTemplatesMissing: {"DeleteTaskTemplates", "ResourceNotFound.TaskTemplate", "ResourceNotFound"},
	faults.RecodeAttachNotAllowed:       {"AttachInstances", "UnsupportedOperation.InstancesNotAllowToAttach", "UnsupportedOperation"},
}

// moreFaults holds the resolved switches.
type moreFaults struct {
	v1SHA1GetUnverified bool // v1 HmacSHA1 GET requests: signature not verified
	scopeService        bool // TC3 scope service not compared with the Host's product
	scopeDate           bool // TC3 scope date not compared with X-TC-Timestamp
	reuseRequestID      bool // an error answer repeats the previous answer's RequestId
	secretIDCasing      bool // AuthFailure.SecretIdNotFound spelt AuthFailure.SecretIDNotFound
	errorData           bool // error envelopes carry "Data":null beside Error
	tokenIgnored        bool // X-TC-Token / Token of a permanent key accepted
	regionIgnored       bool // undocumented Region accepted
	getSizeIgnored      bool // GET query over 32 KB accepted
	strictBool          bool // flattened booleans only in lower case
	v1ExpireAsFailure   bool // an expired v1 request answers SignatureFailure
	emptyActionMessage  bool // InvalidAction answered with an empty Message
	recode              map[string]map[string]string
	// any: at least one of the faults above is on; dialect: the product
	// they apply to (every fault here is a Tencent Batch fault, so Oceanus,
	// which shares this layer, is untouched).
	any     bool
	dialect string

	mu      sync.Mutex
	lastRID string
}

func newMoreFaults(s *faults.Set) *moreFaults {
	m := &moreFaults{
		v1SHA1GetUnverified: s.On(faults.V1SHA1GetUnsigned),
		scopeService:        s.On(faults.ScopeServiceIgnored),
		scopeDate:           s.On(faults.ScopeDateIgnored),
		reuseRequestID:      s.On(faults.RequestIDReused),
		secretIDCasing:      s.On(faults.ErrorCodeCasing),
		errorData:           s.On(faults.ErrorWithData),
		tokenIgnored:        s.On(faults.TokenIgnored),
		regionIgnored:       s.On(faults.RegionNotChecked),
		getSizeIgnored:      s.On(faults.GetSizeNotEnforced),
		strictBool:          s.On(faults.FlatBoolCaseStrict),
		v1ExpireAsFailure:   s.On(faults.V1ExpireAsFailure),
		emptyActionMessage:  s.On(faults.EmptyActionMessage),
	}
	m.dialect = "tencent-batch"
	m.any = m.v1SHA1GetUnverified || m.scopeService || m.scopeDate || m.reuseRequestID || m.secretIDCasing ||
		m.errorData || m.tokenIgnored || m.regionIgnored || m.getSizeIgnored || m.strictBool ||
		m.v1ExpireAsFailure || m.emptyActionMessage
	for name, r := range recodeFaults {
		if s.On(name) {
			m.any = true
			if m.recode == nil {
				m.recode = map[string]map[string]string{}
			}
			if m.recode[r.action] == nil {
				m.recode[r.action] = map[string]string{}
			}
			m.recode[r.action][r.from] = r.to
		}
	}
	return m
}

// answerError rewrites an error as the faults that are on would, and returns
// the RequestId to answer with.
func (m *moreFaults) answerError(c *call, e *Error) (*Error, string) {
	if to, ok := m.recode[c.req.Action][e.Code]; ok {
		e = &Error{Code: to, Message: e.Message}
	}
	switch {
	case m.secretIDCasing && e.Code == "AuthFailure.SecretIdNotFound":
		e = &Error{Code: "AuthFailure.SecretIDNotFound", Message: e.Message}
	case m.v1ExpireAsFailure && !c.tc3 && e.Code == "AuthFailure.SignatureExpire":
		e = &Error{Code: "AuthFailure.SignatureFailure", Message: msgSigFailure}
	case m.emptyActionMessage && e.Code == "InvalidAction":
		e = &Error{Code: e.Code}
	}
	rid := c.requestID
	if m.reuseRequestID {
		m.mu.Lock()
		if m.lastRID != "" {
			rid = m.lastRID
		}
		m.mu.Unlock()
	}
	return e, rid
}

// answered records a success's RequestId (for the reuse fault).
func (m *moreFaults) answered(rid string) {
	if m.reuseRequestID {
		m.mu.Lock()
		m.lastRID = rid
		m.mu.Unlock()
	}
}

// faultTarget reports whether a request is for the product the faults apply
// to. Before routing the product is found by the request's version, as the
// router will find it.
func (h *handler) faultTarget(c *call) bool {
	if !h.more.any {
		return false
	}
	p := c.product
	if p == nil {
		v := header(c.r.Header, "X-Tc-Version")
		if v == "" && c.vals != nil {
			v = c.vals.Get("Version")
		}
		if v == "" {
			v = c.r.URL.Query().Get("Version")
		}
		p = h.byVersion[v]
	}
	return p != nil && p.cat.Dialect == h.more.dialect
}
