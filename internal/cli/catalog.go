package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/fixtures/alibatch"
	"github.com/batchconform/batchconform/fixtures/tencentbatch"
	"github.com/batchconform/batchconform/specs/harness"
)

func cmdCatalog(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("catalog", flag.ContinueOnError)
	dialect := fs.String("dialect", "all", "tencent-batch, alibaba-batchcompute or all")
	asJSON := fs.Bool("json", false, "print as JSON (one dialect: its catalog; all: an array of catalogs)")
	specs := fs.Bool("specs", false, "list every item with the specs that check it (from the specs' declarations)")
	if code := parse(fs, args, stderr); code >= 0 {
		return code
	}
	type dialectCatalog struct {
		c    *fixtures.Catalog
		json []byte
	}
	all := []dialectCatalog{{tencentbatch.Catalog(), tencentbatch.JSON()}, {alibatch.Catalog(), alibatch.JSON()}}
	var picked []dialectCatalog
	for _, dc := range all {
		if *dialect == "all" || *dialect == dc.c.Dialect {
			picked = append(picked, dc)
		}
	}
	if len(picked) == 0 {
		fmt.Fprintf(stderr, "batchconform catalog: dialect %q is not implemented yet (tencent-batch, alibaba-batchcompute)\n", *dialect)
		return ExitUsage
	}
	if *specs {
		for _, dc := range picked {
			if code := catalogSpecs(dc.c, *asJSON, stdout, stderr); code != ExitOK {
				return code
			}
		}
		return ExitOK
	}
	if *asJSON {
		if len(picked) == 1 {
			_, _ = stdout.Write(picked[0].json)
			return ExitOK
		}
		raw := make([]json.RawMessage, len(picked))
		for i, dc := range picked {
			raw[i] = dc.json
		}
		_ = json.NewEncoder(stdout).Encode(raw)
		return ExitOK
	}
	for _, dc := range picked {
		c := dc.c
		fmt.Fprintf(stdout, "%s (API version %s, service %s): %d actions, %d error codes, %d items\n",
			c.Dialect, c.Version, c.Service, len(c.Actions), len(c.ErrorCodes), len(c.Items()))
		counts := c.Counts()
		kinds := make([]string, 0, len(counts))
		for k := range counts {
			kinds = append(kinds, string(k))
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			fmt.Fprintf(stdout, "  %-11s %5d\n", k, counts[fixtures.Kind(k)])
		}
	}
	return ExitOK
}

// catalogSpecs maps every item to the specs that declare it.
func catalogSpecs(c *fixtures.Catalog, asJSON bool, stdout, stderr io.Writer) int {
	s := harness.Defaults()
	s.Dialect = c.Dialect
	decls, err := harness.Preview(s)
	if err != nil {
		fmt.Fprintf(stderr, "batchconform catalog: %v\n", err)
		return ExitFailure
	}
	bySpec := map[string][]string{}
	for _, d := range decls {
		for _, id := range d.Items {
			bySpec[id] = append(bySpec[id], d.Spec)
		}
	}
	type row struct {
		ID           string   `json:"id"`
		Kind         string   `json:"kind"`
		Level        string   `json:"level"`
		Specs        []string `json:"specs"`
		Unprovokable string   `json:"unprovokable,omitempty"`
	}
	var rows []row
	covered := 0
	for _, it := range c.Items() {
		r := row{ID: it.ID, Kind: string(it.Kind), Level: string(it.Level), Specs: bySpec[it.ID], Unprovokable: it.Unprovokable}
		if r.Specs == nil {
			r.Specs = []string{}
		} else {
			covered++
		}
		rows = append(rows, r)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rows)
		return ExitOK
	}
	for _, r := range rows {
		switch {
		case len(r.Specs) > 0:
			fmt.Fprintf(stdout, "%s\t%d spec(s): %s\n", r.ID, len(r.Specs), r.Specs[0])
		case r.Unprovokable != "":
			fmt.Fprintf(stdout, "%s\tunprovokable: %s\n", r.ID, r.Unprovokable)
		default:
			fmt.Fprintf(stdout, "%s\tno spec\n", r.ID)
		}
	}
	fmt.Fprintf(stdout, "%d of %d items have a spec\n", covered, len(rows))
	return ExitOK
}

func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "batchconform %s\n", emulator.Version)
	return ExitOK
}
