package tencentbatch

import (
	"regexp"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
)

// Static but plausible data for the actions that describe the cloud's
// inventory (instance types, zones, categories, bare-metal OSes). The real
// values depend on the account and the day; these are fixed so runs are
// reproducible.

// builtinRegions fills in regions the catalog does not list (from the 2018
// doc's region list and the zones the doc examples use, e.g. ap-chongqing-1).
// A region the catalog lists keeps exactly the catalog's zones.
var builtinRegions = map[string][]string{
	"ap-guangzhou":     {"ap-guangzhou-2", "ap-guangzhou-3", "ap-guangzhou-4", "ap-guangzhou-6", "ap-guangzhou-7"},
	"ap-shanghai":      {"ap-shanghai-1", "ap-shanghai-2", "ap-shanghai-3", "ap-shanghai-4", "ap-shanghai-5"},
	"ap-beijing":       {"ap-beijing-1", "ap-beijing-2", "ap-beijing-3", "ap-beijing-4", "ap-beijing-5", "ap-beijing-6", "ap-beijing-7"},
	"ap-chengdu":       {"ap-chengdu-1", "ap-chengdu-2"},
	"ap-chongqing":     {"ap-chongqing-1"},
	"ap-singapore":     {"ap-singapore-1", "ap-singapore-2", "ap-singapore-3"},
	"na-siliconvalley": {"na-siliconvalley-1", "na-siliconvalley-2"},
	"ap-shanghai-fsi":  {"ap-shanghai-fsi-1", "ap-shanghai-fsi-2", "ap-shanghai-fsi-3"},
}

// regions is the catalog's regions plus the built-in ones it lacks,
// computed once.
func (s *Service) regions() map[string][]string {
	s.regionsOnce.Do(func() {
		m := map[string][]string{}
		for r, zs := range s.cat.Regions {
			m[r] = append([]string(nil), zs...)
		}
		for r, zs := range builtinRegions {
			if _, ok := m[r]; !ok {
				m[r] = zs
			}
		}
		s.regionMap = m
	})
	return s.regionMap
}

// zoneCode checks a zone against the request's region: "" if it belongs to
// it; InvalidParameterValue.InvalidZoneMismatchRegion if it is a zone of
// another region; InvalidZone.MismatchRegion ("the zone does not exist")
// otherwise. With no (or an unknown) region any existing zone is accepted.
func (s *Service) zoneCode(region, zone string) string {
	rs := s.regions()
	if zs, ok := rs[region]; ok && contains(zs, zone) {
		return ""
	}
	for r, zs := range rs {
		if contains(zs, zone) {
			if _, known := rs[region]; known && r != region {
				return "InvalidParameterValue.InvalidZoneMismatchRegion"
			}
			return ""
		}
	}
	return "InvalidZone.MismatchRegion"
}

// zoneExists reports whether a zone exists in any region.
func (s *Service) zoneExists(zone string) bool {
	for _, zs := range s.regions() {
		if contains(zs, zone) {
			return true
		}
	}
	return false
}

// zonesOf lists the zones of a region (all zones, sorted, for an unknown one).
func (s *Service) zonesOf(region string) []string {
	rs := s.regions()
	if zs, ok := rs[region]; ok {
		return zs
	}
	var all []string
	for _, zs := range rs {
		all = append(all, zs...)
	}
	sort.Strings(all)
	return all
}

// Instance families by category (DescribeInstanceCategories).
var categories = []struct {
	Name     string
	Families []string
}{
	{"GENERAL", []string{"S1", "S2", "S3", "SA1"}},
	{"GENERAL_2", []string{"S4", "S5", "SA2", "SK1"}},
	{"GENERAL_3", []string{"S6", "S8", "SA3", "SA4", "SA5", "SR1"}},
	{"COMPUTE", []string{"C2", "CN3"}},
	{"COMPUTE_2", []string{"C3", "C4"}},
	{"COMPUTE_3", []string{"C5", "C6"}},
}

// otherFamilies are offered and accepted but belong to no documented
// category (memory-optimised, high-IO, big-data, GPU).
var otherFamilies = []string{"M5", "M6", "MA3", "IT5", "D3", "GN2", "GN7"}

func familyCategory(f string) (string, bool) {
	for _, c := range categories {
		if contains(c.Families, f) {
			return c.Name, true
		}
	}
	return "OTHER", contains(otherFamilies, f)
}

// families lists every offered family.
func families() []string {
	var out []string
	for _, c := range categories {
		out = append(out, c.Families...)
	}
	return append(out, otherFamilies...)
}

// listedSizes are the sizes listed per family; parseType accepts any size of
// the documented naming scheme.
var listedSizes = []string{"SMALL2", "MEDIUM4", "LARGE8"}

var typeRE = regexp.MustCompile(`^([A-Z]+[0-9]*)\.(SMALL|MEDIUM|LARGE|([0-9]+)XLARGE)([0-9]+)$`)

type instanceType struct {
	Name   string
	Family string
	CPU    int
	Mem    int
}

