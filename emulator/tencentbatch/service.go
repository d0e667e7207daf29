// Package tencentbatch is the Tencent Cloud Batch façade: it turns the 32 API
// 3.0 actions into engine operations and shapes the documented responses.
package tencentbatch

import (
	"context"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
	"github.com/batchconform/batchconform/fixtures"
	catalog "github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// STUB: the façade helper fills this in.

// Service serves Tencent Batch on an engine.
type Service struct {
	eng     *engine.Engine
	cat     *fixtures.Catalog
	tenants *tenants.Registry
	faults  *faults.Set
}

// New returns the façade.
func New(eng *engine.Engine, ts *tenants.Registry, fs *faults.Set) *Service {
	return &Service{eng: eng, cat: catalog.Catalog(), tenants: ts, faults: fs}
}

// Catalog implements api3.Product.
func (s *Service) Catalog() *fixtures.Catalog { return s.cat }

// Handle implements api3.Product.
func (s *Service) Handle(ctx context.Context, req *api3.Request) (any, *api3.Error) {
	return nil, api3.Errorf("InvalidAction", "action %s is not implemented", req.Action)
}
