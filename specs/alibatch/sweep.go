package alibatch

// The Alibaba BatchCompute sweeper: jobs, clusters and (own) images whose
// names start with a run's prefix. Jobs are stopped before they are deleted
// and go before the clusters they run on; images go last (a cluster names
// its image). It is also the run's ledger tracker (harness/ledger.go): a
// POST to /jobs, /clusters or /images creates, a DELETE of one deletes.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/specs/harness"
)

func init() { harness.RegisterSweeper(Dialect, sweeper{}) }

type sweeper struct{}

// sweepKinds: collection path -> resource type, in deletion order (Rank).
var sweepKinds = []struct{ path, typ string }{
	{"/jobs", "job"},
	{"/clusters", "cluster"},
	{"/images", "image"},
}

func sweepType(path string) string {
	for _, k := range sweepKinds {
		if k.path == path {
			return k.typ
		}
	}
	return ""
}

func sweepPath(typ string) string {
	for _, k := range sweepKinds {
		if k.typ == typ {
			return k.path
		}
	}
	return ""
}

// sweepDo sends one signed request under the target's request timeout
// (ending early when ctx is done).
func sweepDo(ctx context.Context, t *harness.Target, method, path string) (*acs.Response, error) {
	d := t.RequestTimeout
	if d <= 0 {
		d = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	r, err := t.ACS().Do(ctx, method, path, nil, acs.Options{})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return r, nil
}

func (sweeper) List(t *harness.Target, prefix string) ([]harness.Leftover, error) {
	var out []harness.Leftover
	for _, k := range sweepKinds {
		marker := ""
		for pages := 0; pages < 1000; pages++ {
			q := url.Values{"MaxItemCount": {"100"}}
			if marker != "" {
				q.Set("Marker", marker)
			}
			r, err := sweepDo(context.Background(), t, http.MethodGet, k.path+"?"+q.Encode())
			if err != nil {
				return out, fmt.Errorf("sweep: list %ss: %w", k.typ, err)
			}
			if r.Status != http.StatusOK {
				return out, fmt.Errorf("sweep: list %ss: HTTP %d: %.300s", k.typ, r.Status, r.Body)
			}
			var page struct {
				Items      []struct{ Id, Name, State string }
				NextMarker string
			}
			if err := json.Unmarshal(r.Body, &page); err != nil {
				return out, fmt.Errorf("sweep: list %ss: %w", k.typ, err)
			}
			for _, it := range page.Items {
				if harness.MatchesPrefix(it.Name, prefix) {
					out = append(out, harness.Leftover{Dialect: Dialect, Type: k.typ, ID: it.Id, Name: it.Name, State: it.State})
				}
			}
			if page.NextMarker == "" || page.NextMarker == marker {
				break
			}
			marker = page.NextMarker
		}
	}
	return out, nil
}

func (sweeper) Rank(typ string) int {
	for i, k := range sweepKinds {
		if k.typ == typ {
			return i
		}
	}
	return len(sweepKinds)
}

func (sweeper) Delete(ctx context.Context, t *harness.Target, l harness.Leftover) error {
	base := sweepPath(l.Type)
	if base == "" {
		return fmt.Errorf("sweep: unknown resource type %q", l.Type)
	}
	wait := time.Minute
	if t.Live {
		wait = 10 * time.Minute
	}
	deadline := time.Now().Add(wait)
	p := base + "/" + url.PathEscape(l.ID)
	for {
		if l.Type == "job" {
			// A job that has not ended is stopped first (DeleteJob
			// refuses it); stopping an ended one is refused harmlessly.
			if _, err := sweepDo(ctx, t, http.MethodPost, p+"/stop"); err != nil {
				return fmt.Errorf("sweep: stop %s: %w", l, err)
			}
		}
		r, err := sweepDo(ctx, t, http.MethodDelete, p)
		switch {
		case err != nil:
			return fmt.Errorf("sweep: %s: %w", l, err)
		case r.Status == http.StatusNoContent || r.Status == http.StatusNotFound:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("sweep: %s not deleted within %s: HTTP %d %.200s", l, wait, r.Status, r.Body)
		}
		if !harness.Pause(ctx, t.PollInterval()*5) {
			return fmt.Errorf("sweep: %s: %w (last answer: HTTP %d %.200s)", l, ctx.Err(), r.Status, r.Body)
		}
	}
}

func (sweeper) Creates(c *harness.Call) bool {
	return c.Method == http.MethodPost && sweepType(c.Path) != ""
}

func (sweeper) Track(c *harness.Call) ([]harness.Leftover, []string) {
	switch {
	case c.Method == http.MethodPost && c.Status == http.StatusCreated:
		typ := sweepType(c.Path)
		if typ == "" {
			return nil, nil
		}
		var out struct{ Id string }
		var in struct{ Name string }
		_ = json.Unmarshal(c.Response, &out)
		_ = json.Unmarshal(c.Request, &in)
		if out.Id == "" {
			return nil, nil
		}
		return []harness.Leftover{{Dialect: Dialect, Type: typ, ID: out.Id, Name: in.Name}}, nil
	case c.Method == http.MethodDelete && (c.Status == http.StatusNoContent || c.Status == http.StatusNotFound):
		parts := strings.Split(strings.Trim(c.Path, "/"), "/")
		if len(parts) == 2 && sweepType("/"+parts[0]) != "" {
			id, err := url.PathUnescape(parts[1])
			if err == nil {
				return nil, []string{id}
			}
		}
	}
	return nil, nil
}
