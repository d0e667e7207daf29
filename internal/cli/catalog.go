package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/fixtures/alibatch"
	"github.com/batchconform/batchconform/fixtures/oceanus"
	"github.com/batchconform/batchconform/fixtures/tencentbatch"
	"github.com/batchconform/batchconform/specs/harness"
)

// catalogs are the dialects' embedded catalogs, in dialect order.
var catalogs = []struct {
	dialect string
	cat     func() *fixtures.Catalog
	json    func() []byte
}{
	{fixtures.DialectTencentBatch, tencentbatch.Catalog, tencentbatch.JSON},
	{fixtures.DialectAlibaba, alibatch.Catalog, alibatch.JSON},
	{fixtures.DialectOceanus, oceanus.Catalog, oceanus.JSON},
}

func cmdCatalog(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("catalog", flag.ContinueOnError)
	dialect := fs.String("dialect", "all", "tencent-batch, alibaba-batchcompute, oceanus or all")
	asJSON := fs.Bool("json", false, "print as JSON (with --dialect all: an object keyed by dialect)")
	specs := fs.Bool("specs", false, "list every item with the specs that check it (from the specs' declarations)")
	if code := parse(fs, args, stderr); code >= 0 {
		return code
	}
	var selected []int
	var known []string
	for i, c := range catalogs {
		known = append(known, c.dialect)
		if *dialect == "all" || *dialect == c.dialect {
			selected = append(selected, i)
		}
	}
	if len(selected) == 0 {
		fmt.Fprintf(stderr, "batchconform catalog: dialect %q is not implemented yet (%s)\n", *dialect, strings.Join(known, ", "))
		return ExitUsage
	}
	if *asJSON && !*specs {
		if len(selected) == 1 {
			_, _ = stdout.Write(catalogs[selected[0]].json())
			return ExitOK
		}
		all := map[string]json.RawMessage{}
		for _, i := range selected {
			all[catalogs[i].dialect] = catalogs[i].json()
		}
		return writeJSON(all, stdout, stderr)
	}
	for _, i := range selected {
		c := catalogs[i].cat()
		if *specs {
			if code := catalogSpecs(c, *asJSON, stdout, stderr); code != ExitOK {
				return code
			}
			continue
		}
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

func writeJSON(v any, stdout, stderr io.Writer) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "batchconform catalog: %v\n", err)
		return ExitFailure
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
