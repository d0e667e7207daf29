package oceanus

// The job status machine (reference §B.3), observed: one job walked through
// every documented transition — 1 -(config)-> 2 -(run)-> 3 -> 4 -(pause)->
// 3 -> 6 -(resume)-> 3 -> 4 -(stop)-> 3 -> 5 -(run)-> 3 -> 4, a run of a
// failing config (the emulator's convention, ProgramArgs containing
// "batchconform:fail") 4 -> -1 -(run)-> 3 -> 4, and a paused job stopped
// (6 -> 3 -> 5) — polling DescribeJobs at the target's interval. Every
// observed move must be a documented transition (no undocumented or
// backward move); against the emulator, which holds every status for at
// least five polls, no status may be skipped either. The state refusals of
// RunJobs, StopJobs and DeleteJobs are asserted in the statuses they name.

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

var jobMachine, _ = cat.Machine("job")

func stateID(s string) string        { return id("job", fixtures.KindState, s) }
func transID(from, to string) string { return id("job", fixtures.KindTransition, from+"->"+to) }
func errID(action, code string) string {
	return id(action, fixtures.KindError, code)
}

// observe polls the job until its status is want (and stays off 3),
// asserting that every move seen is documented; it returns the path seen,
// starting with from.
func observe(t *harness.Target, job, from, want string) []string {
	GinkgoHelper()
	path := []string{from}
	// The emulator holds every status seconds (a failing run fails within
	// seconds of reaching 4): a job that has not reached want in 30 s never
	// will, and waiting longer only slowed the mutation gate (a run that
	// never fails cost oceanus-never-fails 2 minutes). A live service gets 2.
	timeout := 2 * time.Minute
	if t.Emulator {
		timeout = 30 * time.Second
	}
	lastLook := time.Now()
	Eventually(func() string {
		s, _ := jobStatus(t, job)
		gap := time.Since(lastLook)
		lastLook = time.Now()
		if s != path[len(path)-1] {
			prev := path[len(path)-1]
			if via := missedPassage(t, prev, s, gap); via != nil {
				// Statuses held for a while passed between two looks far
				// apart (a stalled poll on a loaded machine): not a
				// violation, and the path is the documented one.
				harness.Evidence(map[string]any{"missed_by_a_slow_poll": fmt.Sprintf("job %s: %s seen %v after %s; documented passage %v", job, s, gap.Round(time.Millisecond), prev, via)})
				path = append(path, via[1:]...)
			} else {
				path = append(path, s)
				Expect(jobMachine.HasTransition(prev, s)).To(BeTrue(), "job %s moved %s -> %s: not a documented transition (path %v, %v since the look before)", job, prev, s, path, gap.Round(time.Millisecond))
				harness.Check(transID(prev, s))
			}
		}
		// Only 3 (in progress) moves on its own, and 4 when a failure is
		// awaited: a job settled elsewhere will not reach want without a
		// client's call, so it is judged now, not after the timeout.
		if s != want && s != from && s != "3" && !(s == "4" && want == "-1") {
			StopTrying(fmt.Sprintf("job %s settled in %s, not %s (path %v)", job, s, want, path)).Now()
		}
		return s
	}).WithTimeout(timeout).WithPolling(t.PollInterval()).Should(Equal(want), "job %s reaches %s (path %v)", job, want, path)
	return path
}

// slowLookPerStatus: a look at least this long after the one before may
// have missed a status held in between. The embedded emulator holds each
// transitional status 200 ms and polls every 20 ms (its default hold is
// 1 s), so a move that skips k statuses between two looks less than k
// times this apart skipped them; a slower look may have missed them. (A
// fault that skips a status every time survives only if every look at it
// stalls this long: oceanus-skip-in-progress is killed in each mode.)
const slowLookPerStatus = 150 * time.Millisecond

// missedPassage returns the documented path prev -> … -> s when a move
// prev -> s that is not documented can be statuses missed between two
// looks gap apart, nil when it is a violation. A live service's holds are
// unknown: any documented passage may have been missed there.
func missedPassage(t *harness.Target, prev, s string, gap time.Duration) []string {
	if jobMachine.HasTransition(prev, s) {
		return nil
	}
	via := jobMachine.Path(prev, s)
	if via == nil {
		return nil
	}
	if skipped := len(via) - 2; t.Emulator && gap < time.Duration(skipped)*slowLookPerStatus {
		return nil
	}
	return via
}

// expectPath asserts the observed path is exactly the documented one
// (emulator: no status skipped).
func expectPath(t *harness.Target, got []string, want ...string) {
	GinkgoHelper()
	for _, s := range got {
		harness.Check(stateID(s))
	}
	if t.Emulator {
		Expect(got).To(Equal(want), "every status is held for five polls: none may be skipped")
	}
}

