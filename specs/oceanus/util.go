package oceanus

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/specs/harness"
)

func fmtErr(format string, args ...any) error { return errors.New(fmt.Sprintf(format, args...)) }

// str reads a string member of a Response.
func str(env *harness.Envelope, key string) string {
	var s string
	_ = json.Unmarshal(env.Response[key], &s)
	return s
}

// deleteJob stops (if needed) and deletes a job, polling until the endpoint
// lets it go; a job already gone is fine. Against the run's embedded
// emulator it runs in the background (harness.Cleanup), so it asserts
// nothing itself.
func deleteJob(t *harness.Target, jobID string) {
	if jobID == "" {
		return
	}
	harness.Cleanup(t, "delete job "+jobID, time.Minute, t.PollInterval()*5, func() (bool, string, error) {
		// A target whose jobs never leave their status (states-move
		// tripped) refuses the delete (ResourceInUse) for the whole
		// minute: the wait ends with the breaker's message instead.
		if err := t.Stalled(); err != nil {
			return false, "", err
		}
		env, err := rawQuiet(t, "DeleteJobs", map[string]any{"JobIds": []string{jobID}})
		if err != nil {
			return false, "", err
		}
		c := env.Code()
		switch {
		case c == "" || strings.HasPrefix(c, "ResourceNotFound"):
			return true, "", nil
		case c == "ResourceUnavailable.NotAllowedToBeDeleted":
			if s, err := jobStatusQuiet(t, jobID); err != nil {
				return false, c, err
			} else if s == "4" {
				if _, err := rawQuiet(t, "StopJobs", map[string]any{"StopJobDescriptions": []any{map[string]any{"JobId": jobID, "StopType": 1}}}); err != nil {
					return false, c, err
				}
			}
		}
		return false, c, nil
	})
}

// jobStatusQuiet is jobStatus without assertions (for cleanup steps).
func jobStatusQuiet(t *harness.Target, jobID string) (string, error) {
	env, err := rawQuiet(t, "DescribeJobs", map[string]any{"JobIds": []string{jobID}})
	if err != nil {
		return "", err
	}
	if c := env.Code(); c != "" {
		return "", fmt.Errorf("DescribeJobs %s: %s", jobID, env.Body)
	}
	var set []map[string]any
	_ = json.Unmarshal(env.Response["JobSet"], &set)
	if len(set) != 1 {
		return "", fmt.Errorf("DescribeJobs by one JobId returns that job: %s", env.Body)
	}
	s := fmt.Sprint(set[0]["Status"])
	t.ObserveState("job "+jobID, s)
	return s, nil
}

// jobStatus returns a job's Status (as the catalog's state name) through
// DescribeJobs by ID.
func jobStatus(t *harness.Target, jobID string) (string, map[string]any) {
	GinkgoHelper()
	env := raw(t, "DescribeJobs", map[string]any{"JobIds": []string{jobID}})
	Expect(env.Code()).To(BeEmpty(), "DescribeJobs %s: %s", jobID, env.Body)
	var set []map[string]any
	_ = json.Unmarshal(env.Response["JobSet"], &set)
	Expect(set).To(HaveLen(1), "DescribeJobs by one JobId returns that job: %s", env.Body)
	s := fmt.Sprint(set[0]["Status"])
	// Every status read feeds the states-move breaker (harness/breaker.go),
	// and once it tripped every wait on a status ends here with its one
	// message instead of waiting out its own timeout.
	t.ObserveState("job "+jobID, s)
	t.RequireMoving()
	return s, set[0]
}

// defaultWorkSpace returns the SerialId of the tenant's first workspace
// ("" if it has none).
func defaultWorkSpace(t *harness.Target) string {
	GinkgoHelper()
	env := raw(t, "DescribeWorkSpaces", map[string]any{})
	var set []map[string]any
	_ = json.Unmarshal(env.Response["WorkSpaceSetItem"], &set)
	if len(set) == 0 {
		return ""
	}
	s, _ := set[0]["SerialId"].(string)
	return s
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func sortStrings(xs []string) { sort.Strings(xs) }

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// runName is base under the run's prefix, in the character set every
// Oceanus name takes (letters, digits, underscores): whatever a spec creates
// is named so, and a sweep finds it by the prefix.
func runName(t *harness.Target, base string) string {
	return strings.ReplaceAll(t.Name(base, 40), "-", "_")
}

// nameKeys are the members that name what a create action makes.
var nameKeys = []string{"Name", "FolderName", "WorkSpaceName", "DatabaseName", "ClusterName"}

// uniqueNames gives the names of a create request run-unique values (names
// must not collide with what other specs of the run made).
func uniqueNames(t *harness.Target, action string, req map[string]any, tag string) {
	if !strings.HasPrefix(action, "Create") {
		return
	}
	n := runName(t, tag)
	for _, k := range nameKeys {
		if _, has := req[k]; has {
			req[k] = n
		}
	}
}

// stageCOS puts the object a ResourceLoc names into the emulator's object
// store (a doc example's jar), so the resource exists on "COS".
func stageCOS(t *harness.Target, req map[string]any) {
	GinkgoHelper()
	loc, _ := req["ResourceLoc"].(map[string]any)
	p, _ := loc["Param"].(map[string]any)
	bucket, _ := p["Bucket"].(string)
	path, _ := p["Path"].(string)
	if !t.Emulator || bucket == "" || path == "" {
		return
	}
	Expect(t.PutObject("cos://"+bucket+"/"+strings.TrimPrefix(path, "/"), []byte("PK\x03\x04 batchconform"))).To(Succeed())
}
