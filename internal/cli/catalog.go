package cli

import (
	"flag"
	"fmt"
	"io"
	"sort"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/fixtures/tencentbatch"
)

func cmdCatalog(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("catalog", flag.ContinueOnError)
	dialect := fs.String("dialect", "all", "tencent-batch or all")
	asJSON := fs.Bool("json", false, "print the catalog as JSON")
	if code := parse(fs, args, stderr); code >= 0 {
		return code
	}
	if *dialect != "all" && *dialect != fixtures.DialectTencentBatch {
		fmt.Fprintf(stderr, "batchconform catalog: dialect %q is not implemented yet (tencent-batch)\n", *dialect)
		return ExitUsage
	}
	if *asJSON {
		_, _ = stdout.Write(tencentbatch.JSON())
		return ExitOK
	}
	c := tencentbatch.Catalog()
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
	return ExitOK
}

func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "batchconform %s\n", emulator.Version)
	return ExitOK
}