func runJob(t *harness.Target, job string, runType int, version int64) *harness.Envelope {
	d := map[string]any{"JobId": job, "RunType": runType}
	if version > 0 {
		d["JobConfigVersion"] = version
	}
	return send(t, "RunJobs", map[string]any{"RunJobDescriptions": []any{d}})
}

func stopJob(t *harness.Target, job string, stopType int) *harness.Envelope {
	return send(t, "StopJobs", map[string]any{"StopJobDescriptions": []any{map[string]any{"JobId": job, "StopType": stopType}}})
}

func expectCode(env *harness.Envelope, item, code, why string) {
	GinkgoHelper()
	harness.Check(item)
	Expect(env.Code()).To(Equal(code), "%s\n  response: %s", why, env.Body)
}

var _ = Describe("Oceanus job status machine", Ordered, ContinueOnFailure, func() {
	var (
		t   *harness.Target
		job string
		ver int64
	)
	BeforeAll(func() {
		t = harness.T(Dialect)
		env := send(t, "CreateJob", map[string]any{"Name": t.Name("sm-job", 49), "JobType": 1, "ClusterType": 1})
		Expect(env.Code()).To(BeEmpty(), "CreateJob: %s", env.Body)
		job = str(env, "JobId")
		DeferCleanup(deleteJob, t, job)
	})
	// reach brings the job to status want (2, 4 or 6) unless it is there:
	// each spec starts where the previous one leaves the job, but a
	// selection (--items, --label-filter, a mutation child) may run a spec
	// without the ones before it. In a whole run it does nothing.
	var reach func(want string)
	reach = func(want string) {
		GinkgoHelper()
		if ver == 0 {
			ver = harness.Int(ok(t, "CreateJobConfig", map[string]any{"JobId": job, "DefaultParallelism": 1}), "Version")
			observe(t, job, "1", "2")
		}
		s, _ := jobStatus(t, job)
		if s == want {
			return
		}
		switch want {
		case "4":
			env := runJob(t, job, 1, ver)
			if s == "6" {
				env = runJob(t, job, 2, 0)
			}
			Expect(env.Code()).To(BeEmpty(), "setup: run the job from status %s: %s", s, env.Body)
			observe(t, job, s, "4")
		case "6":
			reach("4")
			Expect(stopJob(t, job, 2).Code()).To(BeEmpty(), "setup: pause the job")
			observe(t, job, "4", "6")
		}
	}

	harness.It("a new job is 1; its first config makes it 2; a job that never ran cannot be stopped",
		harness.Items(stateID("1"), stateID("2"), transID("1", "2"), errID("StopJobs", "ResourceUnavailable.NoRunningJobInstancesFoundForJobId"),
			errID("RunJobs", "ResourceNotFound.JobConfig")), func() {
			s, _ := jobStatus(t, job)
			harness.Check(stateID("1"))
			Expect(s).To(Equal("1"), "CreateJob makes an uninitialized job")
			expectCode(runJob(t, job, 1, 0), errID("RunJobs", "ResourceNotFound.JobConfig"), "ResourceNotFound.JobConfig",
				"a job without any config cannot run")
			cfg := ok(t, "CreateJobConfig", map[string]any{"JobId": job, "DefaultParallelism": 1})
			ver = harness.Int(cfg, "Version")
			expectPath(t, observe(t, job, "1", "2"), "1", "2")
			expectCode(stopJob(t, job, 1), errID("StopJobs", "ResourceUnavailable.NoRunningJobInstancesFoundForJobId"),
				"ResourceUnavailable.NoRunningJobInstancesFoundForJobId", "a job that never ran has no instance to stop")
		})

	harness.It("RunJobs starts it: 2 -> 3 -> 4; a running job cannot be run again or deleted",
		harness.Items(transID("2", "3"), transID("3", "4"), stateID("3"), stateID("4"),
			errID("RunJobs", "ResourceInUse.InstanceInProcess"), errID("DeleteJobs", "ResourceUnavailable.NotAllowedToBeDeleted"),
			id("RunJobs", fixtures.KindProtocol, "publishes-config")), func() {
			reach("2")
			env := runJob(t, job, 1, 0)
			Expect(env.Code()).To(BeEmpty(), "RunJobs of an unpublished job: %s", env.Body)
			expectPath(t, observe(t, job, "2", "4"), "2", "3", "4")
			_, j := jobStatus(t, job)
			harness.Check(id("RunJobs", fixtures.KindProtocol, "publishes-config"))
			Expect(fmt.Sprint(j["PublishedJobConfigVersion"])).To(Equal(fmt.Sprint(ver)), "running publishes the latest config")
			expectCode(runJob(t, job, 1, 0), errID("RunJobs", "ResourceInUse.InstanceInProcess"), "ResourceInUse.InstanceInProcess",
				"a running job cannot be started again")
			expectCode(send(t, "DeleteJobs", map[string]any{"JobIds": []string{job}}), errID("DeleteJobs", "ResourceUnavailable.NotAllowedToBeDeleted"),
				"ResourceUnavailable.NotAllowedToBeDeleted", "a running job cannot be deleted")
		})

	harness.It("StopJobs StopType 2 pauses it: 4 -> 3 -> 6; a paused job cannot be paused again",
		harness.Items(transID("4", "3"), transID("3", "6"), stateID("6"), errID("StopJobs", "ResourceUnavailable.NotAllowedToBeStopOrPause")), func() {
			reach("4")
			Expect(stopJob(t, job, 2).Code()).To(BeEmpty(), "pause a running job")
			harness.Check(transID("3", "6"))
			harness.Check(stateID("6"))
			expectPath(t, observe(t, job, "4", "6"), "4", "3", "6")
			expectCode(stopJob(t, job, 2), errID("StopJobs", "ResourceUnavailable.NotAllowedToBeStopOrPause"),
				"ResourceUnavailable.NotAllowedToBeStopOrPause", "a paused job cannot be paused")
		})

	harness.It("RunJobs RunType 2 resumes it: 6 -> 3 -> 4", harness.Items(transID("6", "3")), func() {
		reach("6")
		Expect(runJob(t, job, 2, 0).Code()).To(BeEmpty(), "resume a paused job")
		expectPath(t, observe(t, job, "6", "4"), "6", "3", "4")
	})

	harness.It("StopJobs StopType 1 stops it: 4 -> 3 -> 5; then it runs again: 5 -> 3 -> 4",
		harness.Items(transID("3", "5"), stateID("5"), transID("5", "3")), func() {
			reach("4")
			Expect(stopJob(t, job, 1).Code()).To(BeEmpty(), "stop a running job")
			// Judged from here: a stop that never reaches 5 times out in
			// observe, a failure of 3 -> 5, not of the moves before it.
			harness.Check(transID("3", "5"))
			harness.Check(stateID("5"))
			expectPath(t, observe(t, job, "4", "5"), "4", "3", "5")
			Expect(runJob(t, job, 1, 0).Code()).To(BeEmpty(), "start a stopped job")
			expectPath(t, observe(t, job, "5", "4"), "5", "3", "4")
		})

	harness.It("a run of a failing config fails: 4 -> -1; a failed job runs again: -1 -> 3 -> 4",
		harness.Items(transID("4", "-1"), stateID("-1"), transID("-1", "3")), func() {
			reach("4")
			Expect(stopJob(t, job, 1).Code()).To(BeEmpty(), "stop before switching configs")
			observe(t, job, "4", "5")
			cfg := ok(t, "CreateJobConfig", map[string]any{"JobId": job, "ProgramArgs": `{"Marker":"batchconform:fail"}`, "DefaultParallelism": 1})
			failing := harness.Int(cfg, "Version")
			Expect(runJob(t, job, 1, failing).Code()).To(BeEmpty(), "run the failing config")
			// Judged from here: a run that never fails times out in observe,
			// and that is a failure of 4 -> -1, not of the moves before it.
			harness.Check(transID("4", "-1"))
			harness.Check(stateID("-1"))
			expectPath(t, observe(t, job, "5", "-1"), "5", "3", "4", "-1")
			Expect(runJob(t, job, 1, ver).Code()).To(BeEmpty(), "run a failed job again with the good config")
			expectPath(t, observe(t, job, "-1", "4"), "-1", "3", "4")
		})

	harness.It("a paused job can be stopped: 6 -> 3 -> 5; a stopped job is deleted and gone",
		harness.Items(id("DeleteJobs", fixtures.KindProtocol, "deleted-not-found")), func() {
			reach("4")
			Expect(stopJob(t, job, 2).Code()).To(BeEmpty(), "pause")
			observe(t, job, "4", "6")
			Expect(stopJob(t, job, 1).Code()).To(BeEmpty(), "stop a paused job")
			expectPath(t, observe(t, job, "6", "5"), "6", "3", "5")
			env := send(t, "DeleteJobs", map[string]any{"JobIds": []string{job}})
			Expect(env.Code()).To(BeEmpty(), "a stopped job can be deleted: %s", env.Body)
			harness.Check(id("DeleteJobs", fixtures.KindProtocol, "deleted-not-found"))
			after := raw(t, "DescribeJobs", map[string]any{"JobIds": []string{job}})
			if after.Code() == "" {
				Expect(string(after.Response["TotalCount"])).To(Equal("0"), "a deleted job is not listed: %s", after.Body)
			} else {
				Expect(after.Code()).To(Equal("ResourceNotFound.JobId"), "a deleted job is not found: %s", after.Body)
			}
		})
})
