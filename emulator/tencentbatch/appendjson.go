package tencentbatch

import "github.com/batchconform/batchconform/emulator/api3"

// DescribeJobs' page written without reflection (api3.JSONAppender): byte
// for byte what json.Marshal writes for the same values
// (TestJobsPageAppendsWhatJSONMarshals).

// jobsPage is DescribeJobs' response.
type jobsPage struct {
	JobSet     []jobView `json:"JobSet"`
	TotalCount int64     `json:"TotalCount"`
}

func (p jobsPage) AppendJSON(b []byte) []byte {
	b = append(b, `{"JobSet":`...)
	if p.JobSet == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range p.JobSet {
			if i > 0 {
				b = append(b, ',')
			}
			b = p.JobSet[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	b = append(b, `,"TotalCount":`...)
	b = api3.AppendJSONInt(b, p.TotalCount)
	return append(b, '}')
}

func (v *jobView) appendJSON(b []byte) []byte {
	b = append(b, `{"JobId":`...)
	b = api3.AppendJSONString(b, v.JobId)
	b = append(b, `,"JobName":`...)
	b = api3.AppendJSONString(b, v.JobName)
	b = append(b, `,"JobState":`...)
	b = api3.AppendJSONString(b, v.JobState)
	b = append(b, `,"Priority":`...)
	b = api3.AppendJSONInt(b, v.Priority)
	b = append(b, `,"Placement":{"Zone":`...)
	b = api3.AppendJSONString(b, v.Placement.Zone)
	b = append(b, `,"ProjectId":`...)
	b = api3.AppendJSONInt(b, v.Placement.ProjectId)
	b = append(b, `},"CreateTime":`...)
	b = api3.AppendJSONString(b, v.CreateTime)
	b = append(b, `,"EndTime":`...)
	b = api3.AppendJSONStringPtr(b, v.EndTime)
	m := &v.TaskMetrics
	for _, f := range [...]struct {
		key string
		n   int64
	}{
		{`,"TaskMetrics":{"SubmittedCount":`, m.SubmittedCount},
		{`,"PendingCount":`, m.PendingCount},
		{`,"RunnableCount":`, m.RunnableCount},
		{`,"StartingCount":`, m.StartingCount},
		{`,"RunningCount":`, m.RunningCount},
		{`,"SucceedCount":`, m.SucceedCount},
		{`,"FailedInterruptedCount":`, m.FailedInterruptedCount},
		{`,"FailedCount":`, m.FailedCount},
	} {
		b = append(b, f.key...)
		b = api3.AppendJSONInt(b, f.n)
	}
	b = append(b, `},"Tags":`...)
	if v.Tags == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, t := range v.Tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"Key":`...)
			b = api3.AppendJSONString(b, t.Key)
			b = append(b, `,"Value":`...)
			b = api3.AppendJSONString(b, t.Value)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// jobIDResult is SubmitJob's response.
type jobIDResult struct {
	JobId string `json:"JobId"`
}

func (r jobIDResult) AppendJSON(b []byte) []byte {
	b = append(b, `{"JobId":`...)
	b = api3.AppendJSONString(b, r.JobId)
	return append(b, '}')
}
