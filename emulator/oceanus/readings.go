package oceanus

// Behaviour behind the error items that needed a situation the rest of the
// façade did not model (issue 10's pending list): IDs of another tenant,
// external catalogs in job SQL, meta-table connector options, COS buckets
// that disappear under a job, renewal terms. Each reading is recorded in the
// catalog (fixtures/oceanus/internal/build) as inferred where the docs give
// only the code.

import (
	"regexp"
	"strings"
	"time"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/faults"
)

// ownerOf reports whether an ID the caller's account does not hold belongs
// to another tenant (AppId): the service tells "not yours" from "no such
// ID". IDs are minted by the engine's generator, unique across tenants; the
// fixed IDs every tenant is seeded with are the caller's own, so they never
// reach this. Called with Service.mu held.
func (s *Service) foreign(a *account, kind, id string) bool {
	if s.on(faults.OceanusForeignIDsNotFound) {
		return false
	}
	for _, o := range s.accounts {
		if o == a {
			continue
		}
		switch kind {
		case "job":
			if _, ok := o.jobs[id]; ok {
				return true
			}
		case "resource":
			if r, ok := o.resources[id]; ok && !r.system {
				return true
			}
		case "folder":
			if f, ok := o.folders[id]; ok && id != RootFolderID && f != nil {
				return true
			}
		}
	}
	return false
}

// findOwnJob is findJob for actions that document InvalidParameter.InvalidAppId:
// a job of another tenant answers that code instead of notFound.
func (s *Service) findOwnJob(a *account, id, badShape, notFound string) (*job, *api3.Error) {
	j, e := a.findJob(id, badShape, notFound)
	if e != nil && jobIDShape.MatchString(id) && s.foreign(a, "job", id) {
		return nil, api3.Errorf("InvalidParameter.InvalidAppId", "the job %s belongs to another AppId", id)
	}
	return j, e
}

// External catalogs in a SQL job: `CREATE CATALOG name WITH ('type' = 'x')`.
// A job may use one external catalog (inferred from the two documented
// UnsupportedOperation.MultiExternal* codes): two of type hive (EMR/Hive
// metastores) are MultiExternalEmrOrHiveCatalogUnsupported, two of any
// types otherwise MultiExternalCatalogUnsupported.
var catalogDDL = regexp.MustCompile(`(?is)CREATE\s+CATALOG\s+(?:IF\s+NOT\s+EXISTS\s+)?` + "`?" + `([A-Za-z_][A-Za-z0-9_]*)` + "`?" + `\s+WITH\s*\((.*?)\)`)

var resourceIDShape = regexp.MustCompile(`^resource-[a-z0-9]{8}$`)

var ddlOption = regexp.MustCompile(`'([^']*)'\s*=\s*'([^']*)'`)

func checkCatalogs(sql string) *api3.Error {
	var hive, all int
	for _, m := range catalogDDL.FindAllStringSubmatch(sql, -1) {
		all++
		for _, o := range ddlOption.FindAllStringSubmatch(m[2], -1) {
			if strings.EqualFold(o[1], "type") && strings.EqualFold(o[2], "hive") {
				hive++
			}
		}
	}
	switch {
	case hive > 1:
		return api3.Errorf("UnsupportedOperation.MultiExternalEmrOrHiveCatalogUnsupported", "a job may use one EMR/Hive catalog, the SQL creates %d", hive)
	case all > 1:
		return api3.Errorf("UnsupportedOperation.MultiExternalCatalogUnsupported", "a job may use one external catalog, the SQL creates %d", all)
	}
	return nil
}

// connectorOptions: the WITH options each built-in connector accepts
// (Flink's documented options of datagen, print, blackhole, kafka, jdbc and
// filesystem, by prefix). Tables of other connectors are not checked.
var connectorOptions = map[string][]string{
	"datagen":    {"connector", "rows-per-second", "number-of-rows", "fields."},
	"print":      {"connector", "print-identifier", "standard-error", "sink.parallelism"},
	"blackhole":  {"connector"},
	"kafka":      {"connector", "topic", "topic-pattern", "properties.", "format", "key.", "value.", "scan.", "sink.", "json.", "csv.", "avro."},
	"jdbc":       {"connector", "url", "table-name", "driver", "username", "password", "connection.", "scan.", "lookup.", "sink."},
	"filesystem": {"connector", "path", "format", "partition.", "sink.", "source.", "auto-compaction", "compaction.", "json.", "csv."},
}

