package testproxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestProxyDelaysAndDrops(t *testing.T) {
	var got []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("X-TC-Action")+"@"+r.Host)
		_, _ = io.WriteString(w, `{"Response":{"RequestId":"up"}}`)
	}))
	defer up.Close()
	p, err := Start(up.URL, Options{Latency: 20 * time.Millisecond, Drop: []string{"DeleteJob"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	call := func(action string) string {
		req, _ := http.NewRequest(http.MethodPost, p.URL, strings.NewReader("{}"))
		req.Host = "batch.tencentcloudapi.com"
		req.Header.Set("X-TC-Action", action)
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if d := time.Since(start); d < 20*time.Millisecond {
			t.Errorf("%s answered in %v, want >= the 20ms latency", action, d)
		}
		return string(b)
	}
	if b := call("DescribeJob"); !strings.Contains(b, `"up"`) {
		t.Errorf("DescribeJob not forwarded: %s", b)
	}
	if b := call("DeleteJob"); strings.Contains(b, `"up"`) || !strings.Contains(b, "RequestId") {
		t.Errorf("DeleteJob not dropped with a success: %s", b)
	}
	if len(got) != 1 || got[0] != "DescribeJob@batch.tencentcloudapi.com" {
		t.Errorf("upstream saw %v, want only DescribeJob with the client's Host", got)
	}
	if p.Forwarded() != 1 || p.Dropped() != 1 {
		t.Errorf("forwarded %d dropped %d", p.Forwarded(), p.Dropped())
	}
}
