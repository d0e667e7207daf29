package fuzz

import (
	"fmt"
	"sort"

	"pgregory.net/rapid"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/fixtures/alibatch"
	"github.com/batchconform/batchconform/fixtures/oceanus"
	"github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// Dialect is what the fuzzer needs from one dialect: its catalog, the
// properties it has, how to prepare a round of each (sign and send through
// the target, which generators, which stateful model) and how to replay a
// case. The runner, the shrinking (rapid), replay files, the report and
// the shards are one path for every dialect (Run, Report, ShardSeeds).
type Dialect interface {
	// Key is the dialect key (fixtures.Dialect…).
	Key() string
	Catalog() *fixtures.Catalog
	// Kinds are the properties it has, in the order rounds cycle them.
	Kinds() []string
	// Actions are what the per-action stateless properties draw from (a
	// finding drops its action from its kind for the rest of the run).
	Actions() []string
	// RulesTotal is the number of rules it can break (the denominator of
	// the summary's "rules broken").
	RulesTotal() int
	// Round prepares one round of kind against targets from fac: the rapid
	// property (stateless kinds draw their action from actions) and what
	// releases the round's target.
	Round(kind string, fac Factory, actions []string, rec *Recorder) (prop func(*rapid.T), done func(), err error)
	// Replay re-runs a replay file's steps against a fresh target: nil when
	// every expectation holds now.
	Replay(f *ReplayFile, fac Factory) (*PropError, error)
}

// DialectKeys are the dialects the fuzzer implements, with the aliases
// users type (tencent-oceanus is the product's full name).
var DialectKeys = []string{fixtures.DialectTencentBatch, fixtures.DialectAlibaba, fixtures.DialectOceanus}

// CanonicalDialect maps an alias to its dialect key ("" when unknown).
func CanonicalDialect(key string) string {
	switch key {
	case fixtures.DialectTencentBatch, fixtures.DialectAlibaba, fixtures.DialectOceanus:
		return key
	case "tencent-oceanus":
		return fixtures.DialectOceanus
	}
	return ""
}

// DialectByKey returns the adapter of a dialect key (or alias).
func DialectByKey(key string) (Dialect, error) {
	switch CanonicalDialect(key) {
	case fixtures.DialectTencentBatch:
		return NewSuite(tencentbatch.Catalog()), nil
	case fixtures.DialectOceanus:
		return NewSuite(oceanus.Catalog()), nil
	case fixtures.DialectAlibaba:
		return NewACS(alibatch.Catalog()), nil
	}
	return nil, fmt.Errorf("fuzz: no dialect %q (want %v or tencent-oceanus)", key, DialectKeys)
}

// DialectOf returns the adapter of a catalog.
func DialectOf(cat *fixtures.Catalog) Dialect {
	if cat.Dialect == fixtures.DialectAlibaba {
		return NewACS(cat)
	}
	return NewSuite(cat)
}

// The API 3.0 dialects (Tencent Batch, Oceanus) share Suite: the same
// signed client, generators and stateless properties; the setup, the
// resources destructive cases get of their own and the stateful model are
// the dialect's (api3Profile).

// Key is the catalog's dialect.
func (s *Suite) Key() string { return s.Cat.Dialect }

// Catalog is the suite's catalog.
func (s *Suite) Catalog() *fixtures.Catalog { return s.Cat }

// Kinds are the properties whose items the catalog has: the stateless
// kinds, and the stateful model when it has model properties.
func (s *Suite) Kinds() []string {
	var ks []string
	for _, k := range StatelessKinds {
		switch k {
		case OpSignature:
			if _, ok := s.Cat.Item(s.ItemSignature()); !ok {
				continue
			}
		case OpSecret:
			if _, ok := s.Cat.Item(s.ItemSecrets()); !ok {
				continue
			}
		}
		ks = append(ks, k)
	}
	if s.profile.stateful != nil {
		ks = append(ks, KindStateful)
	}
	return ks
}

// Actions are the catalog's actions.
func (s *Suite) Actions() []string { return append([]string(nil), s.actions...) }

// RulesTotal is the number of generatable rules.
func (s *Suite) RulesTotal() int { return len(s.ruleByID) }

// Round prepares a round: a fresh target with the setup's resources for a
// stateless kind, the factory itself for the stateful model (a fresh
// target per sequence).
func (s *Suite) Round(kind string, fac Factory, actions []string, rec *Recorder) (func(*rapid.T), func(), error) {
	if kind == KindStateful {
		return s.Stateful(fac, rec), func() {}, nil
	}
	t, err := fac.New()
	if err != nil {
		return nil, nil, err
	}
	refs, err := s.Setup(t)
	if err != nil {
		t.Close()
		return nil, nil, err
	}
	return s.Stateless(kind, t, refs, actions, rec), t.Close, nil
}

// kindsOf checks requested kinds against a dialect's.
func kindsOf(d Dialect, want []string) ([]string, error) {
	if len(want) == 0 {
		return d.Kinds(), nil
	}
	has := map[string]bool{}
	for _, k := range d.Kinds() {
		has[k] = true
	}
	var out []string
	for _, k := range want {
		if !has[k] {
			ks := d.Kinds()
			sort.Strings(ks)
			return nil, fmt.Errorf("fuzz: %s has no property kind %q (it has %v)", d.Key(), k, ks)
		}
		out = append(out, k)
	}
	return out, nil
}
