package api3

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// The documented vectors (reference notes §5.6).
func TestTC3DocVector(t *testing.T) {
	s := TC3{SecretID: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", SecretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
		Service: "cvm", Timestamp: time.Unix(1551113065, 0)}
	body := `{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`
	got := s.Authorization("POST", "cvm.tencentcloudapi.com", "", "application/json; charset=utf-8", []byte(body))
	want := "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
	if !strings.HasSuffix(got, want) {
		t.Fatalf("got %s, want suffix %s", got, want)
	}
}

func TestTC3ProbeVector(t *testing.T) {
	s := TC3{SecretID: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", SecretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
		Service: "batch", Timestamp: time.Unix(1795333862, 0)}
	got := s.Authorization("POST", "127.0.0.1:39169", "", "application/json", []byte(`{"JobId":"job-xxxxxxxx"}`))
	if !strings.Contains(got, "/2026-11-22/batch/tc3_request") ||
		!strings.HasSuffix(got, "Signature=b4f40be68762c5f5f289e0d6e69149f352bffaf2984fcb60a87d2545bf341991") {
		t.Fatalf("got %s", got)
	}
}

func TestV1DocVector(t *testing.T) {
	p := url.Values{}
	for _, kv := range strings.Split("Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&Timestamp=1465185768&Version=2017-03-12", "&") {
		k, v, _ := strings.Cut(kv, "=")
		p.Set(k, v)
	}
	s := V1{SecretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", Method: "HmacSHA1"}
	if got := s.Signature("GET", "cvm.tencentcloudapi.com", p); got != "EliP9YW3pW28FpsEdkXt/+WcGeI=" {
		t.Fatalf("got %s", got)
	}
}
