package tencentbatch

// Hooks of the faults in emulator/faults/tencentbatch_more.go that live in the
// façade. Each is a predicate asked at the one place its behaviour lives, so a
// fault that is off costs a map lookup and changes nothing.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/fixtures"
)

// filterNameIgnored: DescribeJobs ignores a filter name it does not support
// instead of refusing it (faults.UnknownFilterIgnored).
func (s *Service) filterNameIgnored(action string) bool {
	return action == "DescribeJobs" && s.faults.On(faults.UnknownFilterIgnored)
}

// envNameFilterIgnored: DescribeComputeEnvs' env-name filter matches every
// environment (faults.EnvNameFilterIgnored).
func (s *Service) envNameFilterIgnored(action string) bool {
	return action == "DescribeComputeEnvs" && s.faults.On(faults.EnvNameFilterIgnored)
}

// logText encodes a task log for DescribeTaskLogs: Base64 of at most
// maxLogBytes (encodeLog), or the faults' plain text / untruncated log.
func (s *Service) logText(b []byte) string {
	switch {
	case len(b) == 0:
		return ""
	case s.faults.On(faults.LogsNotBase64):
		if len(b) > maxLogBytes {
			b = b[len(b)-maxLogBytes:]
		}
		return string(b)
	case s.faults.On(faults.LogsNotTruncated):
		return logPrefix + base64.StdEncoding.EncodeToString(b)
	}
	return encodeLog(b)
}

// jobsTotal is DescribeJobs' TotalCount: the matching jobs, or with
// faults.TotalCountUnfiltered every job of the tenant when Filters are given.
func (s *Service) jobsTotal(matching, all int, filtered bool) int64 {
	if filtered && s.faults.On(faults.TotalCountUnfiltered) {
		return int64(all)
	}
	return int64(matching)
}

// pageFaults bends one action's window: DescribeComputeEnvs ignores an Offset
// past the first page (faults.OffsetPastFirstPage); DescribeTaskTemplates
// returns one item more than Limit (faults.LimitOffByOne).
func (s *Service) pageFaults(action string, off, lim int64) (int64, int64) {
	switch {
	case action == "DescribeComputeEnvs" && off >= lim && s.faults.On(faults.OffsetPastFirstPage):
		off = 0
	case action == "DescribeTaskTemplates" && s.faults.On(faults.LimitOffByOne):
		lim++
	}
	return off, lim
}

// reshape rewrites one action's successful response as a fault that is on
// would: DescribeComputeEnv without AttachedComputeNodeCount
// (faults.EnvFieldMissing); DescribeTask with its times in China Standard
// Time as "2006-01-02 15:04:05" (faults.TaskTimesLocalZone). Responses of
// other actions, or with no such fault on, are returned as they are.
func (s *Service) reshape(action string, resp any) any {
	drop := action == "DescribeComputeEnv" && s.faults.On(faults.EnvFieldMissing)
	local := action == "DescribeTask" && s.faults.On(faults.TaskTimesLocalZone)
	if !drop && !local {
		return resp
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return resp
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber() // int64 values keep their precision
	if err := d.Decode(&m); err != nil {
		return resp
	}
	if drop {
		delete(m, "AttachedComputeNodeCount")
	}
	if local {
		localTimes(m)
	}
	out, err := json.Marshal(m)
	if err != nil {
		return resp
	}
	return json.RawMessage(out)
}

var cst = time.FixedZone("CST", 8*3600)

// localTimes rewrites every documented-format time string under v.
func localTimes(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if str, ok := e.(string); ok {
				if t, err := time.Parse(fixtures.TimeLayout, str); err == nil {
					x[k] = t.In(cst).Format("2006-01-02 15:04:05")
				}
				continue
			}
			localTimes(e)
		}
	case []any:
		for _, e := range x {
			localTimes(e)
		}
	}
}
