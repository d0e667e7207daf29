package oceanus

// Account state the admin API sets on a tenant (PUT tenants) once the things
// it names exist: what the account lost outside the API, sub-accounts,
// SSM-credential variables and config versions changed outside the API. Each
// reading is inferred from the code's documented meaning (the docs give the
// code only) and recorded in the catalog (fixtures/oceanus, level SHOULD) and
// doc.go. Configuration is per tenant (SecretId), as the design pins it: the
// caller's configuration decides.

import (
	"hash/fnv"
	"strconv"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/facade"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
)

// accountKey is the account a caller works in: its own, or its main
// account's when it is a sub-account (same AppId, same jobs and resources).
func accountKey(t tenants.Tenant, secretID string) string {
	if t.Oceanus.SubAccountOf != "" {
		return t.Oceanus.SubAccountOf
	}
	return secretID
}

// uinOf is the Uin of the account's caller secretID: the account's own for
// the main account (and for what the platform made, ""), else a sub-account
// Uin derived from the SecretId, so it is the same in every run and after a
// --state-dir replay without being state.
func (a *account) uinOf(secretID string) string {
	if secretID == "" || secretID == a.secretID {
		return a.uin
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(secretID))
	return strconv.FormatUint(200000000000+h.Sum64()%100000000000, 10)
}

// lostRefs returns the first resource of c's references the caller's
// account lost ("" none).
func lostRefs(lost tenants.OceanusLost, c *jobConfig) string {
	if c == nil {
		return ""
	}
	for _, r := range c.refs {
		if facade.Contains(lost.Resources, r.ResourceID) {
			return r.ResourceID
		}
	}
	return ""
}

// runLost refuses RunJobs of a job whose config references a lost resource
// (程序包不存在: ResourceNotFound.Resource) or whose cluster was lost
// (expired and released by billing: its ID is no longer valid,
// InvalidParameter.InvalidClusterId; a cluster deleted through the API is
// ResourceNotFound.ClusterId).
func (s *Service) runLost(lost tenants.OceanusLost, j *job, c *jobConfig) *api3.Error {
	if id := lostRefs(lost, c); id != "" && !s.on(faults.OceanusLostResourceRuns) {
		return api3.Errorf("ResourceNotFound.Resource", "the package of the resource %s is gone", id)
	}
	if facade.Contains(lost.Clusters, j.clusterID) {
		if s.on(faults.OceanusLostClusterNotFound) {
			return api3.Errorf("ResourceNotFound.ClusterId", "the job's cluster %s no longer exists", j.clusterID)
		}
		return api3.Errorf("InvalidParameter.InvalidClusterId", "the job's cluster %s expired and was released; its ID is no longer valid", j.clusterID)
	}
	return nil
}

// stopLost refuses StopJobs of a job whose running instance cannot be
// reached: its cluster was lost (the platform's own records point at
// nothing: InternalError.ResourceNotExist) or the running config's resource
// is (ResourceNotFound.ResourceNotExist).
func (s *Service) stopLost(lost tenants.OceanusLost, j *job) *api3.Error {
	if s.on(faults.OceanusStopLostIgnored) {
		return nil
	}
	if facade.Contains(lost.Clusters, j.clusterID) {
		return api3.Errorf("InternalError.ResourceNotExist", "the cluster %s the job %s runs on no longer exists", j.clusterID, j.id)
	}
	if id := lostRefs(lost, j.config(j.runningVersion)); id != "" {
		return api3.Errorf("ResourceNotFound.ResourceNotExist", "the resource %s the job %s runs no longer exists", id, j.id)
	}
	return nil
}

// describeLostConfig refuses to describe a job whose published config
// version the account lost (ResourceUnavailable.GetJobPublishedJobConfig:
// DescribeJobs reads it for PublishedJobConfigVersion and the job's
// details).
func (s *Service) describeLostConfig(lost tenants.OceanusLost, j *job) *api3.Error {
	if j.published > 0 && facade.Contains(lost.PublishedConfigs, j.id) && !s.on(faults.OceanusLostConfigHidden) {
		return api3.Errorf("ResourceUnavailable.GetJobPublishedJobConfig", "the published configuration version %d of the job %s is gone", j.published, j.id)
	}
	return nil
}

// describeLostResource refuses to describe a resource whose package
// versions are lost (DescribeResources shows the latest version's location:
// ResourceNotFound.ResourceConfig, 程序包版本不存在).
func (s *Service) describeLostResource(lost tenants.OceanusLost, r *resource) *api3.Error {
	if facade.Contains(lost.Resources, r.id) && !s.on(faults.OceanusLostResourceListed) {
		return api3.Errorf("ResourceNotFound.ResourceConfig", "the package of version %d of the resource %s is gone", r.latest, r.id)
	}
	return nil
}

// deleteLostVersions refuses to delete versions of a resource whose
// packages are lost: the resource is unavailable until it is deleted whole
// (ResourceUnavailable).
func (s *Service) deleteLostVersions(lost tenants.OceanusLost, r *resource) *api3.Error {
	if facade.Contains(lost.Resources, r.id) && !s.on(faults.OceanusDeleteLostVersions) {
		return api3.Errorf("ResourceUnavailable", "the packages of the resource %s are gone; delete the resource", r.id)
	}
	return nil
}

// secretVariables refuses a variable bound to an SSM credential (ValueType
// 1, 凭据值) past the tenant's max_secret_variables: the generic
// LimitExceeded (LimitExceeded.Variables counts all variables).
func (s *Service) secretVariables(a *account, t tenants.Tenant, valueType int64) *api3.Error {
	max := t.Oceanus.MaxSecretVariables
	if valueType != 1 || max <= 0 || s.on(faults.OceanusUnlimitedSecretVars) {
		return nil
	}
	n := 0
	for _, v := range a.variables {
		if v.valueType == 1 {
			n++
		}
	}
	if n >= max {
		return api3.Errorf("LimitExceeded", "the account binds at most %d SSM credentials as variables", max)
	}
	return nil
}

// uinMatch refuses a sub-account reading the versions of a resource another
// Uin (the main account or another sub-account) created
// (InvalidParameter.UinResourceNotMatch); the main account reads them all.
func (s *Service) uinMatch(t tenants.Tenant, caller string, r *resource) *api3.Error {
	if t.Oceanus.SubAccountOf == "" || r.system || r.creator == caller || s.on(faults.OceanusSubAccountReadsAll) {
		return nil
	}
	return api3.Errorf("InvalidParameter.UinResourceNotMatch", "the resource %s was created by another Uin of the account", r.id)
}

// storedParallelism checks a config version's pipeline.max-parallelism as
// changed outside the API (the tenant's max_parallelism_changes) with
// CreateJobConfig's checks: DescribeJobConfigs answers their code for a
// version it would return.
func (s *Service) storedParallelism(t tenants.Tenant, j *job, c *jobConfig) *api3.Error {
	if s.on(faults.OceanusStoredParallelismSkip) {
		return nil
	}
	for _, ch := range t.Oceanus.MaxParallelismChanges {
		if ch.JobID == j.id && ch.Version == c.version {
			if _, e := checkMaxParallelism(ch.Value, c.parallelism); e != nil {
				e.Message = "configuration version " + strconv.FormatInt(c.version, 10) + " as stored: " + e.Message
				return e
			}
		}
	}
	return nil
}
