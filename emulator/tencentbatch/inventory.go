package tencentbatch

import (
	"context"

	"github.com/batchconform/batchconform/emulator/api3"
)

type instanceTypeConfigView struct {
	Mem            int64  `json:"Mem"`
	Cpu            int64  `json:"Cpu"`
	InstanceType   string `json:"InstanceType"`
	Zone           string `json:"Zone"`
	InstanceFamily string `json:"InstanceFamily"`
}

// inventory lists the instance types of the request's region after the
// zone and instance-family filters (and, with more, instance-type and
// instance-charge-type, which the caller applies).
func (s *Service) inventory(req *api3.Request, fs []wFilter, more bool) ([]instanceTypeInZone, []string, *api3.Error) {
	items := typeInventory(s.zonesOf(req.Region))
	chargeTypes := []string{"POSTPAID_BY_HOUR", "SPOTPAID"}
	items, e := applyFilters(s, req.Action, items, fs, func(name string, vals []string) (func(instanceTypeInZone) bool, *api3.Error) {
		switch {
		case name == "zone":
			if e := zoneValues(vals); e != nil {
				return nil, e
			}
			for _, z := range vals {
				if code := s.zoneCode(req.Region, z); code != "" {
					return nil, api3.Errorf(code, "zone %s does not match region %s", z, req.Region)
				}
			}
			return func(it instanceTypeInZone) bool { return contains(vals, it.Zone) }, nil
		case name == "instance-family":
			// The families are those DescribeInstanceCategories lists.
			for _, v := range vals {
				if _, ok := familyCategory(v); !ok {
					return nil, badFilterValue(name, v)
				}
			}
			return func(it instanceTypeInZone) bool { return contains(vals, it.Family) }, nil
		case more && name == "instance-type":
			return func(it instanceTypeInZone) bool { return contains(vals, it.Name) }, nil
		case more && name == "instance-charge-type":
			for _, v := range vals {
				if !contains(chargeTypes, v) {
					return nil, api3.Errorf("InvalidParameterValue.UnsupportedBatchInstanceChargeType",
						"instance charge type %q is not supported by Batch (POSTPAID_BY_HOUR, SPOTPAID)", v)
				}
			}
			chargeTypes = vals
			return func(instanceTypeInZone) bool { return true }, nil
		}
		return nil, nil
	})
	return items, chargeTypes, e
}