// parseType validates an instance type name (FAMILY.SIZE, e.g. S5.MEDIUM4:
// SMALL = 1 vCPU, MEDIUM = 2, LARGE = 4, nXLARGE = 4n; the digits after the
// size are GB of memory) against the known families.
func parseType(name string) (instanceType, bool) {
	if c, ok := typeCache.Load(name); ok {
		r := c.(parsedType)
		return r.t, r.ok
	}
	t, ok := parseTypeName(name)
	if typeCacheN.Load() < typeCacheMax {
		if _, loaded := typeCache.LoadOrStore(name, parsedType{t, ok}); !loaded {
			typeCacheN.Add(1)
		}
	}
	return t, ok
}

// typeCache remembers parseType's answers (the regexp took a tenth of a
// SubmitJob's allocations); past typeCacheMax names, new ones are parsed
// each time, so clients choosing names cannot grow it without bound.
var (
	typeCache  sync.Map // name -> parsedType
	typeCacheN atomic.Int64
)

const typeCacheMax = 4096

type parsedType struct {
	t  instanceType
	ok bool
}

func parseTypeName(name string) (instanceType, bool) {
	m := typeRE.FindStringSubmatch(name)
	if m == nil {
		return instanceType{}, false
	}
	if _, ok := familyCategory(m[1]); !ok {
		return instanceType{}, false
	}
	cpu := 0
	switch m[2] {
	case "SMALL":
		cpu = 1
	case "MEDIUM":
		cpu = 2
	case "LARGE":
		cpu = 4
	default:
		n, err := strconv.Atoi(m[3])
		if err != nil || n <= 0 || n > 64 {
			return instanceType{}, false
		}
		cpu = 4 * n
	}
	mem, err := strconv.Atoi(m[4])
	if err != nil || mem <= 0 || mem > 2048 {
		return instanceType{}, false
	}
	return instanceType{Name: name, Family: m[1], CPU: cpu, Mem: mem}, true
}

// typeFor picks an instance type offering at least cpu vCPUs and mem GB
// (InstanceTypeOptions), from the requested categories if any.
func typeFor(cpu, mem uint64, cats []string) string {
	fam := "S5"
	for _, c := range categories {
		if contains(cats, c.Name) {
			fam = c.Families[len(c.Families)-1]
			break
		}
	}
	size := "SMALL"
	switch {
	case cpu <= 1:
		size = "SMALL"
	case cpu <= 2:
		size = "MEDIUM"
	case cpu <= 4:
		size = "LARGE"
	default:
		size = strconv.FormatUint((cpu+3)/4, 10) + "XLARGE"
	}
	if mem == 0 {
		mem = 2 * max(cpu, 1)
	}
	return fam + "." + size + strconv.FormatUint(mem, 10)
}

// typeInventory lists the instance types offered in each zone.
func typeInventory(zones []string) []instanceTypeInZone {
	var out []instanceTypeInZone
	for _, z := range zones {
		for _, f := range families() {
			for _, sz := range listedSizes {
				it, _ := parseType(f + "." + sz)
				out = append(out, instanceTypeInZone{instanceType: it, Zone: z})
			}
		}
	}
	return out
}

type instanceTypeInZone struct {
	instanceType
	Zone string
}

// ---- bare metal (CPM) ----

type osInfo struct {
	OsTypeId             uint64 `json:"OsTypeId"`
	OsName               string `json:"OsName"`
	OsDescription        string `json:"OsDescription"`
	OsEnglishDescription string `json:"OsEnglishDescription"`
	OsClass              string `json:"OsClass"`
	ImageTag             string `json:"ImageTag"`
	MaxPartitionSize     uint64 `json:"MaxPartitionSize"`
	deviceClasses        []string
}

var cpmOSes = []osInfo{
	{1, "CentOS 7.2 64bit", "CentOS 7.2 64位", "CentOS 7.2 64bit", "CentOS", "public", 16, []string{"PS100v1", "PS200v1", "M10"}},
	{2, "CentOS 7.6 64bit", "CentOS 7.6 64位", "CentOS 7.6 64bit", "CentOS", "public", 16, []string{"PS100v1", "PS200v1", "M10", "PI20"}},
	{3, "Ubuntu 18.04 64bit", "Ubuntu 18.04 64位", "Ubuntu 18.04 64bit", "Ubuntu", "public", 16, []string{"PS100v1", "PI20"}},
	{4, "Debian 9.0 64bit", "Debian 9.0 64位", "Debian 9.0 64bit", "Debian", "public", 16, []string{"PS200v1"}},
}

// cpmRegions are the regions offering bare metal; other regions answer
// InvalidParameterValue.RegionNotSupportCpm (an emulator convention recorded
// in the catalog: the docs give no list).
var cpmRegions = []string{"ap-guangzhou"}

func cpmOS(id int64) bool {
	for _, o := range cpmOSes {
		if int64(o.OsTypeId) == id {
			return true
		}
	}
	return false
}
