package tencentbatch

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// The page DescribeJobs writes itself is what json.Marshal writes.
func TestJobsPageAppendsWhatJSONMarshals(t *testing.T) {
	end := "2026-12-04T10:00:00Z"
	odd := "<a&b> \"q\" \\ \n\t \u2028 \xff é"
	full := jobView{JobId: "job-abc", JobName: odd, JobState: "RUNNING", Priority: math.MinInt64,
		Placement: placementView{Zone: "ap-guangzhou-2", ProjectId: math.MaxInt64}, CreateTime: end, EndTime: &end,
		TaskMetrics: metricsView{1, 2, 3, 4, 5, 6, 7, 8}, Tags: []tagView{{Key: odd, Value: ""}, {Key: "k", Value: "v"}}}
	for _, p := range []jobsPage{
		{},
		{JobSet: []jobView{}, TotalCount: 0},
		{JobSet: []jobView{{}}, TotalCount: -1},
		{JobSet: []jobView{{Tags: []tagView{}}}, TotalCount: 1},
		{JobSet: []jobView{full, {JobId: "job-2", EndTime: &odd}}, TotalCount: 99},
	} {
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("AppendJSON\n got %s\nwant %s", got, want)
		}
	}
}

func TestJobIDResultAppendsWhatJSONMarshals(t *testing.T) {
	for _, id := range []string{"", "job-abc12345", "<&>\"\xff"} {
		r := jobIDResult{id}
		want, _ := json.Marshal(r)
		if got := r.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("AppendJSON = %s, json.Marshal %s", got, want)
		}
	}
}