func (s *Service) describeAvailableCvmInstanceTypes(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		Filters []wFilter `json:"Filters"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	items, _, e := s.inventory(req, p.Filters, false)
	if e != nil {
		return nil, e
	}
	set := make([]instanceTypeConfigView, 0, len(items))
	for _, it := range items {
		set = append(set, instanceTypeConfigView{Mem: int64(it.Mem), Cpu: int64(it.CPU), InstanceType: it.Name, Zone: it.Zone, InstanceFamily: it.Family})
	}
	return struct {
		InstanceTypeConfigSet []instanceTypeConfigView `json:"InstanceTypeConfigSet"`
	}{set}, nil
}

type externalsView struct {
	ReleaseAddress    bool     `json:"ReleaseAddress"`
	UnsupportNetworks []string `json:"UnsupportNetworks"`
}

type priceView struct {
	UnitPrice         float64 `json:"UnitPrice"`
	ChargeUnit        string  `json:"ChargeUnit"`
	UnitPriceDiscount float64 `json:"UnitPriceDiscount"`
	Discount          float64 `json:"Discount"`
}

type localDiskTypeView struct {
	Type          string `json:"Type"`
	PartitionType string `json:"PartitionType"`
	MinSize       int64  `json:"MinSize"`
	MaxSize       int64  `json:"MaxSize"`
	Required      string `json:"Required"`
}

type instanceTypeQuotaView struct {
	Zone               string              `json:"Zone"`
	InstanceType       string              `json:"InstanceType"`
	InstanceChargeType string              `json:"InstanceChargeType"`
	NetworkCard        int64               `json:"NetworkCard"`
	Externals          externalsView       `json:"Externals"`
	Cpu                int64               `json:"Cpu"`
	Memory             int64               `json:"Memory"`
	InstanceFamily     string              `json:"InstanceFamily"`
	TypeName           string              `json:"TypeName"`
	LocalDiskTypeList  []localDiskTypeView `json:"LocalDiskTypeList"`
	Status             string              `json:"Status"`
	Price              priceView           `json:"Price"`
	SoldOutReason      string              `json:"SoldOutReason"`
	InstanceBandwidth  float64             `json:"InstanceBandwidth"`
	InstancePps        int64               `json:"InstancePps"`
	StorageBlockAmount int64               `json:"StorageBlockAmount"`
	CpuType            string              `json:"CpuType"`
	Gpu                int64               `json:"Gpu"`
	Fpga               int64               `json:"Fpga"`
	Remark             string              `json:"Remark"`
	GpuCount           float64             `json:"GpuCount"`
	Frequency          string              `json:"Frequency"`
	StatusCategory     string              `json:"StatusCategory"`
}

func (s *Service) describeCvmZoneInstanceConfigInfos(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		Filters []wFilter `json:"Filters"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	items, charges, e := s.inventory(req, p.Filters, true)
	if e != nil {
		return nil, e
	}
	set := make([]instanceTypeQuotaView, 0, len(items)*len(charges))
	for _, it := range items {
		cat, _ := familyCategory(it.Family)
		for _, ch := range charges {
			price := 0.05*float64(it.CPU) + 0.02*float64(it.Mem)
			discount := 100.0
			if ch == "SPOTPAID" {
				discount = 20
			}
			set = append(set, instanceTypeQuotaView{
				Zone: it.Zone, InstanceType: it.Name, InstanceChargeType: ch, NetworkCard: 0,
				Externals: externalsView{UnsupportNetworks: []string{}},
				Cpu:       int64(it.CPU), Memory: int64(it.Mem), InstanceFamily: it.Family,
				TypeName:          cat + " " + it.Family,
				LocalDiskTypeList: []localDiskTypeView{},
				Status:            "SELL",
				Price:             priceView{UnitPrice: price, ChargeUnit: "HOUR", UnitPriceDiscount: price * discount / 100, Discount: discount},
				InstanceBandwidth: 1.5 * float64(it.CPU), InstancePps: 30 * int64(it.CPU),
				CpuType: "Intel Xeon Cascade Lake", Frequency: "2.5GHz/3.1GHz", StatusCategory: "EnoughStock",
			})
		}
	}
	return struct {
		InstanceTypeQuotaSet []instanceTypeQuotaView `json:"InstanceTypeQuotaSet"`
	}{set}, nil
}

func (s *Service) describeInstanceCategories(_ context.Context, _ *api3.Request) (any, *api3.Error) {
	type item struct {
		InstanceCategory  string   `json:"InstanceCategory"`
		InstanceFamilySet []string `json:"InstanceFamilySet"`
	}
	set := make([]item, 0, len(categories))
	for _, c := range categories {
		set = append(set, item{c.Name, append([]string(nil), c.Families...)})
	}
	return struct {
		InstanceCategorySet []item `json:"InstanceCategorySet"`
	}{set}, nil
}

func (s *Service) describeCpmOsInfo(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		DeviceClassCode string `json:"DeviceClassCode"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if !contains(cpmRegions, req.Region) {
		return nil, api3.Errorf("InvalidParameterValue.RegionNotSupportCpm", "region %s does not offer bare metal", req.Region)
	}
	set := make([]osInfo, 0, len(cpmOSes))
	for _, o := range cpmOSes {
		if p.DeviceClassCode == "" || contains(o.deviceClasses, p.DeviceClassCode) {
			set = append(set, o)
		}
	}
	return struct {
		OsInfoSet []osInfo `json:"OsInfoSet"`
	}{set}, nil
}