// tableOptions reads a CREATE TABLE's WITH options.
func tableOptions(ddl string) map[string]string {
	out := map[string]string{}
	i := strings.LastIndex(strings.ToUpper(ddl), "WITH")
	if i < 0 {
		return out
	}
	for _, o := range ddlOption.FindAllStringSubmatch(ddl[i:], -1) {
		out[strings.ToLower(o[1])] = o[2]
	}
	return out
}

// checkTableChange: a ModifyMetaTable DDL keeps the table's connector
// (FailedOperation.ModifyConnectorFailedOperation) and uses only options the
// connector has (InvalidParameter.UnsupportedOptions).
func checkTableChange(oldDDL, newDDL string) *api3.Error {
	was, now := tableOptions(oldDDL)["connector"], tableOptions(newDDL)
	if c := now["connector"]; !strings.EqualFold(c, was) {
		return api3.Errorf("FailedOperation.ModifyConnectorFailedOperation", "the table's connector is %q; the DDL changes it to %q", was, c)
	}
	allowed, known := connectorOptions[strings.ToLower(was)]
	if !known {
		return nil
	}
	for k := range now {
		ok := false
		for _, p := range allowed {
			if k == p || strings.HasSuffix(p, ".") && strings.HasPrefix(k, p) {
				ok = true
				break
			}
		}
		if !ok {
			return api3.Errorf("InvalidParameter.UnsupportedOptions", "the connector %s has no option %q", was, k)
		}
	}
	return nil
}

// maxTerm is the longest a prepaid cluster can be bought for (Period 1-48
// months); a renewal may not push the expiry further than that from now.
const maxTerm = 48

func renewLimit(expire, now time.Time, months int64) *api3.Error {
	if expire.AddDate(0, int(months), 0).After(now.AddDate(0, maxTerm, 0)) {
		return api3.Errorf("LimitExceeded", "a cluster is paid for at most %d months ahead", maxTerm)
	}
	return nil
}

// checkpointBucket: a config's COSBucket holds the job's checkpoints and
// savepoints; when it no longer exists (the cluster whose default bucket it
// was is gone and the object store holds nothing in it), starting or
// pausing the job is ResourceNotFound.COSBucket.
func (s *Service) checkpointBucket(a *account, c *jobConfig) *api3.Error {
	if c == nil || c.cosBucket == "" || s.bucketExists(a, c.cosBucket) || s.on(faults.OceanusVanishedBucketIgnored) {
		return nil
	}
	return api3.Errorf("ResourceNotFound.COSBucket", "the COS bucket %s of the job's checkpoints does not exist", c.cosBucket)
}

// logTopicExists: CLS is not modelled; as with COS jars in a cluster's
// bucket, a topic exists unless its ID starts with "missing" (the
// convention the package doc gives).
func logTopicExists(id string) bool { return !strings.HasPrefix(id, "missing") }

// maxTags: Tencent Cloud's tag service binds at most 50 tags to a resource;
// a CreateJob with more is the generic LimitExceeded (LimitExceeded.Job is
// the job count; inferred).
const maxTags = 50

// refund: deleting a prepaid cluster before it expires is a self-service
// refund, which an account may do a limited number of times (the tenant's
// max_cluster_refunds; unlimited by default): past it, LimitExceeded.
func (s *Service) refund(a *account, secretID string, c *cluster) *api3.Error {
	if c.payMode != 1 || !s.now().Before(c.expire) {
		return nil
	}
	max := s.tenant(secretID).Oceanus.MaxClusterRefunds
	if max > 0 && a.refunds >= max && !s.on(faults.OceanusUnlimitedRefunds) {
		return api3.Errorf("LimitExceeded", "the account's %d self-service refunds of prepaid clusters are used up", max)
	}
	a.refunds++
	return nil
}
